/// Sufficient statistics for Pearson correlation: the count, per-column sums and the matrix of
/// cross-products (squares on the diagonal) of shifted values `x - shift`.
///
/// Shards accumulated with the same shift `merge` by addition; a differentially private version
/// adds noise to these same sums. The shift does not change the correlation but, chosen near the
/// column means (the exact path uses the means from a first pass; a private path a public
/// midpoint from the schema), it avoids the cancellation of the one-pass formula.
public struct CorrelationStatistics: Sendable, Equatable {
    /// Number of columns (measures).
    public let columns: Int
    /// Value subtracted from each column before accumulating.
    public let shift: [Double]
    /// Number of rows added.
    public private(set) var count: Int = 0
    /// Sum of each shifted column.
    public private(set) var sums: [Double]
    /// Sum of products of shifted columns `i` and `j` at `i * columns + j` (symmetric).
    public private(set) var crossProducts: [Double]

    /// Empty statistics for `columns` measures, shifted by `shift` (zeros when nil).
    public init(columns: Int, shift: [Double]? = nil) throws {
        guard columns >= 1 else { throw MiningError.invalidParameter(name: "columns", reason: "must be at least 1") }
        if let shift, shift.count != columns {
            throw MiningError.shapeMismatch(expected: columns, actual: shift.count, what: "shift")
        }
        self.columns = columns
        self.shift = shift ?? [Double](repeating: 0, count: columns)
        sums = [Double](repeating: 0, count: columns)
        crossProducts = [Double](repeating: 0, count: columns * columns)
    }

    /// Adds `rows x columns` row-major values.
    public mutating func add(points: [Double], rows: Int) throws {
        guard points.count == rows * columns else {
            throw MiningError.shapeMismatch(expected: rows * columns, actual: points.count, what: "points")
        }
        var centred = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            for i in 0..<columns { centred[i] = points[r * columns + i] - shift[i] }
            for i in 0..<columns {
                sums[i] += centred[i]
                for j in i..<columns { crossProducts[i * columns + j] += centred[i] * centred[j] }
            }
        }
        for i in 0..<columns { for j in 0..<i { crossProducts[i * columns + j] = crossProducts[j * columns + i] } }
        count += rows
    }

    /// Adds another shard's statistics.
    /// - Throws: `MiningError.incompatibleStatistics` unless columns and shift are equal.
    public mutating func merge(_ other: CorrelationStatistics) throws {
        guard other.columns == columns, other.shift == shift else {
            throw MiningError.incompatibleStatistics("correlation statistics with different columns or shift")
        }
        count += other.count
        for i in sums.indices { sums[i] += other.sums[i] }
        for i in crossProducts.indices { crossProducts[i] += other.crossProducts[i] }
    }
}

/// A Pearson correlation matrix.
///
/// `r_ij = (n S_ij - S_i S_j) / sqrt((n S_ii - S_i^2)(n S_jj - S_j^2))` from `CorrelationStatistics`;
/// NaN where a column has zero variance (as numpy's `corrcoef`). Cost: `O(n * c^2)` to accumulate,
/// `O(c^2)` to finish.
public struct CorrelationMatrix: Sendable, Equatable {
    /// Number of columns.
    public let columns: Int
    /// Correlations, row-major `columns x columns`.
    public let values: [Double]

    /// The correlations implied by the statistics.
    public init(statistics s: CorrelationStatistics) {
        columns = s.columns
        let n = Double(s.count)
        var values = [Double](repeating: .nan, count: s.columns * s.columns)
        for i in 0..<s.columns {
            for j in 0..<s.columns {
                let cov = n * s.crossProducts[i * s.columns + j] - s.sums[i] * s.sums[j]
                let vi = n * s.crossProducts[i * s.columns + i] - s.sums[i] * s.sums[i]
                let vj = n * s.crossProducts[j * s.columns + j] - s.sums[j] * s.sums[j]
                guard vi > 0, vj > 0 else { continue }
                values[i * s.columns + j] = i == j ? 1 : max(-1, min(1, cov / (vi * vj).squareRoot()))
            }
        }
        self.values = values
    }

    /// Exact correlations of `rows x cols` row-major values (two passes: means, then shifted sums).
    public init(points: [Double], rows: Int, cols: Int) throws {
        guard rows >= 1, points.count == rows * cols else {
            throw MiningError.shapeMismatch(expected: rows * cols, actual: points.count, what: "points")
        }
        var means = [Double](repeating: 0, count: cols)
        for r in 0..<rows { for j in 0..<cols { means[j] += points[r * cols + j] } }
        for j in 0..<cols { means[j] /= Double(rows) }
        var statistics = try CorrelationStatistics(columns: cols, shift: means)
        try statistics.add(points: points, rows: rows)
        self.init(statistics: statistics)
    }

    /// The correlation of columns `i` and `j`.
    public subscript(i: Int, j: Int) -> Double { values[i * columns + j] }
}
