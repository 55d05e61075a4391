import CustosPrivacy
import CustosTesting
import Foundation
import XCTest

/// Behaviour of the mechanisms on known data (fixed seeds).
final class MechanismTests: XCTestCase {
    /// 10,000 values 0, 0.5, 1, ..., cycling over [0, 99.5]: mean 49.75, population variance 833.3125.
    let values: [Double] = (0..<10_000).map { Double($0 % 200) / 2 }

    func testNumericDomainClampsAndRoundsOntoTheGrid() throws {
        let domain = try NumericDomain(lower: -1.5, upper: 2.25, decimalPlaces: 1)
        XCTAssertEqual(domain.lowerUnits, -15)
        XCTAssertEqual(domain.upperUnits, 22)  // 22.5 rounds to 22 (ties to even)
        XCTAssertEqual(domain.units(1.04), 10)
        XCTAssertEqual(domain.units(1.06), 11)
        XCTAssertEqual(domain.units(99), 22)
        XCTAssertEqual(domain.units(-7), -15)
        XCTAssertNil(domain.units(.nan))
        XCTAssertThrowsError(try NumericDomain(lower: 1, upper: 0))
        XCTAssertThrowsError(try NumericDomain(lower: 0, upper: 1e9, decimalPlaces: 3))  // 1e12 units > 2^33
    }

    func testSumMeanAndVarianceIntervalsCoverTheTruth() throws {
        let domain = try NumericDomain(lower: 0, upper: 100, decimalPlaces: 1)
        let data = BoundedColumn.oneRowPerSubject(values)
        var random = SeededRandomSource(seed: 301)
        let sum = try SumMechanism(domain: domain, guarantee: .pure(epsilon: 1)).release(data, using: &random)
        XCTAssertTrue(sum.lower95 <= 497_500 && 497_500 <= sum.upper95, "\(sum)")
        XCTAssertEqual(sum.value, 497_500, accuracy: 2_000)
        let mean = try MeanMechanism(domain: domain, guarantee: .pure(epsilon: 1)).release(data, using: &random)
        XCTAssertTrue(mean.lower95 <= 49.75 && 49.75 <= mean.upper95, "\(mean)")
        XCTAssertEqual(mean.value, 49.75, accuracy: 0.5)
        let variance = try VarianceMechanism(domain: domain, guarantee: .concentrated(rho: 1)).release(data, using: &random)
        XCTAssertTrue(variance.lower95 <= 833.3125 && 833.3125 <= variance.upper95, "\(variance)")
        XCTAssertEqual(variance.value, 833.3125, accuracy: 25)
    }

    func testMeanIntervalCoverageIsAtLeastNinetyFivePercent() throws {
        // 2,000 runs on a small dataset; at 95% nominal the coverage should exceed 93% unless the
        // interval is wrong (binomial: P(coverage < 93% | p = 95%) < 1e-4).
        let domain = try NumericDomain(lower: 0, upper: 10)
        let data = BoundedColumn.oneRowPerSubject((0..<50).map { Double($0 % 11) })
        let truth = data.values.reduce(0, +) / 50
        let mean = try MeanMechanism(domain: domain, guarantee: .pure(epsilon: 0.5))
        var random = SeededRandomSource(seed: 302)
        var covered = 0
        for _ in 0..<2_000 {
            let r = try mean.release(data, using: &random)
            if r.lower95 <= truth && truth <= r.upper95 { covered += 1 }
        }
        XCTAssertGreaterThan(covered, 1_860)
    }

    func testCountIntervalIsExactForLaplace() throws {
        // Scale 1/epsilon = 2: P(|Z| > w) = 2 q^(w+1)/(1+q), q = e^-0.5; the smallest w <= 0.05 is 6.
        let count = try CountMechanism(guarantee: .pure(epsilon: 0.5))
        var random = SeededRandomSource(seed: 303)
        let r = try count.release(BoundedColumn.oneRowPerSubject(values).rowCount, using: &random)
        XCTAssertEqual(r.halfWidth95, 6)
        let q = exp(-0.5)
        XCTAssertLessThanOrEqual(2 * pow(q, 7) / (1 + q), 0.05)
        XCTAssertGreaterThan(2 * pow(q, 6) / (1 + q), 0.05)
    }

    func testHistogramCountsAreNearTheTruth() throws {
        let domain = try NumericDomain(lower: 0, upper: 100)
        let histogram = try HistogramMechanism.equalWidth(bins: 10, over: domain, guarantee: .pure(epsilon: 1))
        var random = SeededRandomSource(seed: 304)
        let counts = try histogram.release(BoundedColumn.oneRowPerSubject(values + [-5, 250, .nan]), using: &random)
        XCTAssertEqual(counts.count, 10)
        // Each bin [10i, 10i+10) holds 1,000 values; -5 and 250 are clamped into the end bins.
        for (i, c) in counts.enumerated() {
            let truth: Int64 = (i == 0 || i == 9) ? 1_001 : 1_000
            XCTAssertLessThanOrEqual(abs(c.value - truth), 12)  // P(|Z| > 12) = 1.1e-5 at scale 1
        }
    }

    func testHistogramBinsAreExactForUnevenEdges() throws {
        // epsilon 1e6: noise scale 1e-6, P(noise != 0) = 2e^(-1e6)/(1+e^(-1e6)), i.e. zero in practice.
        let histogram = try HistogramMechanism(edges: [0, 1, 10, 100], guarantee: .pure(epsilon: 1e6))
        var random = SeededRandomSource(seed: 309)
        let data = BoundedColumn.oneRowPerSubject([-3, 0, 0.999, 1, 9.99, 10, 55, 100, 1e9, .nan])
        XCTAssertEqual(try histogram.release(data, using: &random).map(\.value), [3, 2, 4])
        let even = try HistogramMechanism.equalWidth(bins: 4, over: try NumericDomain(lower: 0, upper: 1), guarantee: .pure(epsilon: 1e6))
        let quarters = BoundedColumn.oneRowPerSubject([0, 0.25, 0.2499999, 0.5, 0.75, 1, 0.999999])
        XCTAssertEqual(try even.release(quarters, using: &random).map(\.value), [2, 1, 1, 3])
    }

    func testQuantileFindsTheMedianOnTheGrid() throws {
        let candidates = (0...100).map(Double.init)
        let median = try QuantileMechanism(level: 0.5, candidates: candidates, guarantee: .pure(epsilon: 1))
        var random = SeededRandomSource(seed: 305)
        let data = BoundedColumn.oneRowPerSubject(values)
        var picks: [Double] = []
        for _ in 0..<50 { picks.append(try median.release(data, using: &random).value) }
        // True median 49.75: #{x < c} is 4,980 at c = 50, 5,000 at c = 50.5 (off grid); candidates 49-51.
        XCTAssertTrue(picks.allSatisfy { (48...52).contains($0) }, "\(picks)")
        XCTAssertLessThan(median.rankErrorBound95, 20)
        XCTAssertThrowsError(try QuantileMechanism(level: 0.5, candidates: [2, 1], guarantee: .pure(epsilon: 1)))
        XCTAssertThrowsError(try QuantileMechanism(level: 0.5, candidates: [1, 2], guarantee: .concentrated(rho: 1)))
    }

    func testQuantileSamplerMatchesTheExponentialMechanism() throws {
        // Three candidates with utilities -|10000 * below - 5000 * n| for n = 4 values {0,0,5,5}
        // and candidates {0, 3, 9}: below = 0, 2, 4 -> u = -20000, 0, -20000. Sensitivity 5000,
        // epsilon = 0.25 -> weights exp(0.25 * u / 10000) = e^-0.5, 1, e^-0.5.
        let mechanism = try QuantileMechanism(level: 0.5, candidates: [0, 3, 9], guarantee: .pure(epsilon: 0.25))
        let data = BoundedColumn.oneRowPerSubject([0.0, 0, 5, 5])
        var random = SeededRandomSource(seed: 306)
        var counts = [0, 0, 0]
        let n = 60_000
        for _ in 0..<n { counts[try mechanism.release(data, using: &random).candidateIndex] += 1 }
        let w = exp(-0.5)
        let expected = [w, 1, w].map { Double(n) * $0 / (1 + 2 * w) }
        let stat = zip(counts, expected).reduce(0.0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) / $1.1 }
        XCTAssertLessThan(stat, 18.42)  // chi-square df 2, alpha 1e-4
    }

    func testNoisyMaxAndTopK() throws {
        let scores: [Int64] = [10, 500, 30, 400, 20]
        let top2 = try NoisyMaxMechanism(k: 2, scoreSensitivity: 1, monotone: true, guarantee: .pure(epsilon: 1))
        var random = SeededRandomSource(seed: 307)
        XCTAssertEqual(try top2.release(scores, using: &random), [1, 3])
        // Declared noise: monotone scale = k * Δ / epsilon = 2; non-monotone doubles it.
        XCTAssertEqual(top2.declaration.noise, [.discreteLaplace(scale: try Rational(2))])
        let general = try NoisyMaxMechanism(scoreSensitivity: 3, monotone: false, guarantee: .pure(epsilon: 0.5))
        XCTAssertEqual(general.declaration.noise, [.discreteLaplace(scale: try Rational(12))])
        // Close scores: selection frequencies follow the noise (index 0 wins more often than 1).
        let near: [Int64] = [3, 2]
        let rnm = try NoisyMaxMechanism(scoreSensitivity: 1, monotone: true, guarantee: .pure(epsilon: 1))
        var wins = 0
        for _ in 0..<5_000 where try rnm.release(near, using: &random) == [0] { wins += 1 }
        XCTAssertTrue((2_700...4_300).contains(wins), "\(wins)")
    }

    func testCorrelationFromNoisySufficientStatistics() throws {
        // y = 2x + small deterministic wobble: r close to 1; y = -x: r = -1.
        let xs = (0..<20_000).map { Double($0 % 100) }
        let pairs = xs.enumerated().map { NumericPair(x: $0.element, y: 2 * $0.element + Double($0.offset % 7) - 3) }
        let mechanism = try CorrelationMechanism(
            xDomain: try NumericDomain(lower: 0, upper: 100), yDomain: try NumericDomain(lower: -10, upper: 210),
            guarantee: .pure(epsilon: 1))
        var random = SeededRandomSource(seed: 308)
        let result = try mechanism.release(BoundedColumn.oneRowPerSubject(pairs), using: &random)
        let exact = PairCorrelationSums(
            count: Double(pairs.count), sumX: pairs.reduce(0) { $0 + $1.x }, sumY: pairs.reduce(0) { $0 + $1.y },
            sumXX: pairs.reduce(0) { $0 + $1.x * $1.x }, sumYY: pairs.reduce(0) { $0 + $1.y * $1.y },
            sumXY: pairs.reduce(0) { $0 + $1.x * $1.y })
        let truth = try XCTUnwrap(exact.pearsonCorrelation)
        XCTAssertEqual(try XCTUnwrap(result.correlation), truth, accuracy: 0.02)
        XCTAssertEqual(result.noisyStatistics.count, 6)
        let negative = PairCorrelationSums(count: 3, sumX: 6, sumY: -6, sumXX: 14, sumYY: 14, sumXY: -14)
        XCTAssertEqual(try XCTUnwrap(negative.pearsonCorrelation), -1, accuracy: 1e-12)
        XCTAssertNil(PairCorrelationSums(count: 3, sumX: 3, sumY: 1, sumXX: 3, sumYY: 1, sumXY: 1).pearsonCorrelation)
    }

    func testMultiRowSubjectsRaiseTheSensitivity() throws {
        let bounds = try ContributionBounds(maxRowsPerSubject: 5)
        let count = try CountMechanism(guarantee: .pure(epsilon: 1), bounds: bounds)
        XCTAssertEqual(count.declaration.noise, [.discreteLaplace(scale: try Rational(5))])
        let sum = try SumMechanism(domain: try NumericDomain(lower: -3, upper: 2), guarantee: .pure(epsilon: 1), bounds: bounds)
        XCTAssertEqual(sum.declaration.noise, [.discreteLaplace(scale: try Rational(15))])
    }
}
