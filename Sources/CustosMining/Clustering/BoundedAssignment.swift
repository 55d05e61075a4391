/// Per-point distance bounds for Hamerly's accelerated Lloyd step (Hamerly 2010).
///
/// `upper[i]` bounds the distance from point `i` to its assigned centre from above, `lower[i]`
/// bounds its distance to every other centre from below. When centres move by `drift`, the
/// bounds loosen by the drift; a point whose upper bound is below both its lower bound and half
/// the distance from its centre to the nearest other centre cannot change cluster and is skipped.
/// Otherwise it is rescored exactly as plain Lloyd does. Bounds carry a safety margin far above
/// floating-point rounding, so skipping never changes a label: the labels, sums and centres are
/// those of plain Lloyd.
// @unchecked: each worker reads and writes the bounds of its own rows only.
struct DistanceBounds: @unchecked Sendable {
    let upper: UnsafeMutablePointer<Double>
    let lower: UnsafeMutablePointer<Double>

    init(rows: Int) {
        upper = .allocate(capacity: rows)
        lower = .allocate(capacity: rows)
    }

    func deallocate() {
        upper.deallocate()
        lower.deallocate()
    }
}

/// Centre movement data for one bounded pass.
struct CentreMotion: Sendable {
    /// Distance each centre moved since the previous pass.
    var drift: [Double]
    /// For a point in cluster `c`: the largest drift among the other centres.
    var otherDrift: [Double]
    /// Half the distance from each centre to its nearest other centre.
    var halfGap: [Double]
    /// Safety margin added to upper and removed from lower bounds.
    var margin: Double

    init(previous: [Double]?, current: [Double], k: Int, cols: Int, maxPointNorm: Double) {
        func distance(_ a: [Double], _ i: Int, _ b: [Double], _ j: Int) -> Double {
            var d = 0.0
            for t in 0..<cols {
                let diff = a[i * cols + t] - b[j * cols + t]
                d += diff * diff
            }
            return d.squareRoot()
        }
        drift = (0..<k).map { c in previous.map { distance($0, c, current, c) } ?? 0 }
        var largest = -1.0, largestIndex = -1, secondLargest = 0.0
        for c in 0..<k {
            if drift[c] > largest {
                secondLargest = max(largest, 0)
                largest = drift[c]
                largestIndex = c
            } else if drift[c] > secondLargest {
                secondLargest = drift[c]
            }
        }
        otherDrift = (0..<k).map { $0 == largestIndex ? secondLargest : max(largest, 0) }
        halfGap = [Double](repeating: .infinity, count: k)
        var maxCentreNorm = 0.0
        for c in 0..<k {
            var norm = 0.0
            for t in 0..<cols { norm += current[c * cols + t] * current[c * cols + t] }
            maxCentreNorm = max(maxCentreNorm, norm.squareRoot())
            for other in 0..<k where other != c {
                halfGap[c] = min(halfGap[c], 0.5 * distance(current, c, current, other))
            }
        }
        margin = 1e-7 * (maxPointNorm + maxCentreNorm)
    }
}

extension CentreTable {
    /// Nearest centre (first minimum score) and the best and second-best scores.
    @inline(__always)
    func nearestTwo(_ x: UnsafePointer<Double>) -> (Int, Double, Double) {
        var best = Double.infinity, second = Double.infinity
        var bestCentre = 0
        for b in 0..<blocks {
            let acc = scores(x, block: b)
            for lane in 0..<4 {
                let v = acc[lane]
                if v < best {
                    second = best
                    best = v
                    bestCentre = b * 4 + lane
                } else if v < second {
                    second = v
                }
            }
        }
        return (bestCentre, best, second)
    }
}

extension AssignmentKernel {
    /// A Lloyd assignment step over rows `range` that skips points whose bounds prove their label.
    static func boundedAssign(
        _ shared: SharedPointers, range: Range<Int>, table: CentreTable, centres: UnsafePointer<Double>,
        motion: CentreMotion, bounds: DistanceBounds, first: Bool
    ) -> PartialAssignment {
        let cols = table.cols
        var sums = [Double](repeating: 0, count: table.k * cols)
        var counts = [Int](repeating: 0, count: table.k)
        var changed = 0
        let margin = motion.margin
        motion.drift.withUnsafeBufferPointer { drift in
            motion.otherDrift.withUnsafeBufferPointer { otherDrift in
                motion.halfGap.withUnsafeBufferPointer { halfGap in
                    sums.withMutableBasePointer { s in
                        counts.withMutableBasePointer { n in
                            for i in range {
                                let x = shared.points + i * cols
                                var a = Int(shared.labels[i])
                                var rescore = first
                                var u = 0.0, l = 0.0
                                if !first {
                                    u = bounds.upper[i] + drift[a]
                                    l = bounds.lower[i] - otherDrift[a]
                                    let z = max(l, halfGap[a])
                                    if u > z {
                                        var d = 0.0
                                        let c = centres + a * cols
                                        for j in 0..<cols {
                                            let diff = x[j] - c[j]
                                            d += diff * diff
                                        }
                                        u = d.squareRoot() + margin
                                        rescore = u > z
                                    }
                                }
                                if rescore {
                                    let (c, best, second) = table.nearestTwo(x)
                                    var xx = 0.0
                                    for j in 0..<cols { xx += x[j] * x[j] }
                                    u = max(0, best + xx).squareRoot() + margin
                                    l = max(0, second + xx).squareRoot() - margin
                                    if c != a {
                                        changed += 1
                                        a = c
                                        shared.labels[i] = Int32(c)
                                    }
                                }
                                bounds.upper[i] = u
                                bounds.lower[i] = l
                                n[a] += 1
                                let row = s + a * cols
                                for j in 0..<cols { row[j] += x[j] }
                            }
                        }
                    }
                }
            }
        }
        return PartialAssignment(sums: sums, counts: counts, changed: changed, squaredError: 0)
    }

    /// Runs `boundedAssign` over all rows on `threads` workers and merges the partial sums.
    static func boundedAssignAll(
        points: UnsafePointer<Double>, rows: Int, labels: UnsafeMutablePointer<Int32>, table: CentreTable,
        centres: [Double], motion: CentreMotion, bounds: DistanceBounds, first: Bool, threads: Int
    ) -> (ClusterSums, changed: Int) {
        AssignmentKernel.parallel(points: points, rows: rows, labels: labels, table: table, threads: threads) { shared, range in
            centres.withBasePointer { c in
                boundedAssign(shared, range: range, table: table, centres: c, motion: motion, bounds: bounds, first: first)
            }
        }
    }
}
