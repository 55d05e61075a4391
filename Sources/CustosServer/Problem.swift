import CustosEngine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem: what every failed request returns. `type` is stable (clients branch on it),
/// `detail` says what went wrong and what to do, `instance` is the request id so a person can quote
/// it to an operator. Nothing in it is personal data or key material: details come from engine
/// errors written for the CLI's users, and unexpected errors are reduced to their kind.
public struct Problem: Error, Sendable, Codable, Equatable {
    /// The stable kind, e.g. `denied`; rendered as `urn:custos:problem:denied`.
    public var slug: String
    public var status: Int
    public var title: String
    public var detail: String
    /// Seconds to wait before retrying (rate limits, job caps); sent as `Retry-After` as well.
    public var retryAfter: Int?
    /// Which request failed (set when the response is written).
    public var instance: String?

    public init(_ slug: String, status: Int, title: String, detail: String, retryAfter: Int? = nil) {
        self.slug = slug
        self.status = status
        self.title = title
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public static let typePrefix = "urn:custos:problem:"

    enum CodingKeys: String, CodingKey { case type, status, title, detail, instance, retryAfter = "retry_after" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        slug = type.hasPrefix(Self.typePrefix) ? String(type.dropFirst(Self.typePrefix.count)) : type
        status = try c.decode(Int.self, forKey: .status)
        title = try c.decode(String.self, forKey: .title)
        detail = try c.decodeIfPresent(String.self, forKey: .detail) ?? ""
        instance = try c.decodeIfPresent(String.self, forKey: .instance)
        retryAfter = try c.decodeIfPresent(Int.self, forKey: .retryAfter)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.typePrefix + slug, forKey: .type)
        try c.encode(status, forKey: .status)
        try c.encode(title, forKey: .title)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(instance, forKey: .instance)
        try c.encodeIfPresent(retryAfter, forKey: .retryAfter)
    }

    /// The response, with `application/problem+json`, the request id and `Retry-After` when set.
    func response(requestID: String) -> Response {
        var problem = self
        problem.instance = requestID
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(problem)) ?? Data("{\"type\":\"urn:custos:problem:internal\",\"status\":500}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json", .requestID: requestID]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"custos\"" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Problem {
    static func unauthenticated(_ detail: String) -> Problem {
        Problem("unauthenticated", status: 401, title: "Authentication required", detail: detail)
    }
    static func forbidden(_ detail: String) -> Problem { Problem("denied", status: 403, title: "Denied by policy", detail: detail) }
    static func badRequest(_ detail: String) -> Problem { Problem("invalid-request", status: 400, title: "Invalid request", detail: detail) }
    static func notFound(_ detail: String) -> Problem { Problem("not-found", status: 404, title: "Not found", detail: detail) }
    static func rateLimited(retryAfter: Int) -> Problem {
        Problem("rate-limited", status: 429, title: "Too many requests",
                detail: "this principal sent more requests than its rate limit allows; wait \(retryAfter) s and retry", retryAfter: retryAfter)
    }
    static func tooLarge(limit: Int) -> Problem {
        Problem("body-too-large", status: 413, title: "Request body too large",
                detail: "the body is larger than \(limit) bytes; send less, or ask the operator to raise the service's limit")
    }

    /// The problem for any error a handler threw. Engine and policy errors are written for people
    /// (what went wrong, what to do) and carry no personal data; anything else is an internal error
    /// reported by kind only.
    static func from(_ error: any Error) -> Problem {
        if let problem = error as? Problem { return problem }
        if let engine = error as? EngineError { return from(engine) }
        if error is DecodingError {
            return Problem("malformed-json", status: 400, title: "Malformed JSON",
                           detail: "the body is not the JSON this operation takes (see /v1/openapi.yaml): \(Self.decodingSummary(error))")
        }
        if let http = error as? HTTPError {
            switch http.status.code {
            case 404: return .notFound("no such operation; /v1/openapi.yaml lists them")
            case 405: return Problem("method-not-allowed", status: 405, title: "Method not allowed", detail: "this path does not take that method; see /v1/openapi.yaml")
            case 413: return .tooLarge(limit: ServiceLimits.defaultJSONBody)
            default: return Problem("http-\(http.status.code)", status: http.status.code, title: http.status.reasonPhrase,
                                    detail: http.body ?? http.status.reasonPhrase)
            }
        }
        if Self.isCustosError(error) {
            return Problem("request-failed", status: 422, title: "The request could not be carried out", detail: "\(error)")
        }
        return Problem("internal", status: 500, title: "Internal error",
                       detail: "the service failed unexpectedly (\(String(describing: type(of: error)))); nothing about the data is shown here. Quote the request id to the operator.")
    }

    static func from(_ error: EngineError) -> Problem {
        switch error {
        case .denied: return Problem("denied", status: 403, title: "Denied by policy", detail: error.description)
        case .budgetExhausted: return Problem("budget-exhausted", status: 403, title: "Privacy budget exhausted", detail: error.description)
        case .invalidRequest: return Problem("invalid-request", status: 400, title: "Invalid request", detail: error.description)
        case .notFound: return Problem("not-found", status: 404, title: "Not found", detail: error.description)
        case .auditUnavailable: return Problem("audit-unavailable", status: 503, title: "Audit log unavailable", detail: error.description)
        case .policiesUntrusted: return Problem("policies-untrusted", status: 409, title: "Policies not trusted", detail: error.description)
        case .ledgerMismatch: return Problem("ledger-mismatch", status: 409, title: "Budget ledger refused", detail: error.description)
        }
    }

    /// Errors from Custos's own modules describe themselves for users; others (NIO, Foundation) may
    /// carry paths or internals and are reported by kind only.
    static func isCustosError(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("Custos")
    }

    /// Which field was wrong, without echoing the value that was sent.
    static func decodingSummary(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "unreadable body" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case let .keyNotFound(key, context): return "missing field '\(key.stringValue)' in \(path(context))"
        case let .typeMismatch(type, context): return "\(path(context)) should be \(type)"
        case let .valueNotFound(type, context): return "\(path(context)) should be \(type), not null"
        case .dataCorrupted: return "the body is not valid JSON"
        @unknown default: return "unreadable body"
        }
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
    static let custosRole = HTTPField.Name("X-Custos-Role")!
    static let prefer = HTTPField.Name("Prefer")!
}
