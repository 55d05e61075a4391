import Foundation

/// Greedy k-means++ seeding (Arthur and Vassilvitskii 2007), as scikit-learn implements it.
///
/// The first centre is a uniformly drawn point. Each further centre: draw `2 + floor(ln k)`
/// candidates with probability proportional to the squared distance to the nearest chosen centre,
/// keep the candidate that most reduces the total squared distance. All randomness comes from
/// the caller's generator, so a seeded generator gives reproducible centres.
///
/// Cost: `O(rows * cols * k * (2 + ln k))`.
public enum KMeansPlusPlus {
    /// `k x cols` initial centres (row-major), each a copy of one of the points.
    public static func initialCentres<G: RandomNumberGenerator>(
        points: [Double], rows: Int, cols: Int, k: Int, using generator: inout G
    ) throws -> [Double] {
        try KMeans.validate(points: points, rows: rows, cols: cols, k: k)
        let trials = 2 + Int(log(Double(k)))
        var centres: [Double] = []
        centres.reserveCapacity(k * cols)
        let first = Int.random(in: 0..<rows, using: &generator)
        centres.append(contentsOf: points[(first * cols)..<((first + 1) * cols)])
        var closest = squaredDistances(points, rows: rows, cols: cols, to: first)
        var potential = closest.reduce(0, +)
        var cumulative = [Double](repeating: 0, count: rows)
        for _ in 1..<k {
            var running = 0.0
            for i in 0..<rows {
                running += closest[i]
                cumulative[i] = running
            }
            var bestCandidate = -1
            var bestPotential = Double.infinity
            var bestDistances: [Double] = []
            for _ in 0..<trials {
                let target = Double.random(in: 0..<1, using: &generator) * potential
                // First index whose cumulative sum reaches the target (numpy searchsorted, left).
                var lo = 0, hi = rows
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
                }
                let candidate = min(lo, rows - 1)
                var distances = squaredDistances(points, rows: rows, cols: cols, to: candidate)
                var total = 0.0
                for i in 0..<rows {
                    distances[i] = min(distances[i], closest[i])
                    total += distances[i]
                }
                if total < bestPotential {
                    bestPotential = total
                    bestCandidate = candidate
                    bestDistances = distances
                }
            }
            centres.append(contentsOf: points[(bestCandidate * cols)..<((bestCandidate + 1) * cols)])
            closest = bestDistances
            potential = bestPotential
        }
        return centres
    }

    static func squaredDistances(_ points: [Double], rows: Int, cols: Int, to row: Int) -> [Double] {
        var result = [Double](repeating: 0, count: rows)
        points.withBasePointer { p in
            let c = p + row * cols
            for i in 0..<rows {
                var d = 0.0
                for j in 0..<cols {
                    let diff = p[i * cols + j] - c[j]
                    d += diff * diff
                }
                result[i] = d
            }
        }
        return result
    }
}
