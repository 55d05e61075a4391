import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation

extension Engine {
    /// Ingests a file and records an `ingest.batch` audit entry with counts only. `actor` must be an
    /// authenticated principal whose role may `ingest` (the operator); refusals are audited.
    /// `limits` bound the file, its fields and the rows per customer (``InputLimits``).
    public func ingest(file: URL, dataset name: String, badRows: BadRowPolicy = .rejectBatch, limits: InputLimits = .standard, actor: Caller,
                       progress: ((Double) -> Void)? = nil) throws -> IngestReport {
        try authorize(actor, .ingest, audited: .ingestBatch, dataset: name, details: ["file": file.lastPathComponent])
        let dataset = try workspace.catalog.dataset(name)
        do {
            let report = try IngestService(vault: workspace.vault).ingest(file: file, dataset: dataset, badRows: badRows, limits: limits, progress: progress)
            let o = report.outcome
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .ingestBatch, dataset: name,
                                  decision: .allow, subjectCount: Int64(o.subjectsTouched), rows: Int64(o.rowsAdded),
                                  resultDigest: "sha256:" + report.sourceDigest,
                                  details: ["rows_read": String(o.rowsRead), "duplicates": String(o.duplicates),
                                            "new_subjects": String(o.newSubjects), "merged_subjects": String(o.mergedSubjects),
                                            "skipped_rows": String(report.skipped.count)]))
            return report
        } catch let error as IngestError {
            if case let .rejected(_, problems, total) = error {
                try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .ingestBatch, dataset: name,
                                      decision: .deny, reason: "batch rejected: \(problems.count) of \(total) rows invalid",
                                      rows: 0, details: ["rows_read": String(total)]))
            } else if case .tooLarge = error {
                try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .ingestBatch, dataset: name,
                                      decision: .deny, reason: "batch rejected: the file is larger than the limit", rows: 0))
            }
            throw error
        }
    }

    /// Rotates the key-encryption key and records it. `actor` must be an authenticated principal whose
    /// role may `keys.rotate` (the operator); refusals are audited and change nothing.
    public func rotateKeys(passphrase: String?, actor: Caller) throws -> (version: Int, rewrapped: Int) {
        try authorize(actor, .keysRotate, audited: .keyRotate)
        let result = try workspace.rotateKeys(passphrase: passphrase)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .keyRotate, decision: .allow,
                              subjectCount: Int64(result.rewrapped), details: ["kek_version": String(result.version)]))
        return result
    }

    /// Records the creation of a workspace's keys (called once after `init`).
    public func recordInitialisation(actor: Caller = .localOperator) throws {
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .keyInit, decision: .allow,
                              details: ["kek_version": String(workspace.keys.currentVersion), "audit_key": "keys/audit.pub"]))
    }

    /// Verifies the whole audit log with the workspace's public key and the anchor in the store. Read-only:
    /// it neither appends nor signs (a verifier that signs would seal whatever it was shown).
    public func verifyAudit(witnesses: [CosignerKey] = [], externalCheckpoints: [[UInt8]] = []) throws -> AuditVerificationResult {
        try Engine.readOnlyAudit(workspace).verify(witnesses: witnesses, externalCheckpoints: externalCheckpoints)
    }

    /// The subject a customer identifier belongs to (blind-index lookup), or nil when none does.
    public func subject(identifierColumn column: String, value: String) throws -> SubjectID? {
        try lookupSubject(identifierColumn: column, value: value)
    }
}
