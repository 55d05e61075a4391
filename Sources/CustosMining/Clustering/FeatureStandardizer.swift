/// Z-score standardisation of features: `(x - mean) / standard deviation`, per column.
///
/// Uses the population standard deviation (divisor `n`), as scikit-learn's `StandardScaler`;
/// a constant column gets scale 1 so it maps to zeros rather than dividing by zero.
public struct FeatureStandardizer: Sendable, Equatable {
    /// Column means.
    public let means: [Double]
    /// Column scales (population standard deviations, 1 for constant columns).
    public let scales: [Double]

    /// Learns means and scales from `rows x cols` row-major points (two passes, numerically stable).
    public init(points: [Double], rows: Int, cols: Int) throws {
        guard rows >= 1, cols >= 1, points.count == rows * cols else {
            throw MiningError.shapeMismatch(expected: rows * cols, actual: points.count, what: "points")
        }
        var means = [Double](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { means[j] += points[i * cols + j] } }
        for j in 0..<cols { means[j] /= Double(rows) }
        var squares = [Double](repeating: 0, count: cols)
        for i in 0..<rows {
            for j in 0..<cols {
                let d = points[i * cols + j] - means[j]
                squares[j] += d * d
            }
        }
        self.means = means
        self.scales = squares.map { s in
            let sd = (s / Double(rows)).squareRoot()
            return sd > 0 ? sd : 1
        }
    }

    /// Standardised copy of `rows x cols` row-major points.
    public func transform(_ points: [Double]) throws -> [Double] {
        let cols = means.count
        guard points.count % cols == 0 else {
            throw MiningError.shapeMismatch(expected: (points.count / cols + 1) * cols, actual: points.count, what: "points")
        }
        var result = points
        for i in 0..<(points.count / cols) {
            for j in 0..<cols { result[i * cols + j] = (points[i * cols + j] - means[j]) / scales[j] }
        }
        return result
    }
}
