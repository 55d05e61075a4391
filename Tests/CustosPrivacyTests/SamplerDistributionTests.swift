import CustosPrivacy
import CustosTesting
import Foundation
import XCTest

/// Goodness of fit of the exact samplers against their exact pmfs. Fixed seeds; each check is set
/// at a false-failure rate alpha = 1e-4 (chi-square upper 1e-4 quantile, or |z| <= 3.89).
final class SamplerDistributionTests: XCTestCase {
    func laplaceSamples(_ scale: Rational, count: Int, seed: UInt64) throws -> [Int64] {
        var random = SeededRandomSource(seed: seed)
        return try (0..<count).map { _ in try ExactSampler.discreteLaplace(scale: scale, using: &random) }
    }

    func gaussianSamples(_ sigma2: Rational, count: Int, seed: UInt64) throws -> [Int64] {
        var random = SeededRandomSource(seed: seed)
        return try (0..<count).map { _ in try ExactSampler.discreteGaussian(sigmaSquared: sigma2, using: &random) }
    }

    func testDiscreteLaplaceFitsItsPmf() throws {
        for (scale, seed) in [(try Rational(3, 2), UInt64(1)), (try Rational(10), 2), (try Rational(1, 3), 3)] {
            let samples = try laplaceSamples(scale, count: 100_000, seed: seed)
            let pmf = NoiseDistribution.discreteLaplace(scale: scale)
            let (stat, df) = Statistics.chiSquare(samples: samples, pmf: pmf.probability(of:), reach: 400)
            XCTAssertGreaterThan(df, 2)
            XCTAssertLessThan(stat, Statistics.chiSquareCritical1e4(df: df), "scale \(scale): chi2 \(stat) df \(df)")
        }
    }

    func testDiscreteLaplaceNegativeControlFails() throws {
        // Samples of scale 10 against the pmf of scale 11 must be rejected.
        let samples = try laplaceSamples(try Rational(10), count: 100_000, seed: 4)
        let wrong = NoiseDistribution.discreteLaplace(scale: try Rational(11))
        let (stat, df) = Statistics.chiSquare(samples: samples, pmf: wrong.probability(of:), reach: 400)
        XCTAssertGreaterThan(stat, Statistics.chiSquareCritical1e4(df: df))
    }

    func testDiscreteLaplaceMeanAndVariance() throws {
        let scale = try Rational(5, 2)
        let n = 100_000
        let samples = try laplaceSamples(scale, count: n, seed: 5)
        let pmf = NoiseDistribution.discreteLaplace(scale: scale)
        let m = Statistics.moments(pmf: pmf.probability(of:), reach: 400)
        XCTAssertEqual(m.variance, pmf.variance, accuracy: 1e-9 * pmf.variance)  // closed form = summed pmf
        let z = Statistics.zTwoSided1e4
        XCTAssertEqual(Statistics.sampleMean(samples), 0, accuracy: z * (m.variance / Double(n)).squareRoot())
        let varianceError = ((m.fourth - m.variance * m.variance) / Double(n)).squareRoot()
        XCTAssertEqual(Statistics.sampleVariance(samples), m.variance, accuracy: z * varianceError)
    }

    func testDiscreteGaussianFitsItsPmf() throws {
        // sigma^2 = 2, 25/3, and a large value whose acceptance step needs more than 128 bits.
        let cases: [(Rational, UInt64, Int)] = [
            (try Rational(2), 11, 60_000), (try Rational(25, 3), 12, 60_000),
            (try Rational(4_000_000_007, 1_000_003), 13, 30_000),
        ]
        for (sigma2, seed, count) in cases {
            let samples = try gaussianSamples(sigma2, count: count, seed: seed)
            let pmf = NoiseDistribution.discreteGaussian(sigmaSquared: sigma2)
            let (stat, df) = Statistics.chiSquare(samples: samples, pmf: pmf.probability(of:), reach: 1_000)
            XCTAssertGreaterThan(df, 2)
            XCTAssertLessThan(stat, Statistics.chiSquareCritical1e4(df: df), "sigma2 \(sigma2): chi2 \(stat) df \(df)")
        }
    }

    func testDiscreteGaussianNegativeControlFails() throws {
        let samples = try gaussianSamples(try Rational(25, 3), count: 60_000, seed: 14)
        let wrong = NoiseDistribution.discreteGaussian(sigmaSquared: try Rational(10))
        let (stat, df) = Statistics.chiSquare(samples: samples, pmf: wrong.probability(of:), reach: 1_000)
        XCTAssertGreaterThan(stat, Statistics.chiSquareCritical1e4(df: df))
    }

    func testDiscreteGaussianMeanAndVariance() throws {
        let sigma2 = try Rational(9, 2)
        let n = 60_000
        let samples = try gaussianSamples(sigma2, count: n, seed: 15)
        let pmf = NoiseDistribution.discreteGaussian(sigmaSquared: sigma2)
        let m = Statistics.moments(pmf: pmf.probability(of:), reach: 200)
        XCTAssertLessThanOrEqual(m.variance, 4.5)  // the discrete Gaussian's variance is below sigma^2
        let z = Statistics.zTwoSided1e4
        XCTAssertEqual(Statistics.sampleMean(samples), 0, accuracy: z * (m.variance / Double(n)).squareRoot())
        let varianceError = ((m.fourth - m.variance * m.variance) / Double(n)).squareRoot()
        XCTAssertEqual(Statistics.sampleVariance(samples), m.variance, accuracy: z * varianceError)
    }

    func testBernoulliExpMinusGammaMatchesExpOfMinusGamma() throws {
        let n = 200_000
        for (gamma, seed) in [(try Rational(3, 10), UInt64(21)), (try Rational(1), 22), (try Rational(27, 10), 23),
                              (try Rational(5), 24), (try Rational(0), 25)] {
            var random = SeededRandomSource(seed: seed)
            var hits = 0
            for _ in 0..<n where ExactSampler.bernoulliExpMinus(gamma, using: &random) { hits += 1 }
            let p = exp(-gamma.doubleValue)
            if p == 1 { XCTAssertEqual(hits, n); continue }
            let z = (Double(hits) - Double(n) * p) / (Double(n) * p * (1 - p)).squareRoot()
            XCTAssertLessThan(abs(z), Statistics.zTwoSided1e4, "gamma \(gamma): z = \(z)")
        }
    }

    func testBernoulliExpMinusGammaNegativeControlFails() throws {
        let n = 200_000
        var random = SeededRandomSource(seed: 26)
        var hits = 0
        for _ in 0..<n where ExactSampler.bernoulliExpMinus(try Rational(1), using: &random) { hits += 1 }
        let wrongP = exp(-1.05)
        let z = (Double(hits) - Double(n) * wrongP) / (Double(n) * wrongP * (1 - wrongP)).squareRoot()
        XCTAssertGreaterThan(abs(z), Statistics.zTwoSided1e4)
    }

    func testUniformHasNoModuloBias() throws {
        // 3 * 2^62 is a bound where a plain modulo would make the lowest third twice as likely.
        var random = SeededRandomSource(seed: 31)
        let bound: UInt64 = 3 << 62
        var thirds = [0, 0, 0]
        let n = 90_000
        for _ in 0..<n { thirds[Int(random.uniform(below: bound) / (1 << 62))] += 1 }
        let expected = Double(n) / 3
        let stat = thirds.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertLessThan(stat, 18.42)  // chi-square, df 2, upper 1e-4 quantile
    }

    func testSeededSourceMatchesReferenceVectors() {
        // xoshiro256** reference (Blackman & Vigna): state {1, 2, 3, 4} gives these first outputs.
        var x = SeededRandomSource(state: (1, 2, 3, 4))
        XCTAssertEqual([x.nextUInt64(), x.nextUInt64(), x.nextUInt64(), x.nextUInt64()],
                       [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
        // SplitMix64 reference: seed 0 gives 0xE220A8397B1DCDAF.
        XCTAssertEqual(SeededRandomSource.splitMix64(seed: 0), 0xE220_A839_7B1D_CDAF)
        // Seeding: xoshiro256** seeded with SplitMix64(42), cross-checked with a Python implementation.
        var seeded = SeededRandomSource(seed: 42)
        XCTAssertEqual(seeded.nextUInt64(), 0x1578_0B2E_0C2E_C716)
        XCTAssertEqual(seeded.nextUInt64(), 0x6104_D986_6D11_3A7E)
    }
}
