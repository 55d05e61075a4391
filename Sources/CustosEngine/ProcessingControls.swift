import CustosAudit
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation

/// Restriction (GDPR art. 18), objection (art. 21) and legal hold (PIPL art. 47(2)): each is a change
/// to the subject's sealed processing state, made by an officer under a subject-scoped decision, and
/// takes effect for the next job through the consent filter.
public struct ProcessingControls: EngineService {
    package let context: EngineContext
}

extension ProcessingControls {
    /// Restricts all processing of a subject except storage (and purposes that continue under restriction).
    public func restrictProcessing(of subject: SubjectID, ground: String, actor: Caller) throws {
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        try updateProcessingState(subject, grant: grant, actor: actor, reason: "restriction of processing (GDPR art. 18)") {
            $0.restriction = Restriction(since: clock(), ground: ground)
        }
    }

    /// Lifts a restriction (the subject is told before it is lifted, GDPR art. 18(3)).
    public func liftRestriction(of subject: SubjectID, actor: Caller) throws {
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        try updateProcessingState(subject, grant: grant, actor: actor, reason: "restriction lifted") { $0.restriction = nil }
    }

    /// Records an objection to purposes matching `purposes` (a key or a prefix such as `marketing.*`).
    public func recordObjection(of subject: SubjectID, to purposes: String, actor: Caller) throws {
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        try updateProcessingState(subject, grant: grant, actor: actor, reason: "objection (GDPR art. 21) to \(purposes)") {
            $0.objections.append(Objection(purposes: purposes, since: clock()))
        }
    }

    /// Places a legal hold: the subject is kept but processed for nothing except storage and security,
    /// and only the legal-hold custodian can read the held records.
    public func placeLegalHold(on subject: SubjectID, caseReference: String, actor: Caller) throws {
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        try updateProcessingState(subject, grant: grant, actor: actor, reason: "legal hold placed") {
            $0.legalHolds.append(LegalHold(caseReference: caseReference, since: clock()))
        }
    }

    /// Lifts the legal hold of case `caseReference` (other cases' holds stay); returns the holds left.
    @discardableResult
    public func liftLegalHold(of subject: SubjectID, caseReference: String, actor: Caller) throws -> Int {
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        guard let state = try processingStates(grant: grant, subjects: [subject])[subject],
              state.legalHolds.contains(where: { $0.caseReference == caseReference })
        else { throw EngineError.notFound("this customer has no legal hold for case \(caseReference); nothing was lifted") }
        var left = 0
        try updateProcessingState(subject, grant: grant, actor: actor, reason: "legal hold lifted") {
            $0.legalHolds.removeAll { $0.caseReference == caseReference }
            left = $0.legalHolds.count
        }
        return left
    }

    /// Whether a subject is under legal hold now (read under the officer's subject-scoped decision).
    public func isUnderLegalHold(_ subject: SubjectID, actor: Caller) throws -> Bool {
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        return try processingStates(grant: grant, subjects: [subject])[subject]?.isUnderLegalHold(at: clock()) ?? false
    }
}

extension ProcessingControls {
    /// A customer's consent history and processing state, read by an officer under a subject-scoped
    /// decision (audited), oldest record first.
    public func consentHistory(customer: String, actor: Caller) throws -> (records: [ConsentRecord], state: SubjectProcessingState) {
        let subject = try resolveCustomer(customer, actor: actor)
        let (_, grant) = try subjectDecision(actor: actor, subject: subject)
        let records = (try consentRecords(grant: grant, subjects: [subject])[subject] ?? []).sorted { $0.time < $1.time }
        let state = try processingStates(grant: grant, subjects: [subject])[subject] ?? SubjectProcessingState()
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .vaultRead, purpose: "essential.legal_obligation",
                              decision: .allow, reason: "consent history read", policyVersion: policies.version,
                              subjects: [pseudonymForAudit(subject)], subjectCount: 1, rows: Int64(records.count)))
        return (records, state)
    }
}
