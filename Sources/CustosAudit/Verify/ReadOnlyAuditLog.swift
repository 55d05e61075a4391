import CustosCrypto
import Foundation

/// The audit log as verifiers and read-only commands see it: a directory, the log's public key and
/// origin, and the anchored checkpoint. It holds no signing key and opens every file read-only without
/// taking the writer lock, so nothing done through it can append, sign, truncate or repair.
public struct ReadOnlyAuditLog: Sendable {
    /// The audit directory.
    public let directory: URL
    /// The log's public key under its origin.
    public let verifierKey: NoteVerifierKey
    /// The signed checkpoint recorded outside `audit/`, if any.
    public let anchoredCheckpoint: [UInt8]?

    /// A read-only view of `directory`. `anchor` is only ever loaded, never stored to.
    public init(directory: URL, publicKey: Curve25519.Signing.PublicKey, origin: String,
                anchor: (any CheckpointAnchor)? = nil) throws(AuditError) {
        self.directory = directory
        verifierKey = try NoteVerifierKey(name: origin, publicKey: publicKey)
        if let anchor {
            do {
                anchoredCheckpoint = try anchor.load().map { Array($0.utf8) }
            } catch {
                throw .anchorUnavailable(location: anchor.location, reason: "\(error)")
            }
        } else {
            anchoredCheckpoint = nil
        }
    }

    /// Verifies everything (see `AuditVerifier.verify`), including the anchor and, when given, witness
    /// cosignatures and checkpoints kept elsewhere (signed notes or witness state files).
    public func verify(witnesses: [CosignerKey] = [], externalCheckpoints: [[UInt8]] = [])
        throws(AuditError) -> AuditVerificationResult
    {
        try AuditVerifier.verify(directory: directory, publicKey: verifierKey.publicKey, origin: verifierKey.name,
                                 externalCheckpoints: externalCheckpoints,
                                 anchoredCheckpoint: anchoredCheckpoint, witnesses: witnesses)
    }

    /// Entries whose time lies in `interval` (all if nil), in log order.
    public func entries(in interval: DateInterval? = nil) throws(AuditError) -> [AuditEntry] {
        try AuditLogReader(directory: directory).entries(in: interval)
    }

    /// A prover over the current entries.
    public func prover() throws(AuditError) -> AuditProver {
        try AuditProver(directory: directory, publicKey: verifierKey.publicKey, origin: verifierKey.name)
    }

    /// The latest checkpoint whose signature verifies, if any.
    public func latestCheckpoint() throws(AuditError) -> Checkpoint? {
        try AuditLogReader(directory: directory).checkpoints(verifier: verifierKey).last
    }
}

extension Witness {
    /// The checkpoint note in `bytes`: the bytes themselves, or the `checkpoint` of a witness state file.
    public static func checkpointNote(in bytes: [UInt8]) -> [UInt8] {
        guard bytes.first == UInt8(ascii: "{") else { return bytes }
        let trimmed = bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes
        guard let value = try? JSONParser.parse(trimmed), let note = value.objectValue?["checkpoint"]?.stringValue
        else { return bytes }
        return Array(note.utf8)
    }
}
