import Foundation

extension AuditLogReader {
    /// Where a reader stopped: the next entry's index and where its line starts. Lets a caller that
    /// follows the log (e.g. the erasure ledger) read only what was appended since last time.
    public struct ResumePoint: Sendable, Equatable, Codable {
        /// Index of the next entry to read.
        public var index: UInt64
        /// Segment number holding it (1-based) and its byte offset there.
        public var segment: Int
        public var offset: Int

        /// A point: entry `index` starts at byte `offset` of segment `segment`.
        public init(index: UInt64, segment: Int, offset: Int) {
            self.index = index
            self.segment = segment
            self.offset = offset
        }

        /// The start of the log.
        public static let start = ResumePoint(index: 0, segment: 1, offset: 0)
    }

    /// Calls `body` with every complete line from `point` on, in log order, and returns where it
    /// stopped. A point past the end of its segment (the log was replaced) reads from the start.
    public func forEachLine(
        from point: ResumePoint, _ body: (Location, UnsafeRawBufferPointer) throws(AuditError) -> Void
    ) throws(AuditError) -> ResumePoint {
        let segments = try paths.listSegments()
        var point = point
        if let first = segments.first(where: { $0.number == point.segment }) {
            if (try FileIO.read(first.path)).count < point.offset { point = .start }
        } else if point != .start && !(segments.isEmpty && point.index == 0) {
            point = .start
        }
        var next = point
        for segment in segments where segment.number >= point.segment {
            let bytes = try FileIO.read(segment.path)
            let startOffset = segment.number == point.segment ? point.offset : 0
            var failure: AuditError?
            bytes.withUnsafeBytes { raw in
                let tail = UnsafeRawBufferPointer(rebasing: raw[startOffset...])
                let (ends, _) = LineSplitter.lineEnds(tail)
                var start = 0
                for (i, end) in ends.enumerated() {
                    let location = Location(index: next.index, segment: segment.name, line: i + 1)
                    do throws(AuditError) {
                        try body(location, UnsafeRawBufferPointer(rebasing: tail[start..<(end - 1)]))
                    } catch {
                        failure = error
                        return
                    }
                    next = ResumePoint(index: next.index + 1, segment: segment.number, offset: startOffset + end)
                    start = end
                }
            }
            if let failure { throw failure }
            // The next segment starts at its beginning.
            if segment.number != segments.last?.number {
                next = ResumePoint(index: next.index, segment: segment.number + 1, offset: 0)
            }
        }
        return next
    }
}
