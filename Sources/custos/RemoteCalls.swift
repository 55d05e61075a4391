import CustosClient
import Foundation

/// Small conveniences for commands that call the service: JSON bodies from a few fields, path
/// segments escaped, the service's ISO 8601 times printed the way local mode prints a `Date`.
extension APIClient {
    /// POSTs a JSON object made of `fields` (nil values left out) and returns the answer.
    func post(_ path: String, _ fields: [String: Any?] = [:], accept: String = "application/json") async throws -> APIResponse {
        let body = try Remote.body(fields)
        return try await send("POST", path, json: body, accept: accept)
    }
}

enum Remote {
    /// A JSON object (sorted keys) of the non-nil fields.
    static func body(_ fields: [String: Any?]) throws -> Data {
        try JSONSerialization.data(withJSONObject: fields.compactMapValues { $0 }, options: [.sortedKeys])
    }

    /// One path segment, percent-escaped (request ids and dataset names are plain, but never trusted to be).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// A query string from the non-nil parameters, escaped; empty when there are none.
    static func query(_ parameters: [(String, String?)]) -> String {
        let pairs = parameters.compactMap { name, value in value.map { name + "=" + segment($0) } }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    /// An ISO 8601 time from the service as local mode prints the same `Date` (`2026-01-02 03:04:05 +0000`).
    static func time(_ text: String) -> String {
        ISO8601DateFormatter().date(from: text).map { "\($0)" } ?? text
    }

    /// The hexadecimal form of a base64 hash (local mode prints Merkle roots in hex).
    static func hex(base64: String) -> String {
        guard let data = Data(base64Encoded: base64) else { return base64 }
        return data.map { String(format: "%02x", $0) }.joined()
    }
}

extension WorkspaceOptions {
    /// The client for the configured service acting as `actor`, or nil for local mode.
    func client(_ actor: ActorOptions) -> APIClient? { client(token: actor.token, role: actor.role) }
}
