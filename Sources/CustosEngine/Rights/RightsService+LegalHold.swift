import CustosAudit
import CustosGovernance
import CustosRights
import CustosVault
import Foundation

/// What lifting a legal hold did.
public struct LegalHoldRelease: Sendable, Equatable {
    /// Holds of other cases still in force.
    public var holdsLeft: Int
    /// Erasure requests deferred by the hold and carried out now (none while other holds remain).
    public var erasuresCompleted: [String]
}

extension RightsService {
    /// Case references go into audit entries, so they must be internal references, never a name:
    /// 1 to 64 ASCII letters, digits, `.`, `_`, `/` or `-`.
    static func checkCaseReference(_ reference: String) throws {
        let allowed = reference.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2F || b == 0x2D
        }
        guard allowed, (1...64).contains(reference.utf8.count) else {
            throw EngineError.invalidRequest("a case reference is 1 to 64 letters, digits, '.', '_', '/' or '-' (an internal reference, never a person's name)")
        }
    }

    /// Places a legal hold on a customer (compliance officer only): their data is kept, processed only
    /// for storage and security, read only by the legal-hold custodian, and an erasure request waits
    /// until the hold is lifted. Audited, refusals included.
    public func placeLegalHold(customer: String, caseReference: String, actor: Caller) throws {
        try requireOfficerAudited(actor, step: "legal hold place")
        try Self.checkCaseReference(caseReference)
        let subject = try heldCustomer(customer)
        try controls.placeLegalHold(on: subject, caseReference: caseReference, actor: actor)
    }

    /// Lifts a customer's legal hold for one case (compliance officer only). When no hold remains,
    /// erasure requests it deferred are carried out at once (crypto-shredding, audited).
    public func liftLegalHold(customer: String, caseReference: String, actor: Caller) throws -> LegalHoldRelease {
        try requireOfficerAudited(actor, step: "legal hold lift")
        try Self.checkCaseReference(caseReference)
        let subject = try heldCustomer(customer)
        let left = try controls.liftLegalHold(of: subject, caseReference: caseReference, actor: actor)
        var release = LegalHoldRelease(holdsLeft: left, erasuresCompleted: [])
        guard left == 0 else { return release }
        for record in try workspace.registers.registerRecords(kind: DocumentKind.deferredErasure) where record.summary == "pending" {
            let deferred = String(decoding: try openRegister(record.sealed, kind: DocumentKind.deferredErasure, id: record.id), as: UTF8.self)
            guard deferred == subject.hex else { continue }
            _ = try erase(subject, for: try loadRequest(record.id), actor: actor)
            try workspace.registers.putRegisterRecord(kind: DocumentKind.deferredErasure, id: record.id, summary: "done",
                                                      sealed: try sealRegister([], kind: DocumentKind.deferredErasure, id: record.id))
            release.erasuresCompleted.append(record.id)
        }
        return release
    }

    /// Remembers (sealed) that `request` must erase `subject` once the hold ends.
    func deferErasure(of subject: SubjectID, request: DataSubjectRequest) throws {
        let id = request.id.rawValue
        try workspace.registers.putRegisterRecord(kind: DocumentKind.deferredErasure, id: id, summary: "pending",
                                                  sealed: try sealRegister(Array(subject.hex.utf8), kind: DocumentKind.deferredErasure, id: id))
    }

    func heldCustomer(_ customer: String) throws -> SubjectID {
        guard let subject = try lookupSubject(identifierColumn: customer.contains("@") ? "email" : "customer_id", value: customer) else {
            throw EngineError.notFound("no customer matches that reference")
        }
        return subject
    }

    /// `requireOfficer`, with the refusal audited (who tried which step; no customer reference).
    func requireOfficerAudited(_ actor: Caller, step: String, action: AuditAction = .consentChange) throws {
        do {
            try requireOfficer(actor)
        } catch {
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: action, decision: .deny,
                                  reason: "\(step): only an authenticated compliance officer can take this step", policyVersion: policies.version))
            throw error
        }
    }
}
