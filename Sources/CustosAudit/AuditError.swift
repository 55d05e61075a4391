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
    /// The checkpoint anchor (kept outside `audit/`) cannot be read, written or verified.
    case anchorUnavailable(location: String, reason: String)
    /// The anchor records a signed checkpoint newer than any left in `audit/checkpoints/`: checkpoints
    /// were deleted or an older copy of `audit/` was restored.
    case signedCheckpointsMissing(anchoredSize: UInt64, anchoredRoot: String, latestCheckpointSize: UInt64?,
                                  location: String)
    /// The entries no longer reproduce the root the anchor recorded for its size.
    case anchorMismatch(anchoredSize: UInt64, location: String, reason: String)
    /// Entries exist but neither a checkpoint nor an anchor says what was signed.
    case unsignedLog(entries: UInt64, location: String)
    /// The witness refuses a checkpoint smaller than the one it cosigned last.
    case witnessRollback(witnessedSize: UInt64, offeredSize: UInt64)
    /// The witness refuses a checkpoint that is not an extension of the one it cosigned last.
    case witnessFork(witnessedSize: UInt64, offeredSize: UInt64, reason: String)
    /// The witness key, its state file or the offered checkpoint cannot be used.
    case witnessUnusable(reason: String)

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
        case .anchorUnavailable(let location, let reason):
            return "the audit checkpoint anchor (\(location)) cannot be used: \(reason). Nothing was written or "
                + "signed. Restore the anchor and audit/ from the same backup, then run `custos audit verify`."
        case .signedCheckpointsMissing(let size, let root, let latest, let location):
            let found = latest.map { "holds checkpoints only up to size \($0)" } ?? "holds no checkpoint at all"
            return "the workspace anchor (\(location)) records a signed checkpoint of \(size) entries (root \(root)), "
                + "but audit/checkpoints/ \(found): signed checkpoints were deleted or an older copy of audit/ was "
                + "restored, so entries up to \(size) can no longer be proven unaltered. Nothing was written or signed. "
                + "Restore audit/ from a backup whose checkpoints reach size \(size) and run `custos audit verify`; "
                + "check it against your witness's last cosigned checkpoint."
        case .anchorMismatch(let size, let location, let reason):
            return "the first \(size) entries do not match the signed root recorded in the workspace anchor "
                + "(\(location)): \(reason). Signed entries were altered, removed or reordered. Nothing was written "
                + "or signed. Restore audit/ from a backup that verifies and run `custos audit verify`."
        case .unsignedLog(let entries, let location):
            return "the audit log holds \(entries) entries but no signed checkpoint, and the workspace anchor "
                + "(\(location)) records none: what was signed is unknown, so the log will not be re-sealed. Restore "
                + "audit/checkpoints/ and the anchor from backup and run `custos audit verify`."
        case .witnessRollback(let witnessed, let offered):
            return "witness refuses: it already cosigned a checkpoint of \(witnessed) entries, and the log now offers "
                + "one of only \(offered) (rollback or truncation). Nothing was cosigned. Restore the log from a "
                + "backup that reaches \(witnessed) entries; do not reset the witness state."
        case .witnessFork(let witnessed, let offered, let reason):
            return "witness refuses: the checkpoint of \(offered) entries is not an extension of the checkpoint of "
                + "\(witnessed) entries it cosigned last (\(reason)). The log was rewritten (a fork). Nothing was "
                + "cosigned. Investigate and restore the log from a backup consistent with the witnessed checkpoint."
        case .witnessUnusable(let reason):
            return "witness cannot proceed: \(reason). Nothing was cosigned."
        }
    }
}
