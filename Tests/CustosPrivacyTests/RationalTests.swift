@testable import CustosPrivacy
import CustosTesting
import XCTest

final class RationalTests: XCTestCase {
    func testEpsilonRoundsDownToNineDecimals() throws {
        XCTAssertEqual(try Rational.roundingDown(privacyParameter: 0.1), try Rational(1, 10))
        XCTAssertEqual(try Rational.roundingDown(privacyParameter: 1.0 / 3), try Rational(333_333_333, 1_000_000_000))
        XCTAssertEqual(try Rational.roundingDown(privacyParameter: 2.5), try Rational(5, 2))
        // 0.3 is stored as 0.299999999999999988898...: rounding down gives 0.299999999, never 0.3.
        XCTAssertEqual(try Rational.roundingDown(privacyParameter: 0.3), try Rational(299_999_999, 1_000_000_000))
        XCTAssertThrowsError(try Rational.roundingDown(privacyParameter: 1e-10))
        XCTAssertThrowsError(try Rational.roundingDown(privacyParameter: -1))
        XCTAssertThrowsError(try Rational.roundingDown(privacyParameter: .nan))
    }

    func testNoiseScaleIsSensitivityOverEpsilonRoundedUp() throws {
        // Sum over [0, 100] with 2 decimals: sensitivity 10,000 units; epsilon 0.1 -> scale 100,000.
        let domain = try NumericDomain(lower: 0, upper: 100, decimalPlaces: 2)
        let sum = try SumMechanism(domain: domain, guarantee: .pure(epsilon: 0.1))
        XCTAssertEqual(sum.declaration.noise, [.discreteLaplace(scale: try Rational(100_000))])
        // zCDP count: sigma^2 = 1 / (2 * 0.125) = 4.
        let count = try CountMechanism(guarantee: .concentrated(rho: 0.125))
        XCTAssertEqual(count.declaration.noise, [.discreteGaussian(sigmaSquared: try Rational(4))])
        // Mean splits epsilon 1 in two: count scale 2, sum scale 2 * width (100 units).
        let mean = try MeanMechanism(domain: try NumericDomain(lower: -50, upper: 50), guarantee: .pure(epsilon: 1))
        XCTAssertEqual(mean.declaration.noise, [.discreteLaplace(scale: try Rational(200)), .discreteLaplace(scale: try Rational(2))])
    }

    func testRoundedUpNeverShrinksAValue() throws {
        // (2^70 + 1) / 1,000,003 has parts that do not fit in 64 bits; the result must be >= it.
        let n = BigNatural(1).shiftedLeft(70) + BigNatural(1)
        let d = BigNatural(1_000_003)
        let r = try Rational.roundedUp(n, over: d)
        XCTAssertFalse(BigNatural(r.numerator) * d < n * BigNatural(r.denominator))
        XCTAssertLessThan(r.doubleValue / (0x1p70 / 1_000_003), 1.0001)
        // A value above 2^64 cannot be represented at all: a clear error, not a wrong scale.
        XCTAssertThrowsError(try Rational.roundedUp(n, over: BigNatural(3)))
        let down = try Rational.roundedDown(n, over: BigNatural(1).shiftedLeft(80))
        XCTAssertFalse(n * BigNatural(down.denominator) < BigNatural(down.numerator) * BigNatural(1).shiftedLeft(80))
    }

    func testBigNaturalArithmetic() {
        let a = BigNatural(limbs: [UInt64.max, UInt64.max])  // 2^128 - 1
        let one = BigNatural(1)
        XCTAssertEqual((a + one).limbs, [0, 0, 1])
        XCTAssertEqual((a + one) - one, a)
        XCTAssertEqual((a * a).limbs, [1, 0, UInt64.max - 1, UInt64.max])  // (2^128-1)^2
        XCTAssertEqual(a.shiftedRight(64).limbs, [UInt64.max])
        XCTAssertEqual(one.shiftedLeft(130).bitWidth, 131)
        XCTAssertTrue(BigNatural(5) < a)
        var random = SeededRandomSource(seed: 3)
        for _ in 0..<1000 { XCTAssertTrue(BigNatural.uniform(below: a, using: &random) < a) }
    }

    func testFloorSquareRoot() throws {
        XCTAssertEqual(ExactSampler.floorSquareRoot(try Rational(16)), 4)
        XCTAssertEqual(ExactSampler.floorSquareRoot(try Rational(15)), 3)
        XCTAssertEqual(ExactSampler.floorSquareRoot(try Rational(1, 4)), 0)
        XCTAssertEqual(ExactSampler.floorSquareRoot(try Rational(UInt64.max)), 4_294_967_295)
    }
}
