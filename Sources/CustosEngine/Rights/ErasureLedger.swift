import CustosAudit
import CustosGovernance
import CustosCrypto
import CustosVault
import Foundation

/// Makes erasure survive restoring a backup taken before it. Crypto-shredding destroys a subject's
/// data key, but an old copy of `keys/keystore.sqlite` (with `data/vault.sqlite`) still holds it. So
/// the record of every erasure lives where a restore of data and keys does not reach: the signed,
/// anchored audit log. Each `key.shred` entry carries the erased subject's id sealed under a key from
/// the KEK hierarchy (`erased_subject`; never the id in clear, never personal data).
///
/// On every open the engine reads the log appended since it last looked (a resume point kept, sealed,
/// in the store's settings) and checks every erased subject: if their key or records are back, it
/// shreds them again and audits that. A restored store brings back an older resume point, so the
/// log is re-read from there; a restored key store alone is caught by the check itself.
///
/// What it cannot do: if `audit/` is rolled back together with the data and keys, the erasure entries
/// go too; only a witness cosignature (`custos audit witness`) detects that rollback.
struct ErasureLedger: EngineService {
    let context: EngineContext

    static let settingName = "erasure_ledger"
    /// The audit detail holding the sealed subject id.
    static let detailKey = "erased_subject"

    /// One erasure as the ledger remembers it.
    struct Erasure: Codable, Hashable, Sendable {
        var subject: String
        var request: String
        var tombstone: String
    }

    struct State: Codable, Sendable {
        var resume = AuditLogReader.ResumePoint.start
        var erasures: [Erasure] = []
    }

    var key: SymmetricKey { get throws { try workspace.keys.derivedKey(label: "custos/erasure-ledger/v1") } }

    // MARK: The sealed subject id in audit entries

    func sealedSubject(_ subject: SubjectID, request: String) throws -> String {
        Data(try AES.GCM.seal(subject.bytes, using: key, authenticating: Array("custos/erasure-ledger/v1/\(request)".utf8)).combined)
            .base64EncodedString()
    }

    func openSubject(_ sealed: String, request: String) -> SubjectID? {
        guard let bytes = Data(base64Encoded: sealed),
              let box = try? AES.GCM.SealedBox(combined: [UInt8](bytes)),
              let key = try? key,
              let plain = try? AES.GCM.open(box, using: key, authenticating: Array("custos/erasure-ledger/v1/\(request)".utf8))
        else { return nil }
        return SubjectID(bytes: plain)
    }

    // MARK: State (sealed, in the store's settings)

    func load() throws -> State {
        guard let text = try workspace.settings.setting(Self.settingName), let bytes = Data(base64Encoded: text),
              let box = try? AES.GCM.SealedBox(combined: [UInt8](bytes)),
              let plain = try? AES.GCM.open(box, using: try key, authenticating: Array("custos/erasure-ledger/v1/state".utf8)),
              let state = try? JSONDecoder().decode(State.self, from: Data(plain))
        else {
            // Missing or unreadable (altered, or from another workspace): re-read the whole log.
            return State()
        }
        return state
    }

    func save(_ state: State) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let sealed = try AES.GCM.seal([UInt8](try encoder.encode(state)), using: try key,
                                      authenticating: Array("custos/erasure-ledger/v1/state".utf8))
        try workspace.settings.setSetting(Self.settingName, Data(sealed.combined).base64EncodedString())
    }

    /// Adds an erasure just written to the log (so the check holds before the next full read).
    func remember(_ subject: SubjectID, request: String, tombstone: String) throws {
        var state = try load()
        let erasure = Erasure(subject: subject.hex, request: request, tombstone: tombstone)
        if !state.erasures.contains(erasure) { state.erasures.append(erasure) }
        try save(state)
    }

    // MARK: Enforcement on open

    /// Reads the log appended since the last call, then shreds again every erased subject whose key
    /// or records are back; each re-shredding is audited. Returns the erasures re-applied.
    @discardableResult
    func enforce() throws -> [Erasure] {
        var state = try load()
        let loaded = (state.resume, state.erasures.count)
        var known = Set(state.erasures)
        let marker = Array("\"\(Self.detailKey)\"".utf8)
        do {
            state.resume = try AuditLogReader(directory: workspace.auditDirectory).forEachLine(from: state.resume) { (location, line) throws(AuditError) in
                // Only `key.shred` entries carry the detail; parse just those lines.
                guard PlaintextProbe.contains([UInt8](line), marker) else { return }
                let entry = try AuditEntry(line: line.assumingMemoryBound(to: UInt8.self), location: location.description)
                guard entry.action == .keyShred, let request = entry.requestID, let sealed = entry.details[Self.detailKey],
                      let subject = openSubject(sealed, request: request)
                else { return }
                let erasure = Erasure(subject: subject.hex, request: request, tombstone: entry.resultDigest ?? "")
                if known.insert(erasure).inserted { state.erasures.append(erasure) }
            }
        } catch {
            throw EngineError.auditUnavailable("the erasure ledger could not be read from the audit log: \(error)")
        }
        var reapplied: [Erasure] = []
        for erasure in state.erasures {
            guard let subject = SubjectID(hex: erasure.subject) else { continue }
            let keyBack = !(try workspace.keys.dataKeys(for: [subject]).isEmpty)
            let blocks = try workspace.records.blocks(of: subject)
            guard keyBack || !blocks.isEmpty else { continue }
            // Audit first: if shredding is interrupted, the entry is there and the next open finishes it.
            try record(AuditEntry(time: clock(), actor: Caller.localOperator.principal, role: "operator", action: .keyShred, decision: .allow,
                                  reason: "erasure re-applied: the subject's \(keyBack ? "data key" : "records") came back (a backup from before the erasure was restored)",
                                  policyVersion: policies.version, rows: Int64(blocks.map(\.rowCount).reduce(0, +)), requestID: erasure.request,
                                  resultDigest: erasure.tombstone.isEmpty ? nil : erasure.tombstone,
                                  details: ["reapplied": "true", "key_was_back": keyBack ? "true" : "false", "blocks_back": String(blocks.count)]))
            try workspace.vault.erase(subject: subject, requestDigest: erasure.tombstone.isEmpty ? "reapplied:\(erasure.request)" : erasure.tombstone,
                                      now: clock())
            reapplied.append(erasure)
        }
        if reapplied.isEmpty && loaded == (state.resume, state.erasures.count) { return [] }
        // The resume point moves past the entries just written too (they carry no new erasure).
        state.resume = try AuditLogReader(directory: workspace.auditDirectory).forEachLine(from: state.resume) { (_, _) throws(AuditError) in }
        try save(state)
        return reapplied
    }
}
