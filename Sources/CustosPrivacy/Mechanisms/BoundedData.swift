/// A column whose rows have been bounded per subject: each subject contributes at most
/// `bounds.maxRowsPerSubject` rows. Produced by ``ContributionBounder`` or, for data that are one
/// row per subject by construction, by ``oneRowPerSubject(_:)``.
public struct BoundedColumn<Value> {
    /// The retained rows.
    public let values: [Value]
    /// The bounds the rows satisfy.
    public let bounds: ContributionBounds

    init(values: [Value], bounds: ContributionBounds) {
        self.values = values
        self.bounds = bounds
    }

    /// Declares that `values` hold one row per distinct subject (for example a profile table keyed
    /// by subject). The caller vouches for this; use ``ContributionBounder`` otherwise.
    public static func oneRowPerSubject(_ values: [Value]) -> BoundedColumn<Value> {
        BoundedColumn(values: values, bounds: .oneRowPerSubject)
    }
}

extension BoundedColumn: Sendable where Value: Sendable {}

/// Rows with a group key, bounded so that each subject appears in at most
/// `bounds.maxGroupsPerSubject` groups with at most `bounds.maxRowsPerSubject` rows in each.
public struct BoundedGroupedColumn<Key: Hashable, Value> {
    /// Group key of each retained row.
    public let keys: [Key]
    /// Value of each retained row.
    public let values: [Value]
    /// The bounds the rows satisfy.
    public let bounds: ContributionBounds

    init(keys: [Key], values: [Value], bounds: ContributionBounds) {
        self.keys = keys
        self.values = values
        self.bounds = bounds
    }

    /// Declares that every subject has exactly one row (one key). The caller vouches for this.
    public static func oneRowPerSubject(keys: [Key], values: [Value]) -> BoundedGroupedColumn<Key, Value> {
        BoundedGroupedColumn(keys: keys, values: values, bounds: .oneRowPerSubject)
    }
}

extension BoundedGroupedColumn: Sendable where Key: Sendable, Value: Sendable {}

/// Enforces contribution bounds on raw rows tagged with their subject (a pseudonym).
///
/// Each subject keeps its first rows in input order (first groups, then first rows within each
/// group). The choice for a subject depends only on that subject's own rows, so adding or removing
/// one subject changes the output by that subject's bounded rows alone; shuffle the input first
/// if row order carries meaning.
public enum ContributionBounder {
    /// Keeps at most `maxRowsPerSubject` rows per subject.
    public static func bound<Subject: Hashable, Value>(
        subjects: [Subject], values: [Value], maxRowsPerSubject: Int
    ) throws -> BoundedColumn<Value> {
        guard subjects.count == values.count else {
            throw PrivacyError.invalidParameter("subjects and values must have the same number of rows")
        }
        let bounds = try ContributionBounds(maxRowsPerSubject: maxRowsPerSubject)
        var seen: [Subject: Int] = [:]
        seen.reserveCapacity(subjects.count)
        var kept: [Value] = []
        kept.reserveCapacity(values.count)
        for (subject, value) in zip(subjects, values) {
            let used = seen[subject, default: 0]
            if used < maxRowsPerSubject {
                seen[subject] = used + 1
                kept.append(value)
            }
        }
        return BoundedColumn(values: kept, bounds: bounds)
    }

    /// Keeps at most `bounds.maxGroupsPerSubject` groups per subject and at most
    /// `bounds.maxRowsPerSubject` rows per subject within each kept group.
    public static func bound<Subject: Hashable, Key: Hashable, Value>(
        subjects: [Subject], keys: [Key], values: [Value], bounds: ContributionBounds
    ) throws -> BoundedGroupedColumn<Key, Value> {
        guard subjects.count == values.count, keys.count == values.count else {
            throw PrivacyError.invalidParameter("subjects, keys and values must have the same number of rows")
        }
        var groupsOfSubject: [Subject: Int] = [:]
        var rowsOfPair: [SubjectGroupPair<Subject, Key>: Int] = [:]
        var keptKeys: [Key] = []
        var keptValues: [Value] = []
        for i in 0..<values.count {
            let pair = SubjectGroupPair(subject: subjects[i], key: keys[i])
            if let rows = rowsOfPair[pair] {
                guard rows < bounds.maxRowsPerSubject else { continue }
                rowsOfPair[pair] = rows + 1
            } else {
                let groups = groupsOfSubject[subjects[i], default: 0]
                guard groups < bounds.maxGroupsPerSubject else { continue }
                groupsOfSubject[subjects[i]] = groups + 1
                rowsOfPair[pair] = 1
            }
            keptKeys.append(keys[i])
            keptValues.append(values[i])
        }
        return BoundedGroupedColumn(keys: keptKeys, values: keptValues, bounds: bounds)
    }
}

/// A (subject, group) pair, for counting a subject's rows in each group.
private struct SubjectGroupPair<Subject: Hashable, Key: Hashable>: Hashable {
    let subject: Subject
    let key: Key
}
