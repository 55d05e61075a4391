import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation

/// The consent ledger: records sealed under each subject's key, appended, never overwritten.
public struct ConsentService: EngineService {
    package let context: EngineContext
}

/// What a consent import stored.
public struct ConsentImportSummary: Sendable, Equatable {
    /// Records stored.
    public let records: Int
    /// Customers they belong to.
    public let subjects: Int
    /// Records not stored because the customer's ledger (or the file, earlier) already holds an
    /// identical one: importing the same export twice stores it once.
    public let duplicates: Int
}

extension ConsentService {
    /// Imports consent records from CSV or JSON Lines. Identifiers are resolved by blind index; a
    /// row whose customer is unknown is an error. Like ingest, the file commits whole or not at all,
    /// and there is no way to skip bad rows (a skipped withdrawal would leave its grant in force).
    /// Identical records are stored once. Time is linear in the records: each customer is looked
    /// up once and each ledger read once, in one write transaction.
    /// `actor` must be an authenticated principal whose role may `consent.import`; refusals are audited.
    /// `limits` bound the file, its fields and the records per customer (``InputLimits``).
    public func importConsents(file: URL, identifierColumn: String = "customer_id", limits: InputLimits = .standard,
                               actor: Caller) throws -> ConsentImportSummary {
        try authorize(actor, .consentImport, audited: .consentChange, details: ["file": file.lastPathComponent])
        // Bytes, not a decoded String: invalid UTF-8 must be refused with its line, not replaced silently.
        let bytes: [UInt8]
        do { bytes = try limits.readFile(file) } catch let error as IngestError {
            if case .unreadable = error { throw EngineError.invalidRequest("cannot read \(file.lastPathComponent)") }
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, decision: .deny,
                                  reason: "consent import rejected: the file is larger than the limit", policyVersion: policies.version, rows: 0))
            throw error
        }
        let importer = ConsentImporter(purposes: policies.purposes, identifierField: identifierColumn)
        let parsed = file.pathExtension.lowercased() == "csv"
            ? importer.parseCSV(bytes: bytes, maxFieldBytes: limits.maxFieldBytes)
            : importer.parseJSONLines(bytes: bytes, maxFieldBytes: limits.maxFieldBytes)
        var problems = parsed.errors.map { RowProblem(file: file.lastPathComponent, line: $0.line, reason: $0.message) }
        var resolved: [(SubjectID, ConsentImportRow)] = []
        var cache: [String: SubjectID?] = [:]
        var perCustomer: [SubjectID: Int] = [:]
        for row in parsed.rows {
            let subject: SubjectID?
            if let known = cache[row.identifier] { subject = known } else {
                subject = try self.lookupSubject(identifierColumn: identifierColumn, value: row.identifier)
                cache[row.identifier] = subject
            }
            guard let subject else {
                problems.append(RowProblem(file: file.lastPathComponent, line: row.line, reason: "no customer with this \(identifierColumn); ingest the customer first"))
                continue
            }
            perCustomer[subject, default: 0] += 1
            guard perCustomer[subject, default: 0] <= limits.maxRowsPerCustomer else {
                problems.append(RowProblem(file: file.lastPathComponent, line: row.line, reason: limits.rowsMessage))
                continue
            }
            resolved.append((subject, row))
        }
        guard problems.isEmpty else {
            let total = parsed.rows.count + parsed.errors.count
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, decision: .deny,
                                  reason: "consent import rejected: \(problems.count) of \(total) rows invalid", policyVersion: policies.version,
                                  rows: 0, details: ["rows_read": String(total)]))
            throw IngestError.consentRejected(file: file.lastPathComponent, problems: problems.sorted { $0.line < $1.line },
                                              totalRows: parsed.rows.count + parsed.errors.count)
        }
        var tally: [String: Int] = [:]
        var documents: [(subject: SubjectID, bytes: [UInt8])] = []
        documents.reserveCapacity(resolved.count)
        for (subject, row) in resolved {
            documents.append((subject, row.record(subject: subject.hex).encoded()))
            tally["\(row.purpose):\(row.action.rawValue)", default: 0] += 1
        }
        let stored = try workspace.vault.appendDocuments(documents, kind: DocumentKind.consent, identity: ConsentRecord.identity(ofEncoded:))
        let subjects = Set(resolved.map(\.0)).count
        var details = tally.mapValues(String.init)
        details["source_digest"] = "sha256:" + SHA256.hash(bytes).hexString
        details["duplicates"] = String(stored.duplicates)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, decision: .allow,
                              reason: "consent import", policyVersion: policies.version, subjectCount: Int64(subjects),
                              rows: Int64(stored.appended), details: details))
        return ConsentImportSummary(records: stored.appended, subjects: subjects, duplicates: stored.duplicates)
    }

    /// Records one consent event (grant or withdrawal) for a customer, as easy one way as the other.
    /// `actor` must be an authenticated principal whose role may `consent.record`; the decision comes
    /// before the customer is looked up, so a refusal says nothing about who is a customer.
    public func recordConsent(
        identifierColumn: String = "customer_id", identifier: String, purpose key: String, action: ConsentAction,
        language: String, channel: String, collector: String, separate: Bool = false, actor: Caller
    ) throws -> ConsentRecord {
        try authorize(actor, .consentRecord, audited: .consentChange, purpose: key, details: ["action": action.rawValue, "channel": channel])
        guard let purpose = policies.purposes[key] else {
            throw EngineError.invalidRequest("unknown purpose '\(key)'; declared purposes: \(policies.purposes.entries.keys.sorted().joined(separator: ", "))")
        }
        guard let subject = try lookupSubject(identifierColumn: identifierColumn, value: identifier) else {
            throw EngineError.notFound("no customer with this \(identifierColumn)")
        }
        let consent = ConsentRecord(subject: subject.hex, purpose: key, purposeVersion: purpose.version, action: action,
                                   noticeVersion: purpose.notice.version, noticeSHA256: purpose.notice.sha256, language: language,
                                   time: clock(), channel: channel, collector: collector, separateConsent: separate)
        try workspace.vault.appendDocument(consent.encoded(), kind: DocumentKind.consent, subject: subject)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .consentChange, purpose: key,
                              decision: .allow, reason: "consent \(action.rawValue)", policyVersion: policies.version,
                              subjects: [pseudonymForAudit(subject)], subjectCount: 1,
                              details: ["action": action.rawValue, "purpose_version": String(purpose.version), "channel": channel]))
        return consent
    }
}
