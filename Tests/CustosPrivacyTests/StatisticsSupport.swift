import CustosPrivacy
import Foundation

/// Helpers for the statistical tests. Every statistical test uses a fixed seed, so it is
/// deterministic; the thresholds are set so that a correct implementation would fail a fresh seed
/// with probability at most alpha = 1e-4 per check (stated at each test).
enum Statistics {
    /// Standard normal quantile for a two-sided alpha = 1e-4.
    static let zTwoSided1e4 = 3.8906
    /// Standard normal quantile for a one-sided alpha = 1e-4.
    static let zOneSided1e4 = 3.7190

    /// Upper 1e-4 critical value of chi-square with `df` degrees of freedom (Wilson–Hilferty;
    /// accurate to well under 1% for df >= 3).
    static func chiSquareCritical1e4(df: Int) -> Double {
        let k = Double(df)
        let term = 1 - 2 / (9 * k) + zOneSided1e4 * (2 / (9 * k)).squareRoot()
        return k * term * term * term
    }

    /// Pearson chi-square statistic of integer samples against a pmf. Bins: every value whose
    /// expected count is at least 5, with both tails pooled into the end bins.
    static func chiSquare(samples: [Int64], pmf: (Int64) -> Double, reach: Int64) -> (statistic: Double, df: Int) {
        let n = Double(samples.count)
        var inner: [Int64] = []
        for x in -reach...reach where n * pmf(x) >= 5 { inner.append(x) }
        guard let lo = inner.first, let hi = inner.last else { return (0, 0) }
        var expected = [Double](repeating: 0, count: Int(hi - lo + 1))
        for x in -reach...reach {
            let i = Int(min(max(x, lo), hi) - lo)
            expected[i] += n * pmf(x)
        }
        var observed = [Double](repeating: 0, count: expected.count)
        for s in samples { observed[Int(min(max(s, lo), hi) - lo)] += 1 }
        var statistic = 0.0
        for i in 0..<expected.count {
            let d = observed[i] - expected[i]
            statistic += d * d / expected[i]
        }
        return (statistic, expected.count - 1)
    }

    /// Mean, variance and fourth central moment of a pmf over `-reach...reach`.
    static func moments(pmf: (Int64) -> Double, reach: Int64) -> (mean: Double, variance: Double, fourth: Double) {
        var mean = 0.0
        for x in -reach...reach { mean += Double(x) * pmf(x) }
        var variance = 0.0
        var fourth = 0.0
        for x in -reach...reach {
            let d = Double(x) - mean
            variance += d * d * pmf(x)
            fourth += d * d * d * d * pmf(x)
        }
        return (mean, variance, fourth)
    }

    static func sampleMean(_ xs: [Int64]) -> Double {
        xs.reduce(0.0) { $0 + Double($1) } / Double(xs.count)
    }

    static func sampleVariance(_ xs: [Int64]) -> Double {
        let m = sampleMean(xs)
        return xs.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(xs.count - 1)
    }

    /// The largest |log(P1/P2)| over output bins where both empirical histograms have at least
    /// `minimumCount` observations: the observed privacy loss.
    static func observedPrivacyLoss(_ a: [Int64], _ b: [Int64], binWidth: Int64, minimumCount: Int) -> (loss: Double, bins: Int) {
        func histogram(_ xs: [Int64]) -> [Int64: Int] {
            var h: [Int64: Int] = [:]
            for x in xs {
                let bin = x >= 0 ? x / binWidth : (x - binWidth + 1) / binWidth
                h[bin, default: 0] += 1
            }
            return h
        }
        let ha = histogram(a)
        let hb = histogram(b)
        var loss = 0.0
        var bins = 0
        for (bin, ca) in ha {
            guard let cb = hb[bin], ca >= minimumCount, cb >= minimumCount else { continue }
            bins += 1
            let ratio = (Double(ca) / Double(a.count)) / (Double(cb) / Double(b.count))
            loss = max(loss, abs(log(ratio)))
        }
        return (loss, bins)
    }
}
