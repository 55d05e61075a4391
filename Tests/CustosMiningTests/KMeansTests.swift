import CustosBase
import XCTest
@testable import CustosMining

final class KMeansTests: XCTestCase {
    private func iris() throws -> (points: [Double], species: [Int]) {
        var points: [Double] = []
        var species: [Int] = []
        for line in try Fixture.lines("iris.csv").dropFirst() {
            let fields = line.split(separator: ",")
            points.append(contentsOf: fields[0..<4].map { Double($0)! })
            species.append(Int(fields[4])!)
        }
        return (points, species)
    }

    private func initialRows(_ points: [Double], _ rows: [Int]) -> [Double] {
        rows.flatMap { points[($0 * 4)..<($0 * 4 + 4)] }
    }

    func testIrisWithRows0_50_100MatchesScikitLearn() throws {
        let (points, _) = try iris()
        let reference = try Fixture.json("kmeans_iris.json")
        for threads in [1, 2] {
            let fit = try KMeans.fit(
                points: points, rows: 150, cols: 4, k: 3, initialCentres: initialRows(points, [0, 50, 100]),
                options: KMeansOptions(threads: threads))
            XCTAssertEqual(fit.inertia, 78.8514414261, accuracy: 1e-6)
            XCTAssertEqual(fit.inertia, reference["inertia"] as! Double, accuracy: 1e-9)
            XCTAssertEqual(fit.sizes, [50, 62, 38])
            XCTAssertEqual(fit.labels.map(Int.init), reference["labels"] as! [Int])
            XCTAssertEqual(fit.iterations, reference["iterations"] as! Int)
            XCTAssertTrue(fit.converged)
            let centres = (reference["centres"] as! [[Double]]).flatMap { $0 }
            for (a, b) in zip(fit.centres, centres) { XCTAssertEqual(a, b, accuracy: 1e-9) }
            let silhouette = try Silhouette.exact(points: points, rows: 150, cols: 4, labels: fit.labels, threads: threads)
            XCTAssertEqual(silhouette, reference["silhouette"] as! Double, accuracy: 1e-9)
        }
    }

    func testStandardisedIrisMatchesScikitLearn() throws {
        let (points, _) = try iris()
        let reference = try Fixture.json("kmeans_iris.json")["standardised"] as! [String: Any]
        let scaler = try FeatureStandardizer(points: points, rows: 150, cols: 4)
        let z = try scaler.transform(points)
        let fit = try KMeans.fit(points: z, rows: 150, cols: 4, k: 3, initialCentres: initialRows(z, [0, 50, 100]))
        XCTAssertEqual(fit.inertia, reference["inertia"] as! Double, accuracy: 1e-9)
        XCTAssertEqual(fit.sizes, reference["sizes"] as! [Int])
        XCTAssertEqual(fit.labels.map(Int.init), reference["labels"] as! [Int])
        let silhouette = try Silhouette.exact(points: z, rows: 150, cols: 4, labels: fit.labels)
        XCTAssertEqual(silhouette, reference["silhouette"] as! Double, accuracy: 1e-9)
        // Standardised columns have mean 0 and population variance 1.
        for j in 0..<4 {
            let column = stride(from: j, to: z.count, by: 4).map { z[$0] }
            XCTAssertEqual(column.reduce(0, +) / 150, 0, accuracy: 1e-12)
            XCTAssertEqual(column.map { $0 * $0 }.reduce(0, +) / 150, 1, accuracy: 1e-12)
        }
    }

    func testHandComputedTwoClusters() throws {
        // 1-D points {0, 1, 10, 11} from centres {0, 1}: converges to {0.5, 10.5}, SSE 4 * 0.25 = 1.
        let fit = try KMeans.fit(points: [0, 1, 10, 11], rows: 4, cols: 1, k: 2, initialCentres: [0, 1])
        XCTAssertEqual(fit.centres, [0.5, 10.5])
        XCTAssertEqual(fit.labels, [0, 0, 1, 1])
        XCTAssertEqual(fit.inertia, 1)
        // Silhouette by hand: point 0: a = 1, b = (10 + 11) / 2 = 10.5, s = 9.5 / 10.5, etc.
        let s0 = (10.5 - 1) / 10.5, s1 = (9.5 - 1) / 9.5
        let expected = (2 * s0 + 2 * s1) / 4
        XCTAssertEqual(try Silhouette.exact(points: [0, 1, 10, 11], rows: 4, cols: 1, labels: fit.labels), expected, accuracy: 1e-15)
    }

    func testEmptyClusterTakesTheFarthestPoint() throws {
        // Centre 2 at 100 attracts no point; scikit-learn moves the point farthest from its centre (11) there.
        let fit = try KMeans.fit(
            points: [0, 1, 2, 11], rows: 4, cols: 1, k: 2 + 1, initialCentres: [0, 2, 100],
            options: KMeansOptions(maxIterations: 1))
        XCTAssertEqual(fit.centres, [0.5, 2, 11])
        XCTAssertEqual(fit.sizes, [2, 1, 1])
    }

    func testFixedIterationsWithoutTolerance() throws {
        let (points, _) = try iris()
        let fit = try KMeans.fit(
            points: points, rows: 150, cols: 4, k: 3, initialCentres: initialRows(points, [0, 1, 2]),
            options: KMeansOptions(maxIterations: 40, tolerance: nil))
        XCTAssertEqual(fit.iterations, 40)
        XCTAssertFalse(fit.converged)
    }

    func testKMeansPlusPlusWithSeedsFindsTheBestIrisSolution() throws {
        // Ten seeded k-means++ starts (scikit-learn's n_init = 10 practice): the best reaches the known
        // optimum 78.8514 and every start is a valid local optimum no worse than the poor 142.754 one.
        let (points, _) = try iris()
        var best = Double.infinity
        for seed in 1...10 {
            var generator = SplitMix64(seed: UInt64(seed))
            let centres = try KMeansPlusPlus.initialCentres(points: points, rows: 150, cols: 4, k: 3, using: &generator)
            // Every centre is one of the points, and they are distinct.
            let rows = (0..<3).map { c in (0..<150).first { r in Array(points[(r * 4)..<(r * 4 + 4)]) == Array(centres[(c * 4)..<(c * 4 + 4)]) } }
            XCTAssertTrue(rows.allSatisfy { $0 != nil })
            XCTAssertEqual(Set(rows.compactMap { $0 }).count, 3)
            var again = SplitMix64(seed: UInt64(seed))
            let fit = try KMeans.fit(points: points, rows: 150, cols: 4, k: 3, using: &again)
            XCTAssertLessThanOrEqual(fit.inertia, 142.7541)
            best = min(best, fit.inertia)
        }
        XCTAssertEqual(best, 78.8514414261, accuracy: 1e-6)
    }

    func testAssignmentStatisticsMergeAcrossShards() throws {
        let (points, _) = try iris()
        let centres = initialRows(points, [0, 50, 100])
        let whole = try KMeans.assignmentStatistics(points: points, rows: 150, cols: 4, k: 3, centres: centres)
        var merged = try KMeans.assignmentStatistics(points: Array(points[0..<400]), rows: 100, cols: 4, k: 3, centres: centres)
        try merged.merge(KMeans.assignmentStatistics(points: Array(points[400...]), rows: 50, cols: 4, k: 3, centres: centres))
        XCTAssertEqual(merged.counts, whole.counts)
        for (a, b) in zip(merged.sums, whole.sums) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(merged.squaredError, whole.squaredError, accuracy: 1e-9)
        XCTAssertThrowsError(try merged.merge(ClusterSums(k: 2, cols: 4)))
    }

    func testSampledSilhouetteUsesTheSubsetOnly() throws {
        let (points, species) = try iris()
        let labels = species.map(Int32.init)
        let exact = try Silhouette.exact(points: points, rows: 150, cols: 4, labels: labels)
        var generator = SplitMix64(seed: 7)
        let all = try Silhouette.sampled(points: points, rows: 150, cols: 4, labels: labels, sampleSize: 150, using: &generator)
        XCTAssertEqual(all, exact, accuracy: 1e-12)  // a sample of everything is the exact score
        XCTAssertThrowsError(try Silhouette.exact(points: points, rows: 150, cols: 4, labels: [Int32](repeating: 0, count: 150)))
    }

    func testBoundedLloydEqualsPlainLloyd() throws {
        // The Hamerly-accelerated fit must give the same centres as plain Lloyd steps built from
        // assignmentStatistics (no bounds). Seeded data, so the outcome is fixed.
        var generator = SplitMix64(seed: 3)
        let rows = 4000, cols = 3, k = 6
        let points = (0..<(rows * cols)).map { _ in Double.random(in: -1..<1, using: &generator) }
        let initial = Array(points[0..<(k * cols)])
        let fit = try KMeans.fit(
            points: points, rows: rows, cols: cols, k: k, initialCentres: initial,
            options: KMeansOptions(maxIterations: 12, tolerance: nil, threads: 2))
        var centres = initial
        for _ in 0..<12 {
            let step = try KMeans.assignmentStatistics(points: points, rows: rows, cols: cols, k: k, centres: centres)
            XCTAssertFalse(step.counts.contains(0))
            centres = step.centres(previous: centres)
        }
        for (a, b) in zip(fit.centres, centres) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let last = try KMeans.assignmentStatistics(points: points, rows: rows, cols: cols, k: k, centres: centres)
        XCTAssertEqual(fit.sizes, last.counts)
        XCTAssertEqual(fit.inertia, last.squaredError, accuracy: 1e-9)
    }

    func testRejectsBadShapes() {
        XCTAssertThrowsError(try KMeans.fit(points: [1, 2, 3], rows: 2, cols: 2, k: 1, initialCentres: [0, 0]))
        XCTAssertThrowsError(try KMeans.fit(points: [1, 2], rows: 2, cols: 1, k: 3, initialCentres: [0, 0, 0]))
        XCTAssertThrowsError(try KMeans.fit(points: [1, 2], rows: 2, cols: 1, k: 2, initialCentres: [0]))
    }
}
