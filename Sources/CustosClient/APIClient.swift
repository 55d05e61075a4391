import NIOHTTP1
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The CLI's side of `custos serve`: one request at a time over HTTP(S) or a Unix socket
/// (`http+unix://%2Frun%2Fcustos%2Fapi.sock`), the bearer token in a header (never in the URL), and
/// problem details turned into errors that read like the local CLI's.
public struct APIClient: Sendable {
    public let server: String
    let token: String?
    let role: String?

    public init(server: String, token: String?, role: String?) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        self.role = role
    }

    /// Sends one request and returns the response, or throws the server's problem.
    public func send(_ method: String, _ path: String, json: Data? = nil, accept: String = "application/json",
                     headers extra: [(String, String)] = [], timeout: TimeAmount = .seconds(600)) async throws -> APIResponse {
        var request = HTTPClientRequest(url: server + path)
        request.method = .init(rawValue: method)
        addHeaders(&request, accept: accept, extra: extra)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        return try await execute(request, timeout: timeout)
    }

    /// Streams a file as the request body (ingest, consent import), never holding it in memory whole.
    public func upload(_ path: String, file: URL, contentType: String, headers extra: [(String, String)] = []) async throws -> APIResponse {
        var request = HTTPClientRequest(url: server + path)
        request.method = .POST
        addHeaders(&request, accept: "application/json", extra: extra)
        request.headers.add(name: "Content-Type", value: contentType)
        guard let handle = FileHandle(forReadingAtPath: file.path) else { throw APIClientError("cannot read \(file.path)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? nil
        let chunks = FileChunks(handle: handle)
        request.body = size.map { .stream(chunks, length: .known(Int64($0))) } ?? .stream(chunks, length: .unknown)
        return try await execute(request, timeout: .seconds(3600))
    }

    private func addHeaders(_ request: inout HTTPClientRequest, accept: String, extra: [(String, String)]) {
        request.headers.add(name: "Accept", value: accept + ", application/problem+json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let role { request.headers.add(name: "X-Custos-Role", value: role) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
    }

    private func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> APIResponse {
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw APIClientError("cannot reach the Custos service at \(server) (\(error)); is `custos serve` running, and is --server right?")
        }
        let body = try await response.body.collect(upTo: 1 << 30)
        let data = Data(buffer: body)
        let result = APIResponse(status: Int(response.status.code), body: data,
                                 headers: response.headers.map { ($0.name.lowercased(), $0.value) })
        guard (200..<300).contains(result.status) else {
            if let problem = try? JSONDecoder().decode(APIProblem.self, from: data) { throw problem }
            throw APIClientError("the service answered \(result.status) \(response.status.reasonPhrase)")
        }
        return result
    }
}

/// A response's status, headers (lower-cased names) and body.
public struct APIResponse: Sendable {
    public let status: Int
    public let body: Data
    public let headers: [(String, String)]

    public func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    public var text: String { String(decoding: body, as: UTF8.self) }
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: body) }
}

/// An RFC 9457 problem the service returned.
public struct APIProblem: Error, Sendable, Decodable, CustomStringConvertible {
    public let type: String
    public let status: Int
    public let title: String
    public let detail: String?
    public let instance: String?
    public let retryAfter: Int?

    enum CodingKeys: String, CodingKey { case type, status, title, detail, instance, retryAfter = "retry_after" }

    public init(type: String, status: Int, title: String, detail: String? = nil, instance: String? = nil, retryAfter: Int? = nil) {
        self.type = type
        self.status = status
        self.title = title
        self.detail = detail
        self.instance = instance
        self.retryAfter = retryAfter
    }

    /// The stable kind, e.g. `denied` from `urn:custos:problem:denied`.
    public var slug: String { type.hasPrefix("urn:custos:problem:") ? String(type.dropFirst(19)) : type }

    public var description: String {
        (detail.map { $0.isEmpty ? title : $0 } ?? title) + (instance.map { " (request \($0))" } ?? "")
    }
}

/// A failure on the client's side (no connection, an unreadable file), in words for the user.
public struct APIClientError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A file read in 64 KiB chunks as an async sequence of buffers.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        mutating func next() async throws -> ByteBuffer? {
            let data = handle.readData(ofLength: 64 << 10)
            return data.isEmpty ? nil : ByteBuffer(data: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}
