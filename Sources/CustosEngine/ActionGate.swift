import CustosAudit
import CustosGovernance
import Foundation

/// Every change to data, consent or keys is made by an authenticated principal in a role that
/// `roles.yaml` allows to take it. A refusal is audited like the change would have been (same
/// action, decision `deny`, the principal as claimed and the raw request in `details`), so an
/// attempt without a token leaves a trace too.
extension EngineService {
    /// Authenticates `actor` for `action` or records the refusal and throws ``EngineError/denied(_:)``.
    @discardableResult
    func authorize(_ actor: Caller, _ action: AdministrativeAction, audited auditAction: AuditAction, dataset: String? = nil,
                   purpose: String? = nil, requestID: String? = nil, details: [String: String] = [:]) throws -> Principal {
        switch policies.authorize(principal: actor.principal, token: actor.token, role: actor.role, action: action) {
        case let .allowed(principal):
            return principal
        case let .denied(reason):
            var raw = details
            raw["requested_action"] = action.rawValue
            raw["token_given"] = (actor.token ?? "").isEmpty ? "false" : "true"
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: auditAction, purpose: purpose,
                                  dataset: dataset, decision: .deny, reason: reason, policyVersion: policies.version,
                                  requestID: requestID, details: raw))
            throw EngineError.denied(reason)
        }
    }
}
