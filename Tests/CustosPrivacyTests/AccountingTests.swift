@testable import CustosPrivacy
import CustosTesting
import Foundation
import XCTest

final class AccountingTests: XCTestCase {
    func testSequentialCompositionAddsEachComponent() {
        let a = PrivacyCost(epsilon: 0.5, delta: 1e-6, rho: 0.1)
        let b = PrivacyCost(epsilon: 0.25, delta: 2e-6, rho: 0.05)
        let total = a + b
        XCTAssertEqual(total.epsilon, 0.75)
        XCTAssertEqual(total.delta, 3e-6, accuracy: 1e-21)
        XCTAssertEqual(total.rho, 0.15000000000000002)  // 0.1 + 0.05 rounded up, never down
        XCTAssertGreaterThanOrEqual(total.rho, 0.15)
        XCTAssertEqual(PrivacyCost.composed([a, b, .zero]), total)
    }

    func testCompositionNeverRoundsDown() {
        // 0.1 + 0.2 is inexact in binary64; the sum must not be below the exact rational sum.
        let s = PrivacyCost.addRoundingUp(0.1, 0.2)
        // Exact sum of the two doubles, computed with rationals of their exact bit patterns.
        let a = Rational.exactParts(0.1)
        let b = Rational.exactParts(0.2)
        let c = Rational.exactParts(s)
        // Put everything over 2^-56 (all three exponents are >= -56).
        func scaled(_ p: (mantissa: UInt64, exponent: Int)) -> BigNatural { BigNatural(p.mantissa).shiftedLeft(p.exponent + 56) }
        XCTAssertFalse(scaled(c) < scaled(a) + scaled(b))
        // Round-to-nearest already lands above the exact sum here, so no extra step is taken.
        XCTAssertEqual(s, 0.30000000000000004)
        // 1 + 2^-60 rounds down to 1 under round-to-nearest; rounding up gives the next double.
        XCTAssertEqual(PrivacyCost.addRoundingUp(1, 0x1p-60), 1.0.nextUp)
        // Exact sums stay exact.
        XCTAssertEqual(PrivacyCost.addRoundingUp(0.5, 0.25), 0.75)
    }

    func testZeroConcentratedConversionMatchesHandComputedValues() {
        // Bun & Steinke: rho + 2 sqrt(rho ln(1/delta)); for rho = 0.5, delta = 1e-6:
        // 0.5 + 2 sqrt(0.5 * 13.815510557964274) = 5.756521769756932.
        XCTAssertEqual(ZeroConcentratedConversion.epsilonBunSteinke(rho: 0.5, delta: 1e-6), 5.756521769756932, accuracy: 1e-12)
        // Canonne-Kamath-Steinke Cor. 13, minimised over alpha with SciPy's bounded Brent method
        // (reference values: 5.221534444530169 at alpha = 5.907, 1.914238832003598, 14.150147553874596).
        XCTAssertEqual(ZeroConcentratedConversion.epsilonCanonneKamathSteinke(rho: 0.5, delta: 1e-6), 5.221534444530169, accuracy: 1e-9)
        XCTAssertEqual(ZeroConcentratedConversion.epsilonCanonneKamathSteinke(rho: 0.1, delta: 1e-5), 1.914238832003598, accuracy: 1e-9)
        XCTAssertEqual(ZeroConcentratedConversion.epsilonCanonneKamathSteinke(rho: 2.0, delta: 1e-9), 14.150147553874596, accuracy: 1e-9)
        // Never below the true infimum: the result is at least the reference minimum.
        XCTAssertGreaterThanOrEqual(ZeroConcentratedConversion.epsilon(rho: 0.5, delta: 1e-6), 5.221534444530169)
        XCTAssertEqual(ZeroConcentratedConversion.rho(fromPureEpsilon: 1), 0.5)
    }

    func testBudgetAdmitsByConvertedEpsilon() {
        let limit = PrivacyBudget.approximateDP(epsilon: 5.3, delta: 1e-6)
        XCTAssertTrue(limit.admits(PrivacyCost(rho: 0.5)))          // 5.2215 <= 5.3
        // epsilon 0.1 + rho 0.5 composes to 0.505-zCDP, i.e. about 5.25 < 5.3: admitted.
        XCTAssertTrue(limit.admits(PrivacyCost(epsilon: 0.1, rho: 0.5)))
        XCTAssertFalse(limit.admits(PrivacyCost(epsilon: 0.5, rho: 0.5)))
        XCTAssertFalse(limit.admits(PrivacyCost(delta: 1e-6, rho: 0.5)))  // no delta left for the zCDP part
        XCTAssertTrue(PrivacyBudget.approximateDP(epsilon: 1, delta: 0).admits(PrivacyCost(epsilon: 1)))
        XCTAssertFalse(PrivacyBudget.approximateDP(epsilon: 1, delta: 0).admits(PrivacyCost(epsilon: 1.0000001)))
        XCTAssertFalse(PrivacyBudget.perComponent(PrivacyCost(epsilon: 1)).admits(PrivacyCost(rho: 0.01)))
        XCTAssertFalse(limit.admits(PrivacyCost(epsilon: -1)))
    }

    func testMechanismsDeclareCostBeforeRunning() throws {
        let domain = try NumericDomain(lower: 0, upper: 100)
        XCTAssertEqual(try CountMechanism(guarantee: .pure(epsilon: 0.3)).cost, PrivacyCost(epsilon: 0.3))
        XCTAssertEqual(try MeanMechanism(domain: domain, guarantee: .concentrated(rho: 0.2)).cost, PrivacyCost(rho: 0.2))
        let groupBy = try GroupByCountMechanism<String>(
            guarantee: .pure(epsilon: 1), delta: 1e-6, bounds: ContributionBounds(maxRowsPerSubject: 2, maxGroupsPerSubject: 3))
        XCTAssertEqual(groupBy.cost, PrivacyCost(epsilon: 1, delta: 1e-6))
        XCTAssertEqual(groupBy.declaration.contributionBounds.maxGroupsPerSubject, 3)
        // Laplace scale for L1 = 2 * 3 = 6 at epsilon 1.
        XCTAssertEqual(groupBy.declaration.noise, [.discreteLaplace(scale: try Rational(6))])
    }

    func testHandleChargesDeclaredCostsAndRefusesOverspending() throws {
        let handle = try PrivacyHandle(reserved: PrivacyCost(epsilon: 1.0), randomSource: SeededRandomSource(seed: 7))
        let count = try CountMechanism(guarantee: .pure(epsilon: 0.5))
        let data = BoundedColumn.oneRowPerSubject([1.0, 2.0, 3.0]).rowCount
        _ = try handle.run(count, on: data)
        _ = try handle.run(count, on: data)
        XCTAssertEqual(handle.spent, PrivacyCost(epsilon: 1.0))
        XCTAssertThrowsError(try handle.run(count, on: data)) { error in
            guard case PrivacyError.budgetExceeded = error else { return XCTFail("wrong error \(error)") }
        }
        XCTAssertEqual(handle.spent, PrivacyCost(epsilon: 1.0))
        XCTAssertEqual(handle.releasedMechanisms.count, 2)
        // A zCDP mechanism cannot spend an epsilon-only reservation.
        XCTAssertThrowsError(try handle.run(try CountMechanism(guarantee: .concentrated(rho: 0.01)), on: data))
    }

    func testHandleRejectsDataBoundedMoreLooselyThanDeclared() throws {
        let handle = try PrivacyHandle(reserved: PrivacyCost(epsilon: 1.0), randomSource: SeededRandomSource(seed: 8))
        let loose = try ContributionBounder.bound(subjects: ["a", "a", "a", "b"], values: [1.0, 2, 3, 4], maxRowsPerSubject: 3)
        XCTAssertEqual(loose.values, [1, 2, 3, 4])
        XCTAssertThrowsError(try handle.run(try CountMechanism(guarantee: .pure(epsilon: 0.5)), on: loose.rowCount)) { error in
            guard case PrivacyError.contributionBoundsMismatch = error else { return XCTFail("wrong error \(error)") }
        }
        let tight = try ContributionBounder.bound(subjects: ["a", "a", "a", "b"], values: [1.0, 2, 3, 4], maxRowsPerSubject: 2)
        XCTAssertEqual(tight.values, [1, 2, 4])
    }
}
