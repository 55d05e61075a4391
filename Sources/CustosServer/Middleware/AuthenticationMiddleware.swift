import CustosGovernance
import CustosAudit
import CustosEngine
import Foundation
import HTTPTypes
import Hummingbird

/// Every operation under /v1 (but the OpenAPI document) needs a principal: `Authorization: Bearer`
/// with a token whose SHA-256 is in `policies/principals.yaml`, and a role it holds (`X-Custos-Role`,
/// or its only role). Refusals are problem responses and audit entries (`request.denied`) naming the
/// route template, never the token. Rate limits apply per principal, and per address before that.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CustosRequestContext
    let service: CustosService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let route = context.endpointPath ?? "unmatched"
        guard let token = Self.bearerToken(request.headers[.authorization]) else {
            try await refuse(Problem.unauthenticated("send Authorization: Bearer <token> (a principal's token from `custos init` or `custos principal rotate-token`)"),
                             actor: "anonymous", role: "none", route: route, context: context, limitKey: context.addressKey)
        }
        guard let principal = service.engine.policies.principals.authenticate(token: token) else {
            try await refuse(Problem.unauthenticated("the bearer token is not a current token of any enabled principal; ask an operator for a new one"),
                             actor: "anonymous", role: "none", route: route, context: context, limitKey: context.addressKey)
        }
        if let wait = service.rateLimiter.take(principal.id) {
            try await refuse(Problem.rateLimited(retryAfter: wait), actor: principal.id, role: "none", route: route, context: context, limitKey: nil)
        }
        let asked = request.headers[.custosRole]
        if let asked, !Self.isLowerSnakeName(asked) {
            try await refuse(Problem.badRequest("X-Custos-Role must be a role name (lower-case letters, digits and _), e.g. analyst"),
                             actor: principal.id, role: "none", route: route, context: context, limitKey: nil)
        }
        guard let role = asked ?? (principal.roles.count == 1 ? principal.roles[0] : nil) else {
            try await refuse(Problem.badRequest("principal '\(principal.id)' holds several roles (\(principal.roles.joined(separator: ", "))); say which with X-Custos-Role"),
                             actor: principal.id, role: "none", route: route, context: context, limitKey: nil)
        }
        guard principal.holds(role) else {
            try await refuse(Problem.forbidden("principal '\(principal.id)' does not hold role '\(role)' (holds: \(principal.roles.joined(separator: ", ")))"),
                             actor: principal.id, role: role, route: route, context: context, limitKey: nil)
        }
        context.identity = Identity(principal: principal, role: role, token: token)
        return try await next(request, context)
    }

    /// Audits the refusal and throws it. Before authentication, the caller's address is rate limited
    /// too, so guessing tokens is slow; such a caller gets 429 instead once over the limit.
    private func refuse(_ problem: Problem, actor: String, role: String, route: String, context: Context, limitKey: String?) async throws -> Never {
        var problem = problem
        if let limitKey, let wait = service.rateLimiter.take(limitKey) { problem = .rateLimited(retryAfter: wait) }
        try await service.recordDenial(problem, actor: actor, role: role, route: route, requestID: context.requestID)
        throw problem
    }

    /// Role and column names as the policies declare them (lower-case letters, digits, `_`); anything
    /// else (empty, hostile) is refused before it reaches the log or the engine.
    static func isLowerSnakeName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, (0x61...0x7A).contains(first) else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// The token of an `Authorization: Bearer …` header (RFC 6750), nil for anything else.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.utf8.count <= 512 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
