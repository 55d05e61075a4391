import Foundation

/// The silhouette coefficient of a clustering (Rousseeuw 1987), Euclidean distance.
///
/// For point `i` in cluster `A`: `a(i)` = mean distance to the other points of `A`, `b(i)` = the
/// smallest mean distance to the points of another cluster, `s(i) = (b - a) / max(a, b)`, and
/// `s(i) = 0` when `A` has one point. The score is the mean of `s(i)`, as scikit-learn's
/// `silhouette_score`. Only labels that occur count as clusters; there must be between 2 and
/// `n - 1` of them.
///
/// Exact: `O(n^2 * cols)` time, split over threads. For large `n`, `sampled` draws `sampleSize`
/// points without replacement and scores that subset alone (scikit-learn's `sample_size`),
/// `O(sampleSize^2 * cols)`. `score` picks exact up to `exactLimit` rows, sampled above.
public enum Silhouette {
    /// Exact silhouette over all points.
    public static func exact(points: [Double], rows: Int, cols: Int, labels: [Int32], threads: Int = 2) throws -> Double {
        guard points.count == rows * cols else {
            throw MiningError.shapeMismatch(expected: rows * cols, actual: points.count, what: "points")
        }
        guard labels.count == rows else {
            throw MiningError.shapeMismatch(expected: rows, actual: labels.count, what: "labels")
        }
        return try compute(points: points, rows: rows, cols: cols, labels: labels, threads: threads)
    }

    /// Silhouette of a uniform random subset of `sampleSize` points (without replacement).
    public static func sampled<G: RandomNumberGenerator>(
        points: [Double], rows: Int, cols: Int, labels: [Int32], sampleSize: Int, threads: Int = 2,
        using generator: inout G
    ) throws -> Double {
        guard sampleSize >= 2, sampleSize <= rows else {
            throw MiningError.invalidParameter(name: "sampleSize", reason: "must be between 2 and the number of rows")
        }
        var indices = Array(0..<rows)
        for i in 0..<sampleSize {
            let j = Int.random(in: i..<rows, using: &generator)
            indices.swapAt(i, j)
        }
        var subset: [Double] = []
        subset.reserveCapacity(sampleSize * cols)
        var subLabels: [Int32] = []
        for i in indices.prefix(sampleSize) {
            subset.append(contentsOf: points[(i * cols)..<((i + 1) * cols)])
            subLabels.append(labels[i])
        }
        return try exact(points: subset, rows: sampleSize, cols: cols, labels: subLabels, threads: threads)
    }

    /// Exact when `rows <= exactLimit`, otherwise sampled with `sampleSize` points.
    public static func score<G: RandomNumberGenerator>(
        points: [Double], rows: Int, cols: Int, labels: [Int32], exactLimit: Int = 10_000, sampleSize: Int = 5_000,
        threads: Int = 2, using generator: inout G
    ) throws -> Double {
        if rows <= exactLimit {
            return try exact(points: points, rows: rows, cols: cols, labels: labels, threads: threads)
        }
        return try sampled(
            points: points, rows: rows, cols: cols, labels: labels, sampleSize: min(sampleSize, rows), threads: threads,
            using: &generator)
    }

    private static func compute(points: [Double], rows: Int, cols: Int, labels: [Int32], threads: Int) throws -> Double {
        // Recode labels densely.
        var code: [Int32: Int] = [:]
        let dense = labels.map { label -> Int in
            if let c = code[label] { return c }
            code[label] = code.count
            return code.count - 1
        }
        let k = code.count
        guard k >= 2, k <= rows - 1 else {
            throw MiningError.invalidParameter(name: "labels", reason: "silhouette needs between 2 and n-1 clusters, got \(k)")
        }
        var counts = [Int](repeating: 0, count: k)
        for c in dense { counts[c] += 1 }
        let sizes = counts
        let workers = max(1, min(threads, rows / 64 + 1))
        let slots = WorkerSlots<Double>(count: workers)
        let counter = TaskCounter(count: (rows + 255) / 256)
        runParallel(workers: workers) { w in
            var sums = [Double](repeating: 0, count: k)
            var total = 0.0
            while let chunk = counter.claim() {
                for i in (chunk * 256)..<min(rows, chunk * 256 + 256) {
                    for c in 0..<k { sums[c] = 0 }
                    for m in 0..<rows where m != i {
                        var d = 0.0
                        for j in 0..<cols {
                            let diff = points[i * cols + j] - points[m * cols + j]
                            d += diff * diff
                        }
                        sums[dense[m]] += d.squareRoot()
                    }
                    let own = dense[i]
                    guard sizes[own] > 1 else { continue }
                    let a = sums[own] / Double(sizes[own] - 1)
                    var b = Double.infinity
                    for c in 0..<k where c != own { b = min(b, sums[c] / Double(sizes[c])) }
                    let denominator = max(a, b)
                    if denominator > 0 { total += (b - a) / denominator }
                }
            }
            slots.set(w, total)
        }
        return slots.all.reduce(0, +) / Double(rows)
    }
}
