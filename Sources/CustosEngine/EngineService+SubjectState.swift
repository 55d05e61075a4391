import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation

/// Kinds of sealed per-subject documents and registers in the store.
enum DocumentKind {
    static let consent = "consent"
    static let state = "state"
    static let request = "dsr"
    static let ledger = "dsr-ledger"
    static let artefact = "dsr-artefacts"
    /// Erasure requests waiting for a legal hold to end (sealed subject id; summary pending or done).
    static let deferredErasure = "dsr-deferred-erasure"
}

/// What several services need about a subject: subject-scoped decisions, consent records and
/// processing state, and the keyed digest that stands for a subject in audit entries.
extension EngineService {
    /// A decision scoped to one subject for the acting officer (DPO reading or updating that subject's
    /// records for a data-subject request). Denials are audited by the decision point and thrown.
    func subjectDecision(actor: Caller, subject: SubjectID, purpose: String = "essential.legal_obligation",
                         dataset: String = "customers", columns: [String] = ["customer_id"], mode: OutputMode = .subjectAccess) throws -> (Decision, AccessGrant) {
        let decision = decide(AccessRequest(principal: actor.principal, token: actor.token, role: actor.role, purpose: purpose,
                                            dataset: dataset, columns: columns, outputMode: mode, subjectScope: subject.hex))
        guard decision.isAllowed, let grant = decision.grant else { throw EngineError.denied(decision.explanation) }
        return (decision, grant)
    }

    /// Replaces a subject's processing state (restriction, objections, legal holds) and records it.
    /// `grant` comes from a subject-scoped decision for the acting officer.
    func updateProcessingState(
        _ subject: SubjectID, grant: AccessGrant, actor: Caller, reason: String, _ change: (inout SubjectProcessingState) -> Void
    ) throws {
        var state = try processingStates(grant: grant, subjects: [subject])[subject] ?? SubjectProcessingState()
        change(&state)
        try workspace.vault.replaceDocument(state.encoded(), kind: DocumentKind.state, subject: subject)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, decision: .allow,
                              reason: reason, policyVersion: policies.version, subjects: [pseudonymForAudit(subject)], subjectCount: 1,
                              details: ["restricted": state.restriction == nil ? "false" : "true",
                                        "objections": state.objections.map(\.purposes).joined(separator: ","),
                                        "legal_holds": String(state.legalHolds.count)]))
    }

    /// Consent records of subjects, read under a grant from the decision point.
    func consentRecords(grant: AccessGrant, subjects: Set<SubjectID>? = nil) throws -> [SubjectID: [ConsentRecord]] {
        try workspace.vault.documents(kind: DocumentKind.consent, grant: grant, subjects: subjects)
            .mapValues { try $0.map { try ConsentRecord(bytes: $0) } }
    }

    func processingStates(grant: AccessGrant, subjects: Set<SubjectID>? = nil) throws -> [SubjectID: SubjectProcessingState] {
        try workspace.vault.documents(kind: DocumentKind.state, grant: grant, subjects: subjects)
            .compactMapValues { try $0.last.map { try SubjectProcessingState(bytes: $0) } }
    }

    /// A keyed digest of a subject for audit entries: stable within this workspace, meaningless outside.
    func pseudonymForAudit(_ subject: SubjectID) -> String {
        "a_" + Array(HMACSHA256.authenticationCode(for: subject.bytes, using: auditPseudonymKey).prefix(12)).hexString
    }
    /// Subjects whose consent (or other lawful basis) for `purpose` is in force at `time`, and the
    /// number excluded per reason.
    func consentFilter(purpose: String, grant: AccessGrant, at time: Date, subjects scope: Set<SubjectID>? = nil) throws -> (Set<SubjectID>, [String: Int]) {
        let records = try consentRecords(grant: grant, subjects: scope)
        let states = try processingStates(grant: grant, subjects: scope)
        let evaluator = ConsentEvaluator(purposes: policies.purposes)
        var eligible = Set<SubjectID>()
        var excluded: [String: Int] = [:]
        for subject in try scope.map(Array.init) ?? workspace.records.allSubjects() {
            switch evaluator.evaluate(purpose: purpose, records: records[subject] ?? [], state: states[subject] ?? SubjectProcessingState(), at: time) {
            case .inForce: eligible.insert(subject)
            case let .excluded(reason): excluded[reason.rawValue, default: 0] += 1
            }
        }
        return (eligible, excluded)
    }


    /// Finds the subject behind an identifier (normalised as its column declares), by blind index.
    func lookupSubject(identifierColumn column: String, value: String) throws -> SubjectID? {
        for dataset in workspace.catalog.datasets.values {
            guard dataset.subjectKeys.contains(column), let spec = dataset.column(named: column) else { continue }
            guard case let .success(parsed) = ValueParser.parse(value, column: spec), case let .string(normalised) = parsed else {
                return nil
            }
            return try workspace.vault.subject(column: column, normalizedValue: normalised)
        }
        throw EngineError.invalidRequest("'\(column)' is not a subject identifier of any dataset")
    }

    /// Resolves a customer reference (customer id or e-mail) for a subject-scoped read, deciding
    /// first: the caller's role and purpose are checked (and audited) before the lookup, so someone
    /// without the right gets the same denial whether or not the person is a customer, and a
    /// reference that matches nobody is audited too. No answer tells an unprivileged caller who is
    /// a customer.
    func resolveCustomer(_ reference: String, actor: Caller, purpose: String = "essential.legal_obligation",
                         dataset: String = "customers", columns: [String] = ["customer_id"], mode: OutputMode = .subjectAccess) throws -> SubjectID {
        // A scope that names no real subject: the decision depends on who asks and why, never on the reference.
        let unresolved = String(repeating: "0", count: 32)
        let decision = decide(AccessRequest(principal: actor.principal, token: actor.token, role: actor.role, purpose: purpose,
                                            dataset: dataset, columns: columns, outputMode: mode, subjectScope: unresolved))
        guard decision.isAllowed else { throw EngineError.denied(decision.explanation) }
        guard let subject = try lookupSubject(identifierColumn: reference.contains("@") ? "email" : "customer_id", value: reference) else {
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .vaultRead, purpose: purpose, dataset: dataset,
                                  decision: .deny, reason: "no customer matches the reference given", policyVersion: policies.version,
                                  jobID: decision.id))
            throw EngineError.notFound("no customer matches that reference")
        }
        return subject
    }
}
