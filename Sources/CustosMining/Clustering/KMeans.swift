/// Lloyd's k-means over points stored flat (`rows x cols`, row-major `[Double]`).
///
/// Each iteration assigns every point to its nearest centre (score `|c|^2 - 2 x.c`, ties to the
/// lowest index, the points split over worker threads with per-thread partial sums merged
/// afterwards) and moves each centre to the mean of its points. Hamerly's distance bounds skip
/// the points that provably keep their centre (see `DistanceBounds`); the labels and centres are
/// exactly those of plain Lloyd. An empty cluster takes the point
/// farthest from its own centre, as scikit-learn does. The stopping rule is scikit-learn's:
/// stop when no label changed, or when the summed squared centre shift is at most
/// `tolerance * mean(per-feature variance)`; if stopped by tolerance (or by the iteration limit),
/// a final assignment makes labels match the returned centres. Inertia is the exact sum of
/// squared distances.
///
/// Cost: `O(rows * k * cols)` per iteration, divided over the threads; memory `O(rows)` labels.
public enum KMeans {
    /// Fits k-means from given initial centres (`k x cols`, row-major).
    /// - Throws: `MiningError` for inconsistent shapes or parameters.
    public static func fit(
        points: [Double], rows: Int, cols: Int, k: Int, initialCentres: [Double],
        options: KMeansOptions = KMeansOptions()
    ) throws -> KMeansResult {
        try validate(points: points, rows: rows, cols: cols, k: k)
        guard initialCentres.count == k * cols else {
            throw MiningError.shapeMismatch(expected: k * cols, actual: initialCentres.count, what: "initialCentres")
        }
        guard options.maxIterations >= 1 else {
            throw MiningError.invalidParameter(name: "maxIterations", reason: "must be at least 1")
        }
        guard options.threads >= 1 else {
            throw MiningError.invalidParameter(name: "threads", reason: "must be at least 1")
        }
        return points.withBasePointer { buffer in
            lloyd(buffer, rows: rows, cols: cols, k: k, centres: initialCentres, options: options)
        }
    }

    /// Fits k-means from k-means++ initial centres drawn with `generator`.
    public static func fit<G: RandomNumberGenerator>(
        points: [Double], rows: Int, cols: Int, k: Int, options: KMeansOptions = KMeansOptions(),
        using generator: inout G
    ) throws -> KMeansResult {
        let centres = try KMeansPlusPlus.initialCentres(points: points, rows: rows, cols: cols, k: k, using: &generator)
        return try fit(points: points, rows: rows, cols: cols, k: k, initialCentres: centres, options: options)
    }

    /// One assignment step as mergeable sufficient statistics: per-cluster counts, coordinate sums
    /// and squared error against `centres`. Shards of points give statistics that `merge`.
    public static func assignmentStatistics(
        points: [Double], rows: Int, cols: Int, k: Int, centres: [Double], threads: Int = 2
    ) throws -> ClusterSums {
        try validate(points: points, rows: rows, cols: cols, k: k)
        guard centres.count == k * cols else {
            throw MiningError.shapeMismatch(expected: k * cols, actual: centres.count, what: "centres")
        }
        var labels = [Int32](repeating: -1, count: rows)
        let table = CentreTable(centres: centres, k: k, cols: cols)
        defer { table.deallocate() }
        return points.withBasePointer { p in
            labels.withMutableBasePointer { l in
                AssignmentKernel.assignAll(
                    points: p, rows: rows, labels: l, table: table,
                    threads: threads, computeError: true
                ).0
            }
        }
    }

    static func validate(points: [Double], rows: Int, cols: Int, k: Int) throws {
        guard rows >= 1, cols >= 1 else {
            throw MiningError.invalidParameter(name: "rows/cols", reason: "need at least one row and one column")
        }
        guard points.count == rows * cols else {
            throw MiningError.shapeMismatch(expected: rows * cols, actual: points.count, what: "points")
        }
        guard k >= 1, k <= rows else {
            throw MiningError.invalidParameter(name: "k", reason: "must be between 1 and the number of rows (\(rows))")
        }
    }

    /// scikit-learn's absolute tolerance: `tol * mean over features of the population variance`.
    static func absoluteTolerance(_ points: UnsafePointer<Double>, rows: Int, cols: Int, relative: Double) -> Double {
        var mean = [Double](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { mean[j] += points[i * cols + j] } }
        for j in 0..<cols { mean[j] /= Double(rows) }
        var variance = 0.0
        for i in 0..<rows {
            for j in 0..<cols {
                let d = points[i * cols + j] - mean[j]
                variance += d * d
            }
        }
        return relative * variance / Double(rows) / Double(cols)
    }

    static func lloyd(
        _ points: UnsafePointer<Double>, rows: Int, cols: Int, k: Int, centres initial: [Double], options: KMeansOptions
    ) -> KMeansResult {
        let tolerance = options.tolerance.map { absoluteTolerance(points, rows: rows, cols: cols, relative: $0) }
        var centres = initial
        var labels = [Int32](repeating: -1, count: rows)
        var iterations = 0
        var stoppedEarly = false
        var strict = false
        var maxPointNorm = 0.0
        for i in 0..<rows {
            var norm = 0.0
            for j in 0..<cols { norm += points[i * cols + j] * points[i * cols + j] }
            maxPointNorm = max(maxPointNorm, norm)
        }
        maxPointNorm = maxPointNorm.squareRoot()
        let bounds = DistanceBounds(rows: rows)
        defer { bounds.deallocate() }
        var previous: [Double]? = nil
        labels.withMutableBasePointer { labelPointer in
            func pass() -> (ClusterSums, Int) {
                let table = CentreTable(centres: centres, k: k, cols: cols)
                defer { table.deallocate() }
                let motion = CentreMotion(previous: previous, current: centres, k: k, cols: cols, maxPointNorm: maxPointNorm)
                let result = AssignmentKernel.boundedAssignAll(
                    points: points, rows: rows, labels: labelPointer, table: table, centres: centres, motion: motion,
                    bounds: bounds, first: previous == nil, threads: options.threads)
                previous = centres
                return result
            }
            for iteration in 0..<options.maxIterations {
                iterations = iteration + 1
                var (sums, changed) = pass()
                if sums.counts.contains(0) {
                    relocateEmptyClusters(&sums, points: points, cols: cols, centres: centres, labels: labelPointer, rows: rows)
                }
                let updated = sums.centres(previous: centres)
                var shift = 0.0
                for i in 0..<(k * cols) {
                    let d = updated[i] - centres[i]
                    shift += d * d
                }
                centres = updated
                guard let tolerance else { continue }
                if changed == 0 && iteration > 0 {
                    strict = true
                    stoppedEarly = true
                    break
                }
                if shift <= tolerance {
                    stoppedEarly = true
                    break
                }
            }
            if !strict { _ = pass() }
        }
        let inertia = labels.withMutableBasePointer {
            AssignmentKernel.inertia(
                points: points, rows: rows, cols: cols, centres: centres, labels: $0, threads: options.threads
            )
        }
        var sizes = [Int](repeating: 0, count: k)
        for label in labels { sizes[Int(label)] += 1 }
        return KMeansResult(
            k: k, cols: cols, centres: centres, labels: labels, sizes: sizes, inertia: inertia,
            iterations: iterations, converged: stoppedEarly
        )
    }

    /// scikit-learn's rule: each empty cluster receives the point farthest from its current centre
    /// (farthest first, ties to the lower row), removed from its old cluster's sums.
    static func relocateEmptyClusters(
        _ sums: inout ClusterSums, points: UnsafePointer<Double>, cols: Int, centres: [Double],
        labels: UnsafeMutablePointer<Int32>, rows: Int
    ) {
        let empty = sums.counts.indices.filter { sums.counts[$0] == 0 }
        var distances = [(Double, Int)]()
        distances.reserveCapacity(rows)
        for i in 0..<rows {
            let c = Int(labels[i])
            var d = 0.0
            for j in 0..<cols {
                let diff = points[i * cols + j] - centres[c * cols + j]
                d += diff * diff
            }
            distances.append((d, i))
        }
        distances.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        for (index, cluster) in empty.enumerated() where index < distances.count {
            let row = distances[index].1
            let old = Int(labels[row])
            for j in 0..<cols {
                let v = points[row * cols + j]
                sums.sums[old * cols + j] -= v
                sums.sums[cluster * cols + j] = v
            }
            sums.counts[old] -= 1
            sums.counts[cluster] = 1
        }
    }
}
