import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation

/// The consent ledger: records sealed under each subject's key, appended, never overwritten.
extension Engine {
    static let consentKind = "consent"
    static let stateKind = "state"

    /// Imports consent records from CSV or JSON Lines. Identifiers are resolved by blind index; a
    /// row whose customer is unknown is an error. Like ingest, the file commits whole or not at all.
    public func importConsents(file: URL, identifierColumn: String = "customer_id", actor: Caller = .localOperator) throws -> (records: Int, subjects: Int) {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw EngineError.invalidRequest("cannot read \(file.lastPathComponent)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let importer = ConsentImporter(purposes: policies.purposes, identifierField: identifierColumn)
        let parsed = file.pathExtension.lowercased() == "csv" ? importer.parseCSV(text) : importer.parseJSONLines(text)
        var problems = parsed.errors.map { RowProblem(file: file.lastPathComponent, line: $0.line, reason: $0.message) }
        var resolved: [(SubjectID, ConsentImportRow)] = []
        var cache: [String: SubjectID?] = [:]
        for row in parsed.rows {
            let subject: SubjectID?
            if let known = cache[row.identifier] { subject = known } else {
                subject = try self.subject(identifierColumn: identifierColumn, value: row.identifier)
                cache[row.identifier] = subject
            }
            guard let subject else {
                problems.append(RowProblem(file: file.lastPathComponent, line: row.line, reason: "no customer with this \(identifierColumn); ingest the customer first"))
                continue
            }
            resolved.append((subject, row))
        }
        guard problems.isEmpty else {
            throw IngestError.rejected(file: file.lastPathComponent, problems: problems.sorted { $0.line < $1.line },
                                       totalRows: parsed.rows.count + parsed.errors.count)
        }
        var tally: [String: Int] = [:]
        for (subject, row) in resolved {
            try workspace.vault.appendDocument(row.record(subject: subject.hex).encoded(), kind: Engine.consentKind, subject: subject)
            tally["\(row.purpose):\(row.action.rawValue)", default: 0] += 1
        }
        let subjects = Set(resolved.map(\.0)).count
        var details = tally.mapValues(String.init)
        details["source_digest"] = "sha256:" + SHA256.hash([UInt8](data)).hexString
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, decision: .allow,
                              reason: "consent import", policyVersion: policies.version, subjectCount: Int64(subjects),
                              rows: Int64(resolved.count), details: details))
        return (resolved.count, subjects)
    }

    /// Records one consent event (grant or withdrawal) for a customer, as easy one way as the other.
    public func recordConsent(
        identifierColumn: String = "customer_id", identifier: String, purpose key: String, action: ConsentAction,
        language: String, channel: String, collector: String, separate: Bool = false, actor: Caller
    ) throws -> ConsentRecord {
        guard let purpose = policies.purposes.purpose(key) else {
            throw EngineError.invalidRequest("unknown purpose '\(key)'; declared purposes: \(policies.purposes.purposes.keys.sorted().joined(separator: ", "))")
        }
        guard let subject = try subject(identifierColumn: identifierColumn, value: identifier) else {
            throw EngineError.notFound("no customer with this \(identifierColumn)")
        }
        let consent = ConsentRecord(subject: subject.hex, purpose: key, purposeVersion: purpose.version, action: action,
                                   noticeVersion: purpose.notice.version, noticeSHA256: purpose.notice.sha256, language: language,
                                   time: clock(), channel: channel, collector: collector, separateConsent: separate)
        try workspace.vault.appendDocument(consent.encoded(), kind: Engine.consentKind, subject: subject)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, purpose: key,
                              decision: .allow, reason: "consent \(action.rawValue)", policyVersion: policies.version,
                              subjects: [pseudonymForAudit(subject)], subjectCount: 1,
                              details: ["action": action.rawValue, "purpose_version": String(purpose.version), "channel": channel]))
        return consent
    }

    /// Replaces a subject's processing state (restriction, objections, legal holds) and records it.
    /// `grant` comes from a subject-scoped decision for the acting officer.
    func updateProcessingState(
        _ subject: SubjectID, grant: AccessGrant, actor: Caller, reason: String, _ change: (inout SubjectProcessingState) -> Void
    ) throws {
        var state = try processingStates(grant: grant, subjects: [subject])[subject] ?? SubjectProcessingState()
        change(&state)
        try workspace.vault.replaceDocument(state.encoded(), kind: Engine.stateKind, subject: subject)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, decision: .allow,
                              reason: reason, policyVersion: policies.version, subjects: [pseudonymForAudit(subject)], subjectCount: 1,
                              details: ["restricted": state.restriction == nil ? "false" : "true",
                                        "objections": state.objections.map(\.purposes).joined(separator: ","),
                                        "legal_holds": String(state.legalHolds.count)]))
    }

    /// Consent records of subjects, read under a grant from the decision point.
    func consentRecords(grant: AccessGrant, subjects: Set<SubjectID>? = nil) throws -> [SubjectID: [ConsentRecord]] {
        try workspace.vault.documents(kind: Engine.consentKind, grant: grant, subjects: subjects)
            .mapValues { try $0.map { try ConsentRecord(bytes: $0) } }
    }

    func processingStates(grant: AccessGrant, subjects: Set<SubjectID>? = nil) throws -> [SubjectID: SubjectProcessingState] {
        try workspace.vault.documents(kind: Engine.stateKind, grant: grant, subjects: subjects)
            .compactMapValues { try $0.last.map { try SubjectProcessingState(bytes: $0) } }
    }

    /// A keyed digest of a subject for audit entries: stable within this workspace, meaningless outside.
    func pseudonymForAudit(_ subject: SubjectID) -> String {
        "a_" + Array(HMACSHA256.authenticationCode(for: subject.bytes, using: auditPseudonymKey).prefix(12)).hexString
    }
}
