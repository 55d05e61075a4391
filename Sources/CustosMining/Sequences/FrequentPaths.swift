/// How path occurrences are counted.
public enum PathCounting: Sendable, Equatable {
    /// Each subject counts at most once per path (suited to privacy thresholds and noise).
    case subjects
    /// Every occurrence counts.
    case occurrences
}

/// An exact event path and how often it occurs.
public struct PathCount: Sendable, Hashable {
    /// Consecutive event types.
    public let path: [Int32]
    /// Subjects or occurrences, per the counting mode.
    public let count: Int
}

/// Most frequent exact paths: runs of `length` consecutive events in each subject's time-ordered stream.
///
/// `counts` builds the full table (mergeable across subject partitions by adding counts);
/// `top` applies the selection: highest count first, ties broken by the path in ascending
/// lexicographic order. Cost `O(events * length)` time and one hash entry per distinct path.
public enum FrequentPaths {
    /// The count of every path of `length` events.
    public static func counts(log: EventLog, length: Int, counting: PathCounting = .subjects) throws -> [[Int32]: Int] {
        guard length >= 1 else { throw MiningError.invalidParameter(name: "length", reason: "must be at least 1") }
        var table: [[Int32]: Int] = [:]
        var seen = Set<[Int32]>()
        for s in 0..<log.subjectCount {
            let begin = log.subjectStarts[s], end = log.subjectStarts[s + 1]
            guard end - begin >= length else { continue }
            seen.removeAll(keepingCapacity: true)
            for start in begin...(end - length) {
                let path = Array(log.events[start..<(start + length)])
                if counting == .subjects && !seen.insert(path).inserted { continue }
                table[path, default: 0] += 1
            }
        }
        return table
    }

    /// The `limit` most frequent paths from a count table (count descending, then path ascending).
    public static func top(_ table: [[Int32]: Int], limit: Int) -> [PathCount] {
        table.map { PathCount(path: $0.key, count: $0.value) }
            .sorted { a, b in a.count != b.count ? a.count > b.count : a.path.lexicographicallyPrecedes(b.path) }
            .prefix(max(0, limit)).map { $0 }
    }

    /// The `limit` most frequent paths of `length` events.
    public static func top(log: EventLog, length: Int, limit: Int, counting: PathCounting = .subjects) throws -> [PathCount] {
        top(try counts(log: log, length: length, counting: counting), limit: limit)
    }
}
