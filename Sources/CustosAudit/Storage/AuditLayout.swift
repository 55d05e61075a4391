import Foundation

/// File names inside an audit directory (see audit/README.md):
///
///     FORMAT                          "custos-audit 1\n"
///     audit.lock                      the writer lock (flock), empty
///     segments/00000001.jsonl …       entries, one canonical JSON object per line
///     checkpoints/<size>.checkpoint   signed checkpoints, size zero-padded to 20 digits
///     merkle-state.json               Merkle frontier at the latest checkpoint (a writer cache)
public enum AuditLayout {
    /// Name of the format marker file.
    public static let formatFile = "FORMAT"
    /// Content of the format marker file for this version.
    public static let formatLine = "custos-audit 1\n"
    /// Name of the writer lock file.
    public static let lockFile = "audit.lock"
    /// Folder of segment files.
    public static let segmentsFolder = "segments"
    /// Folder of checkpoint files.
    public static let checkpointsFolder = "checkpoints"
    /// Name of the persisted Merkle state.
    public static let stateFile = "merkle-state.json"

    /// `00000001.jsonl` for segment 1: eight-digit, one-based, contiguous numbering.
    public static func segmentName(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".jsonl"
    }

    /// The number of a segment file name, or nil if the name is not of the segment form.
    public static func segmentNumber(_ name: String) -> Int? {
        guard name.hasSuffix(".jsonl") else { return nil }
        let stem = name.dropLast(6)
        guard stem.count >= 8, stem.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(stem), n >= 1,
              segmentName(n) == name
        else { return nil }
        return n
    }

    /// The tree size of a checkpoint file name, or nil if the name is not of the checkpoint form.
    public static func checkpointSize(_ name: String) -> UInt64? {
        guard name.hasSuffix(".checkpoint") else { return nil }
        let stem = name.dropLast(11)
        guard stem.count == 20, stem.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(stem) else { return nil }
        return n
    }
}

/// One segment file.
struct SegmentFile: Sendable {
    let number: Int
    let name: String
    let path: String
}

/// One checkpoint file.
struct CheckpointFile: Sendable {
    let size: UInt64
    let name: String
    let path: String
}

/// Paths of one audit directory.
struct AuditPaths: Sendable {
    let root: String

    init(_ directory: URL) { root = directory.standardizedFileURL.path }

    var format: String { root + "/" + AuditLayout.formatFile }
    var lock: String { root + "/" + AuditLayout.lockFile }
    var segments: String { root + "/" + AuditLayout.segmentsFolder }
    var checkpoints: String { root + "/" + AuditLayout.checkpointsFolder }
    var state: String { root + "/" + AuditLayout.stateFile }

    func segment(_ number: Int) -> SegmentFile {
        let name = AuditLayout.segmentName(number)
        return SegmentFile(number: number, name: name, path: segments + "/" + name)
    }

    func checkpoint(size: UInt64) -> CheckpointFile {
        let name = Checkpoint.fileName(size: size)
        return CheckpointFile(size: size, name: name, path: checkpoints + "/" + name)
    }

    /// Segment files in order. Throws if numbering has a gap (a segment was removed) or a stray file
    /// pretends to be a segment.
    func listSegments() throws(AuditError) -> [SegmentFile] {
        guard FileIO.exists(segments) else { return [] }
        var numbers = [Int]()
        for name in try FileIO.list(segments) {
            if name.hasSuffix(".tmp") { continue }
            guard let n = AuditLayout.segmentNumber(name) else {
                throw .corruptSegment(segment: AuditLayout.segmentsFolder + "/" + name, line: 0,
                                      reason: "unexpected file in segments/ (segments are named 00000001.jsonl, …)")
            }
            numbers.append(n)
        }
        numbers.sort()
        for (i, n) in numbers.enumerated() where n != i + 1 {
            throw .corruptSegment(segment: AuditLayout.segmentsFolder + "/" + AuditLayout.segmentName(i + 1), line: 0,
                                  reason: "segment file is missing (found \(AuditLayout.segmentName(n)) after it)")
        }
        return numbers.map(segment)
    }

    /// Checkpoint files by increasing tree size.
    func listCheckpoints() throws(AuditError) -> [CheckpointFile] {
        guard FileIO.exists(checkpoints) else { return [] }
        var files = [CheckpointFile]()
        for name in try FileIO.list(checkpoints) {
            if name.hasSuffix(".tmp") { continue }
            guard let size = AuditLayout.checkpointSize(name) else {
                throw .malformedCheckpoint(file: AuditLayout.checkpointsFolder + "/" + name,
                                           reason: "unexpected file name (expected <20-digit size>.checkpoint)")
            }
            files.append(checkpoint(size: size))
        }
        return files.sorted { $0.size < $1.size }
    }
}

/// Finds line boundaries in segment bytes.
enum LineSplitter {
    /// Offsets one past each newline, and the length of a trailing partial line (0 if none).
    static func lineEnds(_ bytes: UnsafeRawBufferPointer, from start: Int = 0) -> (ends: [Int], partialTail: Int) {
        var ends = [Int]()
        ends.reserveCapacity(bytes.count / 200)
        guard let base = bytes.baseAddress, start < bytes.count else { return (ends, 0) }
        var position = start
        while position < bytes.count {
            guard let hit = memchr(base + position, 0x0A, bytes.count - position) else { break }
            let offset = base.distance(to: UnsafeRawPointer(hit))
            ends.append(offset + 1)
            position = offset + 1
        }
        return (ends, bytes.count - position)
    }
}
