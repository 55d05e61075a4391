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
    /// Index of the `audit.recover` entry written to record the truncation or repair, if any.
    public let recoveryEntryIndex: UInt64?
    /// Segment whose final signed entry had lost only its newline, which was restored (nothing removed).
    public var repairedSegment: String? = nil
    /// Tree size recorded by the checkpoint anchor when the log was opened (nil: no anchor, or empty).
    public var anchoredSize: UInt64? = nil
    /// True when the anchor was empty and the latest checkpoint found was adopted into it (a workspace
    /// that predates anchoring).
    public var anchorAdopted: Bool = false
}

/// Rebuilds the writer's state from disk: fast path from the persisted Merkle state when it matches the
/// latest signed checkpoint, otherwise by rehashing every entry. Cuts off a torn final line.
struct LogOpener {
    let paths: AuditPaths
    let verifier: NoteVerifierKey
    /// The checkpoint read from the anchor (outside `audit/`), if any.
    var anchored: Checkpoint? = nil
    /// Where the anchor lives; nil when the log is opened without one.
    var anchorLocation: String? = nil

    /// A root the entries must reproduce at a given size, and the error if they do not.
    private struct RootCheck {
        let size: UInt64
        let root: MerkleHash
        let failure: AuditError
    }

    struct Result {
        var frontier: MerkleFrontier
        var extents: [MerkleState.Extent]
        var latest: Checkpoint?
        var resumed: Bool
        var rehashed: UInt64
        var truncatedBytes: UInt64
        var truncatedSegment: String?
        var repairedSegment: String? = nil
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
        try checkAnchor(latest: latest, segments: segments)
        let anchorAgrees = anchored.map { $0.size == 0 || $0.size == latest?.size } ?? true
        if let latest, anchorAgrees, let state = fastPathState(latest: latest, segments: segments) {
            var result = Result(frontier: MerkleFrontier(size: state.size, hashes: state.frontier) ?? MerkleFrontier(),
                                extents: state.segments, latest: latest, resumed: true, rehashed: 0,
                                truncatedBytes: 0, truncatedSegment: nil)
            let startIndex = max(state.segments.count - 1, 0)
            let startOffset = state.segments.last?.bytes ?? 0
            try scan(segments: segments, from: startIndex, offset: startOffset, into: &result, checks: [],
                     signedSize: latest.size)
            return result
        }
        var result = Result(frontier: MerkleFrontier(), extents: [], latest: latest, resumed: false, rehashed: 0,
                            truncatedBytes: 0, truncatedSegment: nil)
        let latestName = "checkpoints/" + (latestFile?.name ?? "")
        if let latest, latest.size == 0, latest.rootHash != RFC6962.emptyRoot {
            throw .checkpointMismatch(checkpoint: latestName, reason: "a size-0 checkpoint must carry the empty-tree root")
        }
        var checks = [RootCheck]()
        if let latest {
            checks.append(RootCheck(size: latest.size, root: latest.rootHash, failure: .checkpointMismatch(
                checkpoint: latestName, reason: "the first \(latest.size) entries do not reproduce its root hash")))
        }
        if let anchored, let anchorLocation, anchored.size > 0 {
            checks.append(RootCheck(size: anchored.size, root: anchored.rootHash, failure: .anchorMismatch(
                anchoredSize: anchored.size, location: anchorLocation,
                reason: "the first \(anchored.size) entries reproduce a different root")))
        }
        let signedSize = max(latest?.size ?? 0, anchored?.size ?? 0)
        try scan(segments: segments, from: 0, offset: 0, into: &result, checks: checks, signedSize: signedSize)
        if let latest, result.frontier.size < latest.size {
            throw .checkpointAheadOfLog(checkpoint: latestName, checkpointSize: latest.size,
                                        entriesFound: result.frontier.size)
        }
        return result
    }

    /// Refuses, before anything is written, a log whose signed history is shorter than the anchor says,
    /// or that holds entries nobody can say were signed.
    private func checkAnchor(latest: Checkpoint?, segments: [SegmentFile]) throws(AuditError) {
        guard let anchorLocation else { return }
        if let anchored, anchored.size > 0 {
            guard let latest, latest.size >= anchored.size else {
                throw .signedCheckpointsMissing(anchoredSize: anchored.size, anchoredRoot: anchored.rootHash.base64,
                                                latestCheckpointSize: latest?.size, location: anchorLocation)
            }
            if latest.size == anchored.size, latest.rootHash != anchored.rootHash {
                throw .anchorMismatch(anchoredSize: anchored.size, location: anchorLocation,
                                      reason: "the newest checkpoint in audit/ carries a different root")
            }
        } else if anchored == nil, latest == nil {
            var lines: UInt64 = 0
            for segment in segments {
                lines += UInt64(try FileIO.read(segment.path).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
            }
            if lines > 0 { throw .unsignedLog(entries: lines, location: anchorLocation) }
        }
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
    /// A final line without its newline is cut off only when no signed checkpoint (`signedSize`) covers
    /// it; a covered one that is otherwise whole gets its newline back, and anything else is an error.
    private func scan(segments: [SegmentFile], from: Int, offset: UInt64, into result: inout Result,
                      checks: [RootCheck], signedSize: UInt64) throws(AuditError) {
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
            /// Hashes one line (newline excluded) that ends at byte `end` (newline included).
            func absorb(_ line: UnsafeRawBufferPointer, end: Int) -> AuditError? {
                guard line.count >= 2, line.first == 0x7B, line.last == 0x7D else {
                    return .corruptSegment(segment: "segments/" + segment.name, line: Int(extent.entries) + 1,
                                           reason: "not a JSON object line")
                }
                result.frontier.append(RFC6962.leafHash(line, scratch: &scratch))
                result.rehashed += 1
                extent.entries += 1
                extent.bytes = UInt64(end)
                for check in checks where result.frontier.size == check.size && result.frontier.rootHash() != check.root {
                    return check.failure
                }
                return nil
            }
            bytes.withUnsafeBytes { raw in
                let (ends, partial) = LineSplitter.lineEnds(raw, from: start)
                partialTail = partial
                var lineStart = start
                for end in ends {
                    if let problem = absorb(UnsafeRawBufferPointer(rebasing: raw[lineStart..<(end - 1)]), end: end) {
                        failure = problem
                        return
                    }
                    lineStart = end
                }
            }
            if let failure { throw failure }
            if partialTail > 0 {
                guard index == segments.count - 1 else {
                    throw .corruptSegment(segment: "segments/" + segment.name, line: Int(extent.entries) + 1,
                                          reason: "ends without a newline although a later segment exists")
                }
                if result.frontier.size < signedSize {
                    // A signed entry: never cut. Restore its newline if it is the entry that was signed.
                    let lineStart = Int(extent.bytes)
                    bytes.withUnsafeBytes { raw in
                        failure = absorb(UnsafeRawBufferPointer(rebasing: raw[lineStart...]), end: raw.count + 1)
                    }
                    if let failure {
                        if case .corruptSegment = failure {
                            throw .corruptSegment(
                                segment: "segments/" + segment.name, line: Int(extent.entries) + 1,
                                reason: "the final line is incomplete although a signed checkpoint covers it; it was "
                                    + "left as found")
                        }
                        throw failure
                    }
                    // Still short of the signed size: leave the file alone; the caller reports what is missing.
                    if result.frontier.size >= signedSize {
                        let fd = try FileIO.open(segment.path, O_WRONLY | O_APPEND)
                        defer { FileIO.close(fd) }
                        try FileIO.writeAll(fd, [0x0A], path: segment.path)
                        try FileIO.sync(fd, path: segment.path)
                        result.repairedSegment = segment.name
                    }
                } else {
                    let fd = try FileIO.open(segment.path, O_WRONLY)
                    defer { FileIO.close(fd) }
                    try FileIO.truncate(fd, to: extent.bytes, path: segment.path)
                    try FileIO.sync(fd, path: segment.path)
                    result.truncatedBytes = UInt64(partialTail)
                    result.truncatedSegment = segment.name
                }
            }
            result.extents[index] = extent
        }
    }
}
