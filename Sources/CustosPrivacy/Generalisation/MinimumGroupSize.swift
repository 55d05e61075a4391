/// The k-threshold for pseudonymised (non-DP) aggregates: a group is released only if at least
/// `k` distinct subjects contribute to it; smaller groups are suppressed.
public struct MinimumGroupSize: Sendable, Hashable, Codable {
    /// The minimum number of distinct subjects per released group.
    public let k: Int

    /// A threshold of at least two subjects.
    public init(_ k: Int) throws {
        guard k >= 2 else { throw PrivacyError.invalidParameter("a minimum group size must be at least 2") }
        self.k = k
    }

    /// Distinct subjects per group key, from row-aligned keys and pseudonyms.
    public static func distinctSubjects<Key: Hashable>(keys: [Key], subjects: [Pseudonym]) throws -> [Key: Int] {
        guard keys.count == subjects.count else {
            throw PrivacyError.invalidParameter("keys and subjects must have the same number of rows")
        }
        var sets: [Key: Set<Pseudonym>] = [:]
        for (key, subject) in zip(keys, subjects) { sets[key, default: []].insert(subject) }
        return sets.mapValues(\.count)
    }

    /// Keeps the groups whose distinct-subject count is at least `k`. A group missing from
    /// `distinctSubjects` counts as zero subjects and is suppressed.
    public func apply<Key: Hashable, Value>(to aggregates: [Key: Value], distinctSubjects: [Key: Int]) -> MinimumGroupSizeResult<Key, Value> {
        var released: [Key: Value] = [:]
        var suppressed = 0
        for (key, value) in aggregates {
            if distinctSubjects[key, default: 0] >= k { released[key] = value } else { suppressed += 1 }
        }
        return MinimumGroupSizeResult(released: released, suppressedGroupCount: suppressed)
    }
}

/// The groups that passed a ``MinimumGroupSize`` check.
public struct MinimumGroupSizeResult<Key: Hashable, Value> {
    /// Groups with at least k distinct subjects.
    public let released: [Key: Value]
    /// How many groups were suppressed.
    public let suppressedGroupCount: Int
}

extension MinimumGroupSizeResult: Sendable where Key: Sendable, Value: Sendable {}
