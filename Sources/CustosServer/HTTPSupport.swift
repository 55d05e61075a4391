import CustosGovernance
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON and text responses, one encoder for the whole API (sorted keys, so responses diff cleanly).
enum Reply {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return bytes(try encoder.encode(value), contentType: "application/json", status: status, headers: headers)
    }

    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok) -> Response {
        bytes(Data(text.utf8), contentType: contentType, status: status)
    }

    static func bytes(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The representation an `Accept` header prefers among JSON, plain text and HTML (JSON by default).
    enum Representation { case json, text, html }
    static func representation(_ accept: String?) -> Representation {
        guard let accept = accept?.lowercased() else { return .json }
        for part in accept.split(separator: ",") {
            let type = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
            if type == "application/json" || type == "application/problem+json" { return .json }
            if type == "text/plain" { return .text }
            if type == "text/html" { return .html }
        }
        return .json
    }
}

extension Request {
    /// The JSON body decoded as `T`, limited to the service's JSON body size.
    func json<T: Decodable>(_ type: T.Type, context: CustosRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch {
            throw Problem.tooLarge(limit: context.maxUploadSize)
        }
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("this operation takes a JSON body (see /v1/openapi.yaml)") }
        return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }
}

extension Identity {
    /// Compliance officers read every job and request; other principals only their own.
    var isOfficer: Bool { role == StandardRole.complianceOfficer }

    /// Refuses unless the caller acts in one of `roles`.
    func require(_ roles: String..., for operation: String) throws {
        guard roles.contains(role) else {
            throw Problem.forbidden("\(operation) is for the \(roles.joined(separator: " or ")) role; you act as '\(role)'")
        }
    }
}
