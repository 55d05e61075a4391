/// A change to data, consent or keys that is not a read (reads go through rules and the decision
/// point). Roles in `roles.yaml` list the actions their principals may take (`actions: [ingest]`);
/// a role that lists none may take none.
public enum AdministrativeAction: String, CaseIterable, Sendable {
    /// Load a batch of customer records (`custos ingest`).
    case ingest
    /// Rotate the key-encryption key (`custos keys rotate`).
    case keysRotate = "keys.rotate"
    /// Take or restore a backup of the store and key store (`custos backup`, `custos restore`).
    case backup
    /// Record one consent grant or withdrawal (`custos consent grant|withdraw`).
    case consentRecord = "consent.record"
    /// Import a file of consent records (`custos consent import`).
    case consentImport = "consent.import"
    /// File a data-subject request (a `data_subject` principal only about their own subject).
    case dsrFile = "dsr.file"
    /// Send or check a request's one-time code.
    case dsrVerify = "dsr.verify"
    /// Read a request's status and collect its answer (a `data_subject` principal only their own).
    case dsrRead = "dsr.read"
}

/// The outcome of checking that a caller may take an administrative action.
public enum ActionDecision: Sendable, Equatable {
    /// Authenticated, in a role it holds that permits the action.
    case allowed(Principal)
    /// Refused, with the reason in words (never whether the principal exists).
    case denied(String)
}

extension PolicySet {
    /// Authenticates `principal` with `token` (in constant time, unknown ids included) and checks that
    /// it holds `role` and that `roles.yaml` lets that role take `action`.
    public func authorize(principal id: String, token: String?, role: String, action: AdministrativeAction) -> ActionDecision {
        guard let token, !token.isEmpty else {
            return .denied("'\(action.rawValue)' needs an authenticated principal: give --principal, --role and the bearer token ($CUSTOS_TOKEN)")
        }
        guard let principal = principals.authenticate(principal: id, token: token) else {
            return .denied("principal '\(id)' could not be authenticated (unknown principal, wrong token or disabled)")
        }
        guard principal.holds(role) else {
            return .denied("principal '\(id)' does not hold role '\(role)' (holds: \(principal.roles.joined(separator: ", ")))")
        }
        guard let declared = roles[role], declared.permits(action) else {
            let allowed = roles.entries.values.filter { $0.permits(action) }.map(\.name).sorted()
            return .denied("role '\(role)' may not take action '\(action.rawValue)'; roles.yaml allows it for: "
                + (allowed.isEmpty ? "no role" : allowed.joined(separator: ", ")))
        }
        return .allowed(principal)
    }
}
