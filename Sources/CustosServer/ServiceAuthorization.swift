import CustosAudit
import CustosEngine
import CustosGovernance
import Foundation
import Hummingbird

/// Refusals the service makes itself (before the engine is asked) are audited like the engine's
/// own: a `request.denied` entry naming the principal, role, route template and request id, never
/// the token or anything the body carried.
extension CustosService {
    /// Records a refusal in the audit log.
    func recordDenial(_ problem: Problem, actor: String, role: String, route: String, requestID: String) async throws {
        let entry = AuditEntry(time: Date(), actor: actor, role: role, action: .requestDenied, decision: .deny, reason: problem.detail,
                               details: ["route": route, "status": String(problem.status), "problem": problem.slug, "request_id": requestID])
        let engine = engine
        _ = try await blocking { try engine.record(entry) }
    }

    /// The identity, once it acts in one of `roles`; otherwise the refusal is audited and thrown.
    @discardableResult
    func require(_ roles: String..., for operation: String, context: CustosRequestContext) async throws -> Identity {
        try await require(roles, for: operation, context: context)
    }

    /// The identity, once it acts in one of `roles`; otherwise the refusal is audited and thrown.
    @discardableResult
    func require(_ roles: [String], for operation: String, context: CustosRequestContext) async throws -> Identity {
        let identity = try context.requireIdentity()
        guard roles.contains(identity.role) else {
            let problem = Problem.forbidden("\(operation) is for the \(roles.joined(separator: " or ")) role; you act as '\(identity.role)'")
            try await recordDenial(problem, actor: identity.principal.id, role: identity.role, route: context.endpointPath ?? "unmatched",
                                   requestID: context.requestID)
            throw problem
        }
        return identity
    }

    /// Decodes a JSON body; a malformed or oversized one is audited as a refusal of the caller.
    func body<T: Decodable>(_ type: T.Type, request: Request, context: CustosRequestContext) async throws -> T {
        do {
            return try await request.json(type, context: context)
        } catch {
            let identity = try context.requireIdentity()
            try await recordDenial(Problem.from(error), actor: identity.principal.id, role: identity.role,
                                   route: context.endpointPath ?? "unmatched", requestID: context.requestID)
            throw error
        }
    }
}
