import Foundation

/// A witness: cosigns a log's checkpoints only if each is consistent with the last one it cosigned,
/// so truncation, rollback and rewrites of the log become detectable by anyone who trusts the witness.
///
/// It keeps its own state file (outside the log's workspace): the log key it pinned on first use and
/// the last checkpoint it cosigned. It refuses a smaller checkpoint (rollback), a different root at the
/// same size, or a larger one without a valid consistency proof (fork), and never changes its state then.
public struct Witness: Sendable {
    /// The witness's signing key.
    public let cosigner: WitnessCosigner
    /// The state file (JSON: pinned log key and last cosigned checkpoint).
    public let statePath: String

    /// A witness using `cosigner` and the state in `stateFile`.
    public init(cosigner: WitnessCosigner, stateFile: URL) {
        self.cosigner = cosigner
        statePath = stateFile.standardizedFileURL.path
    }

    /// What the witness remembers: the log key it pinned and the last checkpoint it cosigned.
    public struct State: Sendable, Equatable {
        /// The log's verifier key, pinned on first use.
        public let logKey: NoteVerifierKey
        /// The last cosigned checkpoint (its note carries the cosignature).
        public let checkpoint: Checkpoint
    }

    /// The saved state, or nil before the first cosignature.
    public func state() throws(AuditError) -> State? {
        guard FileIO.exists(statePath) else { return nil }
        let bytes = try FileIO.read(statePath)
        let trimmed = bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes
        guard let value = try? JSONParser.parse(trimmed), let o = value.objectValue, o["version"]?.integerValue == 1,
              let keyText = o["log_key"]?.stringValue, let note = o["checkpoint"]?.stringValue
        else { throw .witnessUnusable(reason: "the witness state file \(statePath) is not a witness state") }
        let key = try NoteVerifierKey(verifierKey: keyText)
        let checkpoint = try Checkpoint(parsing: Array(note.utf8), file: statePath, verifier: key)
        guard case .valid = cosigner.key.status(of: try SignedNote(parsing: Array(note.utf8), file: statePath)) else {
            throw .witnessUnusable(reason: "the witness state file \(statePath) holds no valid cosignature by this "
                                   + "witness (altered, or another witness's state)")
        }
        return State(logKey: key, checkpoint: checkpoint)
    }

    /// Cosigns `checkpointNote` (signed by `logKey`) and returns the note with the cosignature line added.
    ///
    /// - Parameters:
    ///   - proof: a consistency proof from the last cosigned size to this checkpoint's size; needed when
    ///     both are non-zero and differ. It is checked against the two signed roots, so the party that
    ///     supplies it (the log's host) need not be trusted.
    ///   - now: the cosigning time.
    public func cosign(checkpointNote: [UInt8], logKey: NoteVerifierKey, proof: ConsistencyProof?,
                       now: Date = Date()) throws(AuditError) -> String {
        let offered = try Checkpoint(parsing: checkpointNote, file: "offered checkpoint", verifier: logKey)
        if let last = try state() {
            guard last.logKey == logKey else {
                throw .witnessUnusable(reason: "this witness pinned the log key \(last.logKey.verifierKeyText) and is "
                                       + "offered a checkpoint for \(logKey.verifierKeyText); a witness follows one log")
            }
            let old = last.checkpoint
            if offered.size < old.size {
                throw .witnessRollback(witnessedSize: old.size, offeredSize: offered.size)
            }
            if offered.size == old.size, offered.rootHash != old.rootHash {
                throw .witnessFork(witnessedSize: old.size, offeredSize: offered.size,
                                   reason: "same size, different root hash")
            }
            if offered.size > old.size, old.size > 0 {
                guard let proof else {
                    throw .witnessFork(witnessedSize: old.size, offeredSize: offered.size,
                                       reason: "no consistency proof was supplied")
                }
                guard proof.fromSize == old.size, proof.toSize == offered.size,
                      proof.verify(fromRoot: old.rootHash, toRoot: offered.rootHash)
                else {
                    throw .witnessFork(witnessedSize: old.size, offeredSize: offered.size,
                                       reason: "the consistency proof does not link the two signed roots")
                }
            }
        }
        let note = try SignedNote(parsing: checkpointNote, file: "offered checkpoint")
        let seconds = UInt64(max(0, now.timeIntervalSince1970.rounded(.down)))
        let line = try cosigner.cosignatureLine(checkpointText: note.text, timestamp: seconds)
        let others = note.signatures.filter { !($0.keyName == cosigner.key.name && $0.keyID == cosigner.key.keyID) }
        let cosigned = note.text + "\n" + others.map(\.line).joined() + line
        let state = JSONValue.object(["version": .integer(1), "log_key": .string(logKey.verifierKeyText),
                                      "checkpoint": .string(cosigned)])
        try FileIO.writeAtomically(statePath, CanonicalJSON.encode(state) + [0x0A], mode: 0o600)
        return cosigned
    }
}

extension SignedNote.Signature {
    /// The signature line as it appears in a note.
    var line: String {
        let id = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xFF), UInt8(keyID >> 8 & 0xFF), UInt8(keyID & 0xFF)]
        return "\u{2014} " + keyName + " " + Data(id + signature).base64EncodedString() + "\n"
    }
}

extension AuditLog {
    /// Stores a cosigned checkpoint in `directory`'s `checkpoints/` (replacing the file of that size), after
    /// checking that the log's own signature on it verifies. Takes the writer lock while writing.
    public static func attachCosignedCheckpoint(directory: URL, note: String, verifier: NoteVerifierKey,
                                                lockTimeout: TimeInterval = 30) throws(AuditError) -> String {
        let checkpoint = try Checkpoint(parsing: Array(note.utf8), file: "cosigned checkpoint", verifier: verifier)
        let paths = AuditPaths(directory)
        let lock = try WriterLock(path: paths.lock, directory: paths.root, timeout: lockTimeout)
        defer { lock.release() }
        let file = paths.checkpoint(size: checkpoint.size)
        try FileIO.writeAtomically(file.path, Array(note.utf8))
        return AuditLayout.checkpointsFolder + "/" + file.name
    }
}
