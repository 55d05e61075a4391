import CustosPrivacy
import CustosPrivateMining
import CustosTesting
import Foundation
import XCTest

/// The seeded test source as a standard generator, for fixture points (not noise).
struct SeededGenerator: RandomNumberGenerator {
    var source: SeededRandomSource
    mutating func next() -> UInt64 { source.nextUInt64() }
}

/// The DP mining kernels, on their own: each states its cost before it runs, charges exactly
/// that, and tracks the exact algorithm within its stated error.
final class PrivateMiningTests: XCTestCase {
    // MARK: The DP k-means kernel

    func testDPKMeansTracksExactLloydFromTheSameStart() throws {
        // Three well-separated blobs of 1,000 points in the unit box.
        var generator = SeededGenerator(source: SeededRandomSource(seed: 99))
        let means: [(Double, Double)] = [(-0.6, -0.6), (0.6, -0.5), (0.0, 0.6)]
        var points: [Double] = []
        for (x, y) in means { for _ in 0..<1_000 { points += [x + Double.random(in: -0.1...0.1, using: &generator), y + Double.random(in: -0.1...0.1, using: &generator)] } }
        let rows = 3_000, k = 3, iterations = 5
        let handle = try PrivacyHandle(reserved: PrivacyCost(epsilon: 1.0), randomSource: SeededRandomSource(seed: 6))
        // A public start near the box's corners, from which exact Lloyd separates the blobs.
        let start = [-0.9, -0.9, 0.9, -0.9, 0.0, 0.9]
        let kmeans = try PrivateKMeans(k: k, dimensions: 2, iterations: iterations, epsilon: 1.0, initialCentres: start)
        XCTAssertEqual(kmeans.cost, PrivacyCost(epsilon: 1.0), "the cost is stated before any point is seen")
        let dp = try kmeans.run(points: points, handle: handle)
        XCTAssertLessThanOrEqual(handle.spent.epsilon, 1.0)
        XCTAssertGreaterThan(handle.spent.epsilon, 0.999)
        XCTAssertEqual(handle.releasedMechanisms.count, iterations * 3, "per iteration: one size histogram, one sum per feature")
        // Exact Lloyd from the same start (an empty cluster keeps its centre).
        var centres = start
        var sizes = [Int](repeating: 0, count: k)
        for _ in 0..<iterations {
            var sums = [Double](repeating: 0, count: k * 2)
            sizes = [Int](repeating: 0, count: k)
            for r in 0..<rows {
                let c = (0..<k).min { a, b in
                    let da = pow(points[2 * r] - centres[2 * a], 2) + pow(points[2 * r + 1] - centres[2 * a + 1], 2)
                    let db = pow(points[2 * r] - centres[2 * b], 2) + pow(points[2 * r + 1] - centres[2 * b + 1], 2)
                    return da < db
                } ?? 0
                sizes[c] += 1
                sums[2 * c] += points[2 * r]
                sums[2 * c + 1] += points[2 * r + 1]
            }
            for c in 0..<k where sizes[c] > 0 { centres[2 * c] = sums[2 * c] / Double(sizes[c]); centres[2 * c + 1] = sums[2 * c + 1] / Double(sizes[c]) }
        }
        for c in 0..<k where sizes[c] >= 100 {
            let n = Double(dp.sizes[c].value)
            XCTAssertLessThanOrEqual(abs(dp.sizes[c].value - Int64(sizes[c])), 3 * dp.sizes[c].halfWidth95)
            // |S'/N' - S/N| <= (|S' - S| + |S/N| |N' - N|) / N' with |S/N| <= 1.
            let tolerance = 3 * (dp.sumHalfWidth95 + Double(dp.sizes[c].halfWidth95)) / n
            for j in 0..<2 {
                XCTAssertEqual(dp.centres[2 * c + j], centres[2 * c + j], accuracy: tolerance, "cluster \(c) feature \(j)")
            }
        }
        XCTAssertEqual(sizes, [1_000, 1_000, 1_000], "exact Lloyd separates the blobs from this start")
    }

    func testSumHalfWidthMatchesTheConvolutionAndTheSingleDrawCase() throws {
        let noise = NoiseDistribution.discreteLaplace(scale: try Rational(1, 1))
        XCTAssertEqual(noise.halfWidthOfSum95(terms: 1), noise.halfWidth(confidence: 0.95))
        // Two draws of discrete Laplace(1): variance 2q/(1-q)^2 each, q = e^-1, sd of the sum ≈ 1.83;
        // the 95% half-width is a few units, at least the single draw's and at most twice it.
        let two = noise.halfWidthOfSum95(terms: 2)
        XCTAssertGreaterThanOrEqual(two, noise.halfWidth(confidence: 0.95))
        XCTAssertLessThanOrEqual(two, 2 * noise.halfWidth(confidence: 0.95))
        XCTAssertEqual(PrivatePairCounts.pairIndex(0, 1, 120), 0)
        XCTAssertEqual(PrivatePairCounts.pairIndex(118, 119, 120), 120 * 119 / 2 - 1)
    }

    func testFunnelDepthsAreEachCustomersDeepestStep() throws {
        // 10 customers; 7 reached step 1, 4 step 2, 1 step 3: depths 0×3, 1×3, 2×3, 3×1.
        XCTAssertEqual(PrivateFunnel.depths(subjects: 10, reached: [7, 4, 1]), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3])
        let funnel = try PrivateFunnel(steps: 3, epsilon: 0.8)
        let handle = try PrivacyHandle(reserved: funnel.cost, randomSource: SeededRandomSource(seed: 4))
        let result = try funnel.run(depths: PrivateFunnel.depths(subjects: 10, reached: [7, 4, 1]), handle: handle)
        XCTAssertEqual(result.bins.count, 4)
        XCTAssertEqual(handle.releasedMechanisms.count, 1, "one histogram")
        XCTAssertLessThanOrEqual(handle.spent.epsilon, 0.8)
        XCTAssertEqual(result.reachedHalfWidth95, result.reachedHalfWidth95.sorted(by: >), "deeper steps sum fewer bins")
        XCTAssertThrowsError(try PrivateFunnel(steps: 0, epsilon: 1))
        XCTAssertThrowsError(try PrivateFunnel(steps: 3, epsilon: -1))
    }

    func testPairCountsBoundBasketsAndChargeTheirStatedCost() throws {
        let counter = try PrivatePairCounts(catalogueSize: 4, maxBasketsPerSubject: 2, maxItemsPerBasket: 2, candidateItems: 3, epsilon: 1.0)
        // Owner 0 has three baskets (the third is dropped); "x" is outside the catalogue; items beyond
        // the first two in catalogue order are dropped.
        let bounded = counter.bound(owners: [0, 0, 0, 1], baskets: [["d", "a", "c"], ["b"], ["a", "b"], ["x", "b"]], catalogue: ["a", "b", "c", "d"])
        XCTAssertEqual(bounded.owners, [0, 0, 1])
        XCTAssertEqual(bounded.baskets, [[0, 2], [1], [1]])
        let handle = try PrivacyHandle(reserved: counter.cost, randomSource: SeededRandomSource(seed: 9))
        let result = try counter.run(owners: [0, 0, 0, 1], baskets: [["d", "a", "c"], ["b"], ["a", "b"], ["x", "b"]],
                                     catalogue: ["a", "b", "c", "d"], handle: handle)
        XCTAssertEqual(result.items.count, 4)
        XCTAssertEqual(result.candidates.count, 3)
        XCTAssertEqual(result.pairs.count, 3, "3 candidates make 3 pairs")
        XCTAssertEqual(handle.releasedMechanisms.count, 3)
        XCTAssertGreaterThan(handle.spent.epsilon, 0.999)
        XCTAssertLessThanOrEqual(handle.spent.epsilon, 1.0)
        // A handle holding less than the stated cost refuses the job midway, never overspends.
        let short = try PrivacyHandle(reserved: PrivacyCost(epsilon: 0.5), randomSource: SeededRandomSource(seed: 9))
        XCTAssertThrowsError(try counter.run(owners: [0], baskets: [["a", "b"]], catalogue: ["a", "b", "c", "d"], handle: short))
        XCTAssertLessThanOrEqual(short.spent.epsilon, 0.5)
    }
}
