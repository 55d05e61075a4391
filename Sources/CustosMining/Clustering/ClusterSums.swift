/// Per-cluster sufficient statistics of one assignment step: the number of points, the vector sum
/// of their coordinates and the sum of their squared distances to the centre used.
///
/// Statistics from disjoint shards of points `merge` by addition; the next centres are
/// `sum / count`. A differentially private k-means adds noise to `sums` and `counts` before that
/// division.
public struct ClusterSums: Sendable, Equatable {
    /// Number of clusters.
    public let k: Int
    /// Number of features.
    public let cols: Int
    /// Coordinate sums, `k x cols`, row-major.
    public var sums: [Double]
    /// Points per cluster.
    public var counts: [Int]
    /// Sum of squared point-to-centre distances (the inertia against the centres used).
    public var squaredError: Double

    /// Zero statistics for `k` clusters of `cols` features.
    public init(k: Int, cols: Int) {
        self.k = k
        self.cols = cols
        sums = [Double](repeating: 0, count: k * cols)
        counts = [Int](repeating: 0, count: k)
        squaredError = 0
    }

    /// Adds another shard's statistics.
    /// - Throws: `MiningError.incompatibleStatistics` if the shapes differ.
    public mutating func merge(_ other: ClusterSums) throws {
        guard other.k == k, other.cols == cols else {
            throw MiningError.incompatibleStatistics("cluster sums of shape \(other.k)x\(other.cols) and \(k)x\(cols)")
        }
        for i in sums.indices { sums[i] += other.sums[i] }
        for i in counts.indices { counts[i] += other.counts[i] }
        squaredError += other.squaredError
    }

    /// Means of the clusters; an empty cluster keeps its centre from `previous`.
    public func centres(previous: [Double]) -> [Double] {
        var result = previous
        for c in 0..<k where counts[c] > 0 {
            let n = Double(counts[c])
            for j in 0..<cols { result[c * cols + j] = sums[c * cols + j] / n }
        }
        return result
    }
}
