import Foundation

/// Read-only access to an audit directory: entries, lines and leaf hashes. Takes no lock; a final line
/// still being written (no newline yet) is skipped.
public struct AuditLogReader: Sendable {
    /// Where one entry is stored.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        /// Zero-based entry index in the log.
        public let index: UInt64
        /// Segment file name, e.g. `00000001.jsonl`.
        public let segment: String
        /// One-based line number within the segment.
        public let line: Int

        public var description: String { "entry \(index) (segments/\(segment) line \(line))" }
    }

    /// The audit directory.
    public let directory: URL
    let paths: AuditPaths

    /// A reader for the audit log in `directory`.
    public init(directory: URL) {
        self.directory = directory
        self.paths = AuditPaths(directory)
    }

    /// Calls `body` with every complete line (newline excluded), in log order, up to `limit` entries.
    /// `body` returns false to stop early.
    public func forEachLine(
        limit: UInt64? = nil, _ body: (Location, UnsafeRawBufferPointer) throws(AuditError) -> Bool
    ) throws(AuditError) {
        var index: UInt64 = 0
        for segment in try paths.listSegments() {
            if let limit, index >= limit { return }
            let bytes = try FileIO.read(segment.path)
            var failure: AuditError?
            var stop = false
            bytes.withUnsafeBytes { raw in
                let (ends, _) = LineSplitter.lineEnds(raw)
                var start = 0
                for (i, end) in ends.enumerated() {
                    if let limit, index >= limit {
                        stop = true
                        return
                    }
                    let location = Location(index: index, segment: segment.name, line: i + 1)
                    do throws(AuditError) {
                        if !(try body(location, UnsafeRawBufferPointer(rebasing: raw[start..<(end - 1)]))) {
                            stop = true
                            return
                        }
                    } catch {
                        failure = error
                        return
                    }
                    index += 1
                    start = end
                }
            }
            if let failure { throw failure }
            if stop { return }
        }
    }

    /// Decoded entries whose time lies in `interval` (all if nil), in log order, up to `limit` entries.
    public func entries(in interval: DateInterval? = nil, limit: UInt64? = nil) throws(AuditError) -> [AuditEntry] {
        try indexedEntries(in: interval, limit: limit).map(\.entry)
    }

    /// Like `entries(in:limit:)`, with each entry's location.
    public func indexedEntries(in interval: DateInterval? = nil, limit: UInt64? = nil)
        throws(AuditError) -> [(location: Location, entry: AuditEntry)]
    {
        let lower = interval.map { AuditTimestamp.milliseconds(of: $0.start) }
        let upper = interval.map { AuditTimestamp.milliseconds(of: $0.end) }
        var out = [(location: Location, entry: AuditEntry)]()
        try forEachLine(limit: limit) { (location, line) throws(AuditError) in
            let entry = try AuditEntry(line: line.assumingMemoryBound(to: UInt8.self),
                                       location: location.description)
            if let lower, let upper, entry.timeMilliseconds < lower || entry.timeMilliseconds >= upper { return true }
            out.append((location, entry))
            return true
        }
        return out
    }

    /// The stored bytes of entry `index` (newline excluded).
    public func line(at index: UInt64) throws(AuditError) -> [UInt8] {
        var found: [UInt8]?
        try forEachLine(limit: index + 1) { (location, line) throws(AuditError) in
            if location.index == index { found = [UInt8](line) }
            return true
        }
        guard let found else { throw .invalidProofRequest(reason: "the log has no entry \(index)") }
        return found
    }

    /// Leaf hashes of every complete entry line, as one tree.
    public func merkleTree() throws(AuditError) -> MerkleTree {
        var flat = [UInt8]()
        var scratch = [UInt8]()
        try forEachLine { (_, line) throws(AuditError) in
            flat.append(contentsOf: RFC6962.leafHashBytes(line, scratch: &scratch))
            return true
        }
        return MerkleTree(flatLeafHashes: flat)
    }

    /// Every checkpoint, verified with `key`, by increasing size.
    public func checkpoints(verifier key: NoteVerifierKey) throws(AuditError) -> [Checkpoint] {
        var out = [Checkpoint]()
        for file in try paths.listCheckpoints() {
            out.append(try Checkpoint(parsing: try FileIO.read(file.path), file: "checkpoints/" + file.name,
                                      verifier: key))
        }
        return out
    }
}
