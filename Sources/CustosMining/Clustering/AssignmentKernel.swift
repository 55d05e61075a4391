/// Raw pointers handed to worker threads; each worker touches only its own rows and its own
/// partial-sum slot, so sharing is safe.
// @unchecked: `points` is read-only and each worker writes only the `labels` of its own row range.
struct SharedPointers: @unchecked Sendable {
    let points: UnsafePointer<Double>
    let labels: UnsafeMutablePointer<Int32>
}

/// Centres laid out for the distance kernel: transposed, scaled by -2 and padded to blocks of 4
/// so that one SIMD vector holds the scores of 4 centres.
///
/// Score of point `x` against centre `c` is `|c|^2 - 2 x.c` (the squared distance minus `|x|^2`),
/// as scikit-learn's Lloyd step computes it; the nearest centre minimises the score, ties going
/// to the lowest centre index.
// @unchecked: the tables are filled in init and only read by workers until `deallocate()` after they finish.
struct CentreTable: @unchecked Sendable {
    let k: Int
    let cols: Int
    let blocks: Int
    /// `vectors[j * blocks + b]` = -2 * (centre 4b..4b+3)[j].
    let vectors: UnsafeMutablePointer<SIMD4<Double>>
    /// `norms[b]` = squared norms of centres 4b..4b+3 (+infinity for padding).
    let norms: UnsafeMutablePointer<SIMD4<Double>>

    init(centres: [Double], k: Int, cols: Int) {
        self.k = k
        self.cols = cols
        blocks = (k + 3) / 4
        vectors = .allocate(capacity: max(1, cols * blocks))
        norms = .allocate(capacity: max(1, blocks))
        vectors.initialize(repeating: SIMD4(repeating: 0), count: max(1, cols * blocks))
        norms.initialize(repeating: SIMD4(repeating: .infinity), count: max(1, blocks))
        for c in 0..<k {
            var norm = 0.0
            for j in 0..<cols {
                let v = centres[c * cols + j]
                norm += v * v
                vectors[j * blocks + c / 4][c % 4] = -2 * v
            }
            norms[c / 4][c % 4] = norm
        }
    }

    func deallocate() {
        vectors.deallocate()
        norms.deallocate()
    }

    /// Scores of the point at `x` against centres 4b..4b+3.
    @inline(__always)
    func scores(_ x: UnsafePointer<Double>, block b: Int) -> SIMD4<Double> {
        var acc = norms[b]
        var p = vectors + b
        for j in 0..<cols {
            acc += SIMD4(repeating: x[j]) * p.pointee
            p += blocks
        }
        return acc
    }

    /// Nearest centre of the point at `x` and its score.
    @inline(__always)
    func nearest(_ x: UnsafePointer<Double>) -> (Int, Double) {
        var best = Double.infinity
        var bestCentre = 0
        for b in 0..<blocks {
            let acc = scores(x, block: b)
            for lane in 0..<4 where acc[lane] < best {
                best = acc[lane]
                bestCentre = b * 4 + lane
            }
        }
        return (bestCentre, best)
    }

    /// Nearest centres of four points at once: independent accumulators keep the floating-point
    /// pipelines full, and the running minimum is kept per SIMD lane without branches; the final
    /// reduction picks the lowest centre index among equal scores (first minimum, as argmin).
    @inline(__always)
    func nearest4(
        _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ x2: UnsafePointer<Double>, _ x3: UnsafePointer<Double>
    ) -> (SIMD4<Int64>, SIMD4<Double>) {
        var m0 = SIMD4<Double>(repeating: .infinity), m1 = m0, m2 = m0, m3 = m0
        var i0 = SIMD4<Int64>(repeating: 0), i1 = i0, i2 = i0, i3 = i0
        for b in 0..<blocks {
            let norm = norms[b]
            var a0 = norm, a1 = norm, a2 = norm, a3 = norm
            var p = vectors + b
            for j in 0..<cols {
                let v = p.pointee
                a0 += SIMD4(repeating: x0[j]) * v
                a1 += SIMD4(repeating: x1[j]) * v
                a2 += SIMD4(repeating: x2[j]) * v
                a3 += SIMD4(repeating: x3[j]) * v
                p += blocks
            }
            let block = SIMD4<Int64>(repeating: Int64(b))
            var mask = a0 .< m0
            m0.replace(with: a0, where: mask)
            i0.replace(with: block, where: mask)
            mask = a1 .< m1
            m1.replace(with: a1, where: mask)
            i1.replace(with: block, where: mask)
            mask = a2 .< m2
            m2.replace(with: a2, where: mask)
            i2.replace(with: block, where: mask)
            mask = a3 .< m3
            m3.replace(with: a3, where: mask)
            i3.replace(with: block, where: mask)
        }
        let r0 = Self.reduce(m0, i0), r1 = Self.reduce(m1, i1), r2 = Self.reduce(m2, i2), r3 = Self.reduce(m3, i3)
        return (SIMD4(r0.0, r1.0, r2.0, r3.0), SIMD4(r0.1, r1.1, r2.1, r3.1))
    }

    @inline(__always)
    static func reduce(_ best: SIMD4<Double>, _ block: SIMD4<Int64>) -> (Int64, Double) {
        let minimum = best.min()
        var centre = block &* 4 &+ SIMD4<Int64>(0, 1, 2, 3)
        centre.replace(with: Int64.max, where: .!(best .== minimum))
        return (centre.min(), minimum)
    }
}

/// One worker's share of an assignment step.
struct PartialAssignment {
    var sums: [Double]
    var counts: [Int]
    var changed: Int
    var squaredError: Double
}

enum AssignmentKernel {
    /// Assigns rows `range` to their nearest centre, writing labels and accumulating partial sums.
    static func assign(
        _ shared: SharedPointers, range: Range<Int>, table: CentreTable, computeError: Bool
    ) -> PartialAssignment {
        let cols = table.cols
        var sums = [Double](repeating: 0, count: table.k * cols)
        var counts = [Int](repeating: 0, count: table.k)
        var changed = 0
        var error = 0.0
        sums.withMutableBasePointer { s in
            counts.withMutableBasePointer { n in
                @inline(__always) func record(_ i: Int, _ c: Int, _ score: Double) {
                    let x = shared.points + i * cols
                    if shared.labels[i] != Int32(c) {
                        changed += 1
                        shared.labels[i] = Int32(c)
                    }
                    n[c] += 1
                    let row = s + c * cols
                    for j in 0..<cols { row[j] += x[j] }
                    if computeError {
                        var norm = 0.0
                        for j in 0..<cols { norm += x[j] * x[j] }
                        error += max(0, score + norm)
                    }
                }
                var i = range.lowerBound
                while i + 4 <= range.upperBound {
                    let x = shared.points + i * cols
                    let (c, score) = table.nearest4(x, x + cols, x + 2 * cols, x + 3 * cols)
                    for lane in 0..<4 { record(i + lane, Int(c[lane]), score[lane]) }
                    i += 4
                }
                while i < range.upperBound {
                    let (c, score) = table.nearest(shared.points + i * cols)
                    record(i, c, score)
                    i += 1
                }
            }
        }
        return PartialAssignment(sums: sums, counts: counts, changed: changed, squaredError: error)
    }

    /// Runs `assign` over all rows on `threads` workers and merges the partial sums.
    static func assignAll(
        points: UnsafePointer<Double>, rows: Int, labels: UnsafeMutablePointer<Int32>,
        table: CentreTable, threads: Int, computeError: Bool
    ) -> (ClusterSums, changed: Int) {
        parallel(points: points, rows: rows, labels: labels, table: table, threads: threads) { shared, range in
            assign(shared, range: range, table: table, computeError: computeError)
        }
    }

    /// Splits the rows over up to `threads` workers (about 1024 rows each at least), runs `part`
    /// on each worker's range and merges the partial sums.
    static func parallel(
        points: UnsafePointer<Double>, rows: Int, labels: UnsafeMutablePointer<Int32>, table: CentreTable, threads: Int,
        _ part: @Sendable (SharedPointers, Range<Int>) -> PartialAssignment
    ) -> (ClusterSums, changed: Int) {
        let shared = SharedPointers(points: points, labels: labels)
        let workers = max(1, min(threads, rows / 1024 + 1))
        let slots = WorkerSlots<PartialAssignment>(count: workers)
        runParallel(workers: workers) { w in
            let lo = rows * w / workers, hi = rows * (w + 1) / workers
            slots.set(w, part(shared, lo..<hi))
        }
        var total = ClusterSums(k: table.k, cols: table.cols)
        var changed = 0
        for part in slots.all {
            for i in total.sums.indices { total.sums[i] += part.sums[i] }
            for c in 0..<table.k { total.counts[c] += part.counts[c] }
            total.squaredError += part.squaredError
            changed += part.changed
        }
        return (total, changed)
    }

    /// Exact sum of squared distances of each point to the centre of its label (parallel).
    static func inertia(
        points: UnsafePointer<Double>, rows: Int, cols: Int, centres: [Double], labels: UnsafeMutablePointer<Int32>, threads: Int
    ) -> Double {
        let shared = SharedPointers(points: points, labels: labels)
        let workers = max(1, min(threads, rows / 1024 + 1))
        let slots = WorkerSlots<Double>(count: workers)
        runParallel(workers: workers) { w in
            let lo = rows * w / workers, hi = rows * (w + 1) / workers
            var total = 0.0
            for i in lo..<hi {
                let c = Int(shared.labels[i])
                var d = 0.0
                for j in 0..<cols {
                    let diff = shared.points[i * cols + j] - centres[c * cols + j]
                    d += diff * diff
                }
                total += d
            }
            slots.set(w, total)
        }
        return slots.all.reduce(0, +)
    }
}

/// Nearest-centre assignment for callers outside the k-means loop (the differentially private
/// k-means runs its own noisy update step but assigns points with this same kernel).
public enum NearestCentre {
    /// The label (0..<k) of each row of `points` (`rows x cols`, row-major): the nearest of the `k`
    /// `centres` (`k x cols`), ties to the lowest index.
    public static func labels(points: [Double], rows: Int, cols: Int, centres: [Double], k: Int, threads: Int = 1) -> [Int32] {
        precondition(points.count == rows * cols && centres.count == k * cols && k >= 1, "points and centres of the stated shape")
        var labels = [Int32](repeating: -1, count: rows)
        guard rows > 0 else { return labels }
        let table = CentreTable(centres: centres, k: k, cols: cols)
        defer { table.deallocate() }
        points.withUnsafeBufferPointer { p in
            labels.withUnsafeMutableBufferPointer { l in
                guard let base = p.baseAddress, let out = l.baseAddress else { return }
                _ = AssignmentKernel.assignAll(points: base, rows: rows, labels: out, table: table, threads: threads, computeError: false)
            }
        }
        return labels
    }
}
