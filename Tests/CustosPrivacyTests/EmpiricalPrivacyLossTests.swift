import CustosPrivacy
import CustosTesting
import XCTest

/// Observed privacy loss on neighbouring datasets (one subject added).
///
/// Each mechanism runs 200,000 times on each dataset; outputs are histogrammed and the log-ratio of
/// the two empirical probabilities is taken over bins holding at least 2,000 outputs in both. With
/// that many observations the standard error of one log-ratio is at most sqrt(2/2000) = 0.032, so a
/// tolerance of 0.15 (4.7 standard errors, with at most ~40 bins: false-failure rate below 1e-4)
/// separates "within epsilon" from a mechanism whose noise is calibrated for twice the epsilon.
final class EmpiricalPrivacyLossTests: XCTestCase {
    let runs = 200_000
    let tolerance = 0.15

    func outputs<M: PrivacyMechanism>(_ mechanism: M, _ input: M.Input, seed: UInt64, value: (M.Output) -> Int64) throws -> [Int64] {
        var random = SeededRandomSource(seed: seed)
        return try (0..<runs).map { _ in value(try mechanism.release(input, using: &random)) }
    }

    func testCountLossStaysWithinEpsilon() throws {
        let epsilon = 0.5
        let count = try CountMechanism(guarantee: .pure(epsilon: epsilon))
        let d1 = BoundedColumn.oneRowPerSubject([Double](repeating: 1, count: 100)).rowCount
        let d2 = BoundedColumn.oneRowPerSubject([Double](repeating: 1, count: 101)).rowCount
        let a = try outputs(count, d1, seed: 101) { $0.value }
        let b = try outputs(count, d2, seed: 102) { $0.value }
        let (loss, bins) = Statistics.observedPrivacyLoss(a, b, binWidth: 1, minimumCount: 2_000)
        XCTAssertGreaterThan(bins, 5)
        print("count: observed privacy loss \(loss) over \(bins) bins (claimed epsilon \(epsilon))")
        XCTAssertLessThanOrEqual(loss, epsilon + tolerance, "observed loss \(loss) over \(bins) bins")
        // The bound is tight for the Laplace count: the loss is close to epsilon, not far below.
        XCTAssertGreaterThan(loss, epsilon - tolerance)
    }

    func testNegativeControlMiscalibratedCountIsCaught() throws {
        // Noise built for epsilon = 1 while claiming 0.5: the check must see a loss above 0.5 + tolerance.
        let claimed = 0.5
        let count = try CountMechanism(guarantee: .pure(epsilon: 1.0))
        let d1 = BoundedColumn.oneRowPerSubject([Double](repeating: 1, count: 100)).rowCount
        let d2 = BoundedColumn.oneRowPerSubject([Double](repeating: 1, count: 101)).rowCount
        let a = try outputs(count, d1, seed: 103) { $0.value }
        let b = try outputs(count, d2, seed: 104) { $0.value }
        let (loss, _) = Statistics.observedPrivacyLoss(a, b, binWidth: 1, minimumCount: 2_000)
        print("negative control: observed privacy loss \(loss) (claimed \(claimed))")
        XCTAssertGreaterThan(loss, claimed + tolerance)
    }

    func testSumLossStaysWithinEpsilon() throws {
        // Values in [0, 4] on an integer grid; the added subject has the extreme value 4.
        let epsilon = 1.0
        let domain = try NumericDomain(lower: 0, upper: 4)
        let sum = try SumMechanism(domain: domain, guarantee: .pure(epsilon: epsilon))
        let base = (0..<50).map { Double($0 % 5) }
        let d1 = BoundedColumn.oneRowPerSubject(base)
        let d2 = BoundedColumn.oneRowPerSubject(base + [4])
        let a = try outputs(sum, d1, seed: 105) { Int64($0.value.rounded()) }
        let b = try outputs(sum, d2, seed: 106) { Int64($0.value.rounded()) }
        let (loss, bins) = Statistics.observedPrivacyLoss(a, b, binWidth: 2, minimumCount: 2_000)
        print("sum: observed privacy loss \(loss) over \(bins) bins (claimed epsilon \(epsilon))")
        XCTAssertGreaterThan(bins, 5)
        XCTAssertLessThanOrEqual(loss, epsilon + tolerance, "observed loss \(loss) over \(bins) bins")
    }

    func testGaussianCountLossMatchesItsConversion() throws {
        // rho = 0.125 (sigma^2 = 4). The realised loss on outputs with enough mass stays within the
        // (epsilon, delta) implied for delta = 1e-3: at most 1.42 by Bun & Steinke's bound.
        let count = try CountMechanism(guarantee: .concentrated(rho: 0.125))
        let d1 = BoundedColumn.oneRowPerSubject([Double](repeating: 1, count: 40)).rowCount
        let d2 = BoundedColumn.oneRowPerSubject([Double](repeating: 1, count: 41)).rowCount
        let a = try outputs(count, d1, seed: 107) { $0.value }
        let b = try outputs(count, d2, seed: 108) { $0.value }
        let (loss, bins) = Statistics.observedPrivacyLoss(a, b, binWidth: 1, minimumCount: 2_000)
        XCTAssertGreaterThan(bins, 5)
        XCTAssertLessThanOrEqual(loss, ZeroConcentratedConversion.epsilon(rho: 0.125, delta: 1e-3) + tolerance)
    }
}
