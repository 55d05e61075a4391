import CustosPrivacy
import CustosTesting
import Foundation
import XCTest

final class PartitionSelectionTests: XCTestCase {
    func testThresholdFollowsFromEpsilonAndDelta() throws {
        // epsilon 1, L0 = L∞ = 1: scale 1, q = e^-1. Smallest k with q^k / (1 + q) <= 1e-5 is 12
        // (q^12/(1+q) = 4.5e-6, q^11/(1+q) = 1.2e-5); threshold = L∞ + k + 1 margin = 14.
        let mechanism = try GroupByCountMechanism<String>(guarantee: .pure(epsilon: 1), delta: 1e-5, bounds: .oneRowPerSubject)
        XCTAssertEqual(mechanism.threshold, 14)
        XCTAssertEqual(mechanism.cost, PrivacyCost(epsilon: 1, delta: 1e-5))
    }

    func testSingleSubjectKeysArePracticallyNeverReleased() throws {
        // A key held by one subject is released only if its noise is >= 13: probability
        // q^13/(1+q) = 1.66e-6 <= delta. Over 100,000 runs the expected number of releases is 0.17;
        // more than 3 would have probability below 1e-4 (Poisson), so the check fails falsely at most that often.
        let mechanism = try GroupByCountMechanism<String>(guarantee: .pure(epsilon: 1), delta: 1e-5, bounds: .oneRowPerSubject,
                                                         publicKeys: ["public-empty"])
        let input = BoundedGroupedColumn<String, Int>.oneRowPerSubject(
            keys: ["rare"] + [String](repeating: "common", count: 200), values: [Int](repeating: 0, count: 201))
        var random = SeededRandomSource(seed: 201)
        var rareReleased = 0
        var commonReleased = 0
        var publicReleased = 0
        let runs = 100_000
        for _ in 0..<runs {
            let result = try mechanism.release(input.groupKeys, using: &random)
            if result.counts["rare"] != nil { rareReleased += 1 }
            if result.counts["common"] != nil { commonReleased += 1 }
            if result.counts["public-empty"] != nil { publicReleased += 1 }
        }
        let releaseProbability = NoiseDistribution.discreteLaplace(scale: try Rational(1)).upperTail(atLeast: 13)
        XCTAssertLessThanOrEqual(releaseProbability, 1e-5)
        XCTAssertLessThanOrEqual(rareReleased, 3)
        XCTAssertEqual(commonReleased, runs)  // 200 subjects: far above the threshold
        XCTAssertEqual(publicReleased, runs)  // public keys are always released, even when empty
    }

    func testKeysNearTheThresholdAreReleasedAtTheExactRate() throws {
        // A key with count 14 (= threshold) is released iff noise >= 0: P = 1 - P(Z <= -1) = 1 - q/(1+q).
        let mechanism = try GroupByCountMechanism<Int>(guarantee: .pure(epsilon: 1), delta: 1e-5, bounds: .oneRowPerSubject)
        let input = BoundedGroupedColumn<Int, Int>.oneRowPerSubject(keys: [Int](repeating: 7, count: 14), values: [Int](repeating: 0, count: 14))
        var random = SeededRandomSource(seed: 202)
        let runs = 50_000
        var released = 0
        for _ in 0..<runs where try mechanism.release(input.groupKeys, using: &random).counts[7] != nil { released += 1 }
        let q = exp(-1.0)
        let p = 1 - q / (1 + q)
        let z = (Double(released) - Double(runs) * p) / (Double(runs) * p * (1 - p)).squareRoot()
        XCTAssertLessThan(abs(z), Statistics.zTwoSided1e4)
    }

    func testGaussianPartitionSelectionThreshold() throws {
        // rho = 0.5, L0 = 2, L∞ = 1: sigma^2 = 2 / (2 * 0.5) = 2; k = ceil(sqrt(2 * 2 * ln(2 / 1e-6))) = 8,
        // and 7 fails (exp(-49/4) = 4.8e-6 > 5e-7); threshold = 1 + 8 + 1 = 10.
        let mechanism = try GroupByCountMechanism<String>(
            guarantee: .concentrated(rho: 0.5), delta: 1e-6,
            bounds: try ContributionBounds(maxRowsPerSubject: 1, maxGroupsPerSubject: 2))
        XCTAssertEqual(mechanism.declaration.noise, [.discreteGaussian(sigmaSquared: try Rational(2))])
        XCTAssertEqual(mechanism.threshold, 10)
        XCTAssertEqual(mechanism.cost, PrivacyCost(delta: 1e-6, rho: 0.5))
    }

    func testGroupedBoundingLimitsGroupsAndRows() throws {
        let bounded = try ContributionBounder.bound(
            subjects: ["s1", "s1", "s1", "s1", "s2"], keys: ["a", "a", "b", "c", "c"], values: [1, 2, 3, 4, 5],
            bounds: try ContributionBounds(maxRowsPerSubject: 1, maxGroupsPerSubject: 2))
        XCTAssertEqual(bounded.keys, ["a", "b", "c"])
        XCTAssertEqual(bounded.values, [1, 3, 5])
    }
}
