import Foundation

/// What opening the log found and did.
public struct AuditOpenReport: Sendable, Equatable {
    /// Entries in the log when it was opened (after any truncation, before any recovery entry).
    public let entryCount: UInt64
    /// Size of the latest signed checkpoint found, if any.
    public let latestCheckpointSize: UInt64?
    /// True when the persisted Merkle state matched the latest checkpoint, so only the entries after it
    /// were rehashed.
    public let resumedFromSavedState: Bool
    /// How many entries were read and hashed to resume.
    public let entriesRehashed: UInt64
    /// Bytes of a torn final line that were cut off, if any.
    public let truncatedBytes: UInt64
    /// Segment file whose torn final line was cut off.
    public let truncatedSegment: String?
    /// Index of the `audit.recover` entry written to record the truncation, if any.
    public let recoveryEntryIndex: UInt64?
}

/// Rebuilds the writer's state from disk: fast path from the persisted Merkle state when it matches the
/// latest signed checkpoint, otherwise by rehashing every entry. Cuts off a torn final line.
struct LogOpener {
    let paths: AuditPaths
    let verifier: NoteVerifierKey

    struct Result {
        var frontier: MerkleFrontier
        var extents: [MerkleState.Extent]
        var latest: Checkpoint?
        var resumed: Bool
        var rehashed: UInt64
        var truncatedBytes: UInt64
        var truncatedSegment: String?
    }

    func run() throws(AuditError) -> Result {
        let checkpointFiles = try paths.listCheckpoints()
        var latest: Checkpoint?
        var latestFile: CheckpointFile?
        if let file = checkpointFiles.last {
            let checkpoint = try Checkpoint(parsing: try FileIO.read(file.path), file: "checkpoints/" + file.name,
                                            verifier: verifier)
            guard checkpoint.size == file.size else {
                throw .malformedCheckpoint(file: "checkpoints/" + file.name,
                                           reason: "its tree size \(checkpoint.size) differs from its file name")
            }
            latest = checkpoint
            latestFile = file
        }
        let segments = try paths.listSegments()
        if let latest, let state = fastPathState(latest: latest, segments: segments) {
            var result = Result(frontier: MerkleFrontier(size: state.size, hashes: state.frontier) ?? MerkleFrontier(),
                                extents: state.segments, latest: latest, resumed: true, rehashed: 0,
                                truncatedBytes: 0, truncatedSegment: nil)
            let startIndex = max(state.segments.count - 1, 0)
            let startOffset = state.segments.last?.bytes ?? 0
            try scan(segments: segments, from: startIndex, offset: startOffset, into: &result, check: nil)
            return result
        }
        var result = Result(frontier: MerkleFrontier(), extents: [], latest: latest, resumed: false, rehashed: 0,
                            truncatedBytes: 0, truncatedSegment: nil)
        let check = latest.map { ($0, "checkpoints/" + (latestFile?.name ?? "")) }
        if let check, check.0.size == 0, check.0.rootHash != RFC6962.emptyRoot {
            throw .checkpointMismatch(checkpoint: check.1, reason: "a size-0 checkpoint must carry the empty-tree root")
        }
        try scan(segments: segments, from: 0, offset: 0, into: &result, check: check)
        if let latest, result.frontier.size < latest.size {
            throw .checkpointAheadOfLog(checkpoint: "checkpoints/" + (latestFile?.name ?? ""),
                                        checkpointSize: latest.size, entriesFound: result.frontier.size)
        }
        return result
    }

    /// The persisted state, if it is consistent with the latest checkpoint and the files on disk.
    private func fastPathState(latest: Checkpoint, segments: [SegmentFile]) -> MerkleState? {
        guard let bytes = try? FileIO.read(paths.state), let state = try? MerkleState(parsing: bytes),
              state.size == latest.size, let frontier = MerkleFrontier(size: state.size, hashes: state.frontier),
              frontier.rootHash() == latest.rootHash, state.segments.count <= segments.count
        else { return nil }
        for (i, extent) in state.segments.enumerated() {
            guard segments[i].name == extent.name, let size = try? FileIO.size(segments[i].path) else { return nil }
            let isLast = i == state.segments.count - 1
            if isLast ? size < extent.bytes : size != extent.bytes { return nil }
        }
        if let last = state.segments.last, last.bytes > 0 {
            // The covered bytes must end exactly at a line boundary.
            guard let byte = readByte(paths.segments + "/" + last.name, at: last.bytes - 1), byte == 0x0A else {
                return nil
            }
        }
        return state
    }

    private func readByte(_ path: String, at offset: UInt64) -> UInt8? {
        guard let fd = try? FileIO.open(path, O_RDONLY) else { return nil }
        defer { FileIO.close(fd) }
        var byte: UInt8 = 0
        return pread(fd, &byte, 1, off_t(offset)) == 1 ? byte : nil
    }

    /// Hashes every complete line from `segments[from]` at byte `offset` on, appending to `result`.
    private func scan(segments: [SegmentFile], from: Int, offset: UInt64, into result: inout Result,
                      check: (Checkpoint, String)?) throws(AuditError) {
        guard from < segments.count else { return }
        var scratch = [UInt8]()
        for index in from..<segments.count {
            let segment = segments[index]
            let bytes = try FileIO.read(segment.path)
            let start = index == from ? Int(offset) : 0
            if index >= result.extents.count {
                result.extents.append(MerkleState.Extent(name: segment.name, bytes: 0, entries: 0))
            }
            var extent = result.extents[index]
            var failure: AuditError?
            var partialTail = 0
            bytes.withUnsafeBytes { raw in
                let (ends, partial) = LineSplitter.lineEnds(raw, from: start)
                partialTail = partial
                var lineStart = start
                for end in ends {
                    let line = UnsafeRawBufferPointer(rebasing: raw[lineStart..<(end - 1)])
                    let lineNumber = Int(extent.entries) + 1
                    guard line.count >= 2, line.first == 0x7B, line.last == 0x7D else {
                        failure = .corruptSegment(segment: "segments/" + segment.name, line: lineNumber,
                                                  reason: "not a JSON object line")
                        return
                    }
                    result.frontier.append(RFC6962.leafHash(line, scratch: &scratch))
                    result.rehashed += 1
                    extent.entries += 1
                    extent.bytes = UInt64(end)
                    lineStart = end
                    if let (checkpoint, name) = check, result.frontier.size == checkpoint.size,
                       result.frontier.rootHash() != checkpoint.rootHash {
                        failure = .checkpointMismatch(
                            checkpoint: name,
                            reason: "the first \(checkpoint.size) entries do not reproduce its root hash")
                        return
                    }
                }
            }
            if let failure { throw failure }
            if partialTail > 0 {
                guard index == segments.count - 1 else {
                    throw .corruptSegment(segment: "segments/" + segment.name, line: Int(extent.entries) + 1,
                                          reason: "ends without a newline although a later segment exists")
                }
                let fd = try FileIO.open(segment.path, O_WRONLY)
                defer { FileIO.close(fd) }
                try FileIO.truncate(fd, to: extent.bytes, path: segment.path)
                try FileIO.sync(fd, path: segment.path)
                result.truncatedBytes = UInt64(partialTail)
                result.truncatedSegment = segment.name
            }
            result.extents[index] = extent
        }
    }
}
