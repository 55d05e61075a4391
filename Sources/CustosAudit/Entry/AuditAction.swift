/// What an audit entry records. A fixed vocabulary with room for more: any lower-case dotted name
/// (`area.verb`, letters, digits and `_`) is accepted, so new actions need no format change.
public struct AuditAction: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The dotted name written to the log, e.g. `job.run`.
    public let rawValue: String

    /// Accepts a lower-case dotted name such as `job.run`; nil otherwise.
    public init?(rawValue: String) {
        guard AuditAction.isValidName(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// A record in the vault was read (decrypted).
    public static let vaultRead = AuditAction(known: "vault.read")
    /// A mining job ran (allowed) and produced a result.
    public static let jobRun = AuditAction(known: "job.run")
    /// The policy decision point allowed or denied a request.
    public static let policyDecision = AuditAction(known: "policy.decision")
    /// A policy file was added, changed or removed.
    public static let policyChange = AuditAction(known: "policy.change")
    /// A data subject's consent was given, changed or withdrawn.
    public static let consentChange = AuditAction(known: "consent.change")
    /// A data-subject request changed state (details: type, jurisdiction, state, due).
    public static let dsrState = AuditAction(known: "dsr.state")
    /// Key material was created.
    public static let keyInit = AuditAction(known: "key.init")
    /// A key was rotated.
    public static let keyRotate = AuditAction(known: "key.rotate")
    /// A subject's data key was destroyed (crypto-shredding).
    public static let keyShred = AuditAction(known: "key.shred")
    /// A batch of records was ingested.
    public static let ingestBatch = AuditAction(known: "ingest.batch")
    /// The audit log was verified.
    public static let auditVerify = AuditAction(known: "audit.verify")
    /// The audit log recovered from a torn write on open.
    public static let auditRecover = AuditAction(known: "audit.recover")
    /// A DP job's cost was reserved on its budget accounts (details: the accounts and the exact cost),
    /// so the ledger in the store can be checked against the signed log.
    public static let budgetReserve = AuditAction(known: "budget.reserve")
    /// A reservation whose job never started reading was taken back (details: the cost).
    public static let budgetRelease = AuditAction(known: "budget.release")
    /// An officer raised a ledger that no longer matched the audit log back to what the log records.
    public static let budgetReconcile = AuditAction(known: "budget.reconcile")

    /// The service refused a request before it reached the engine: no or wrong token, a role the
    /// principal does not hold, a rate limit (details: route template, status, request id).
    public static let requestDenied = AuditAction(known: "request.denied")

    /// The vocabulary Custos itself writes.
    public static let known: [AuditAction] = [
        .vaultRead, .jobRun, .policyDecision, .policyChange, .consentChange, .dsrState,
        .keyInit, .keyRotate, .keyShred, .ingestBatch, .auditVerify, .auditRecover, .budgetReserve, .budgetRelease, .budgetReconcile,
        .requestDenied,
    ]

    public var description: String { rawValue }

    public static func < (a: AuditAction, b: AuditAction) -> Bool { a.rawValue < b.rawValue }

    /// True for names of the form `word(.word)+` where a word is `[a-z][a-z0-9_]*`, at most 64 bytes.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count <= 64, !bytes.isEmpty else { return false }
        var dots = 0
        var atWordStart = true
        for b in bytes {
            if atWordStart {
                guard b >= 0x61, b <= 0x7A else { return false }
                atWordStart = false
            } else if b == 0x2E {
                dots += 1
                atWordStart = true
            } else {
                guard (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F else { return false }
            }
        }
        return dots >= 1 && !atWordStart
    }
}

/// The outcome of a policy decision recorded in an entry.
public enum AuditDecision: String, Sendable, Hashable, CaseIterable {
    /// The request was allowed.
    case allow
    /// The request was denied.
    case deny
}
