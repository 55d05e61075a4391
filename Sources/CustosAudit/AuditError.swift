import Foundation

/// Everything that can go wrong in the audit log, with a message that says what happened and what to do.
///
/// Messages never contain entry contents or key material: only file names, line numbers, entry
/// indices, tree sizes and the like.
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The log origin (the first checkpoint line and signing key name) is not acceptable.
    case invalidOrigin(reason: String)
    /// An entry cannot be written as given (for example a negative epsilon or an empty actor).
    case invalidEntry(reason: String)
    /// An entry's canonical JSON exceeds the per-entry size limit.
    case entryTooLarge(bytes: Int, limit: Int)
    /// A stored entry line could not be decoded.
    case malformedEntry(location: String, reason: String)
    /// Another process (or another `AuditLog` in this process) holds the log's writer lock.
    case logLocked(directory: String, waitedSeconds: Double)
    /// The log was closed; appends and checkpoints are no longer accepted.
    case logClosed
    /// An earlier write or fsync failed; the in-memory state can no longer be trusted.
    case logFailed(reason: String)
    /// A file-system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// A signed checkpoint covers more entries than the segment files hold: entries were lost or removed.
    case checkpointAheadOfLog(checkpoint: String, checkpointSize: UInt64, entriesFound: UInt64)
    /// A checkpoint does not match the entries or the persisted Merkle state.
    case checkpointMismatch(checkpoint: String, reason: String)
    /// A checkpoint file is not a well-formed signed checkpoint, or its signature does not verify.
    case malformedCheckpoint(file: String, reason: String)
    /// A segment file is damaged somewhere other than a torn final line.
    case corruptSegment(segment: String, line: Int, reason: String)
    /// The persisted Merkle state file is unreadable.
    case malformedState(reason: String)
    /// The directory is not a Custos audit log of a supported format version.
    case unsupportedFormat(reason: String)
    /// A proof was requested for sizes or indices that do not exist.
    case invalidProofRequest(reason: String)
    /// A proof's text or JSON could not be parsed.
    case malformedProof(reason: String)

    public var description: String {
        switch self {
        case .invalidOrigin(let reason):
            return "invalid audit log origin: \(reason). Use a schema-less URL such as 'example.com/custos/audit' "
                + "(no spaces, no '+')."
        case .invalidEntry(let reason):
            return "audit entry rejected: \(reason). Fix the caller; nothing was written."
        case .entryTooLarge(let bytes, let limit):
            return "audit entry is \(bytes) bytes, over the \(limit)-byte limit. Record a digest or a count "
                + "instead of long lists; nothing was written."
        case .malformedEntry(let location, let reason):
            return "audit entry at \(location) cannot be decoded: \(reason). Run `custos audit verify` to see "
                + "whether the log was altered."
        case .logLocked(let directory, let waited):
            return "the audit log in \(directory) is locked by another writer (waited \(waited) s). Wait for the "
                + "other Custos command to finish, or stop the running server, then retry."
        case .logClosed:
            return "the audit log was closed. Open it again to append."
        case .logFailed(let reason):
            return "the audit log stopped accepting entries after a storage failure (\(reason)). Fix the storage "
                + "problem, then open the log again: recovery will truncate any torn entry and record it."
        case .io(let operation, let path, let code):
            return "\(operation) failed on \(path): \(String(cString: strerror(code))) (errno \(code)). Check the "
                + "disk, permissions and free space."
        case .checkpointAheadOfLog(let checkpoint, let size, let found):
            return "signed checkpoint \(checkpoint) covers \(size) entries but the segment files hold only \(found). "
                + "Entries that were already signed are missing: restore the audit directory from backup and run "
                + "`custos audit verify`; do not append to this log until then."
        case .checkpointMismatch(let checkpoint, let reason):
            return "checkpoint \(checkpoint) does not match the log: \(reason). The log may have been altered: run "
                + "`custos audit verify` and restore from backup if it fails."
        case .malformedCheckpoint(let file, let reason):
            return "checkpoint \(file) is not valid: \(reason). Run `custos audit verify`; if the file was damaged, "
                + "restore it from backup."
        case .corruptSegment(let segment, let line, let reason):
            return "segment \(segment) line \(line) is damaged: \(reason). Run `custos audit verify` and restore "
                + "the segment from backup."
        case .malformedState(let reason):
            return "the persisted Merkle state is unreadable (\(reason)). Delete audit/merkle-state.json; the next "
                + "open rebuilds it from the entries."
        case .unsupportedFormat(let reason):
            return "not a supported Custos audit directory: \(reason)."
        case .invalidProofRequest(let reason):
            return "cannot build that proof: \(reason)."
        case .malformedProof(let reason):
            return "the proof cannot be read: \(reason)."
        }
    }
}
