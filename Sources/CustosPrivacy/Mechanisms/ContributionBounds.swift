/// How much one data subject may contribute: part of every mechanism's declared cost.
///
/// - ``maxRowsPerSubject``: rows a subject may contribute to each group (for a statistic without
///   groups the whole dataset is one group). Google's DP library calls this the L∞ bound.
/// - ``maxGroupsPerSubject``: distinct groups (partitions, bins of a grouped count) a subject may
///   appear in (the L0 bound).
public struct ContributionBounds: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Maximum rows per subject within one group.
    public let maxRowsPerSubject: Int
    /// Maximum distinct groups per subject.
    public let maxGroupsPerSubject: Int

    /// Bounds; both must be at least one.
    public init(maxRowsPerSubject: Int, maxGroupsPerSubject: Int = 1) throws {
        guard maxRowsPerSubject >= 1, maxGroupsPerSubject >= 1, maxRowsPerSubject <= 1 << 20,
              maxGroupsPerSubject <= 1 << 20 else {
            throw PrivacyError.invalidParameter("contribution bounds must be between 1 and 2^20")
        }
        self.maxRowsPerSubject = maxRowsPerSubject
        self.maxGroupsPerSubject = maxGroupsPerSubject
    }

    private init(unchecked rows: Int, _ groups: Int) {
        maxRowsPerSubject = rows
        maxGroupsPerSubject = groups
    }

    /// One row per subject, one group per subject (for example a profile table keyed by subject).
    public static let oneRowPerSubject = ContributionBounds(unchecked: 1, 1)

    /// True when data bounded by `self` are at least as tightly bounded as `declared` requires.
    public func isWithin(_ declared: ContributionBounds) -> Bool {
        maxRowsPerSubject <= declared.maxRowsPerSubject && maxGroupsPerSubject <= declared.maxGroupsPerSubject
    }

    /// "≤ r rows per subject per group, ≤ g groups per subject".
    public var description: String {
        "≤ \(maxRowsPerSubject) rows per subject per group, ≤ \(maxGroupsPerSubject) groups per subject"
    }
}
