/// Overflow-checked integer accumulation used by the mechanisms.
struct CheckedSum {
    private(set) var value: Int64 = 0
    private var overflowed = false

    @inline(__always)
    mutating func add(_ x: Int64) {
        let (s, o) = value.addingReportingOverflow(x)
        value = s
        overflowed = overflowed || o
    }

    func result(_ what: String) throws -> Int64 {
        guard !overflowed else { throw PrivacyError.arithmeticOverflow(what) }
        return value
    }
}

/// `a * b` as UInt64, or an overflow error naming what was computed.
func checkedProduct(_ a: UInt64, _ b: UInt64, _ what: String) throws -> UInt64 {
    let (p, o) = a.multipliedReportingOverflow(by: b)
    guard !o else { throw PrivacyError.arithmeticOverflow(what) }
    return p
}

extension ContributionBounds {
    /// Throws unless data bounded by `supplied` satisfy these declared bounds.
    func check(_ supplied: ContributionBounds) throws {
        guard supplied.isWithin(self) else {
            throw PrivacyError.contributionBoundsMismatch(declared: self, supplied: supplied)
        }
    }
}

/// Rows counted by a count mechanism, with the bounds they satisfy.
public struct BoundedRowCount: Sendable, Hashable {
    /// Number of retained rows.
    public let rows: Int
    /// The bounds the rows satisfy.
    public let bounds: ContributionBounds
}

extension BoundedColumn {
    /// The number of rows, for ``CountMechanism``.
    public var rowCount: BoundedRowCount { BoundedRowCount(rows: values.count, bounds: bounds) }
}
