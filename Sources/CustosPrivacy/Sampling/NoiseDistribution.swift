import Foundation

/// The integer noise a mechanism adds, with its exact parameters, so the guarantee and the
/// accuracy can be stated (and audited) before anything runs.
public enum NoiseDistribution: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Discrete Laplace with scale b: `P(x)` proportional to `exp(-|x|/b)`. Gives epsilon-DP for
    /// L1 sensitivity `Δ` when `b >= Δ/epsilon`.
    case discreteLaplace(scale: Rational)
    /// Discrete Gaussian with variance parameter sigma^2: `P(x)` proportional to
    /// `exp(-x^2/(2 sigma^2))`. Gives rho-zCDP for L2 sensitivity `Δ` when `sigma^2 >= Δ^2/(2 rho)`.
    case discreteGaussian(sigmaSquared: Rational)

    /// One exact sample.
    public func sample<R: RandomSource>(using random: inout R) throws -> Int64 {
        switch self {
        case .discreteLaplace(let scale): return try ExactSampler.discreteLaplace(scale: scale, using: &random)
        case .discreteGaussian(let s2): return try ExactSampler.discreteGaussian(sigmaSquared: s2, using: &random)
        }
    }

    /// The exact probability of `x` (binary64 evaluation; for tests and reports, never for sampling).
    public func probability(of x: Int64) -> Double {
        switch self {
        case .discreteLaplace(let scale):
            let q = exp(-1 / scale.doubleValue)
            return (1 - q) / (1 + q) * pow(q, Double(x.magnitude))
        case .discreteGaussian(let s2):
            let sigma2 = s2.doubleValue
            return exp(-Double(x) * Double(x) / (2 * sigma2)) / gaussianNormaliser(sigma2)
        }
    }

    private func gaussianNormaliser(_ sigma2: Double) -> Double {
        let reach = Int64((sigma2.squareRoot() * 40).rounded(.up)) + 1
        var total = 1.0
        var x: Int64 = 1
        while x <= reach {
            total += 2 * exp(-Double(x) * Double(x) / (2 * sigma2))
            x += 1
        }
        return total
    }

    /// The variance: exact for the discrete Laplace (`2q/(1-q)^2`, `q = e^(-1/b)`); for the discrete
    /// Gaussian the upper bound sigma^2 (its true variance is slightly smaller, CKS 2020 Cor. 9).
    public var variance: Double {
        switch self {
        case .discreteLaplace(let scale):
            let q = exp(-1 / scale.doubleValue)
            return 2 * q / ((1 - q) * (1 - q))
        case .discreteGaussian(let s2):
            return s2.doubleValue
        }
    }

    /// An upper bound on `P(X >= k)` for `k >= 1`: exact for the discrete Laplace (`q^k/(1+q)`);
    /// the sub-Gaussian tail bound `exp(-k^2/(2 sigma^2))` for the discrete Gaussian (CKS 2020).
    public func upperTail(atLeast k: Int64) -> Double {
        guard k >= 1 else { return 1 }
        switch self {
        case .discreteLaplace(let scale):
            // q^k computed as exp(-k/b): pow(exp(-1/b), k) loses all precision for large scales.
            let b = scale.doubleValue
            return exp(-Double(k) / b) / (1 + exp(-1 / b))
        case .discreteGaussian(let s2):
            return exp(-Double(k) * Double(k) / (2 * s2.doubleValue))
        }
    }

    /// The smallest integer w with `P(|X| > w) <= 1 - confidence`: an interval `value ± w` covers the
    /// noiseless statistic with at least that probability. Exact tail for the discrete Laplace,
    /// sub-Gaussian tail bound for the discrete Gaussian (so that interval is conservative).
    public func halfWidth(confidence: Double) -> Int64 {
        let alpha = min(max(1 - confidence, 1e-300), 1)
        // P(|X| > w) = 2 P(X >= w + 1) by symmetry.
        var w: Int64
        switch self {
        case .discreteLaplace(let scale):
            let b = scale.doubleValue
            let q = exp(-1 / b)
            w = max(0, Int64((b * log(2 / (alpha * (1 + q)))).rounded(.up)) - 1)
        case .discreteGaussian(let s2):
            w = max(0, Int64((s2.doubleValue * 2 * log(2 / alpha)).squareRoot().rounded(.up)) - 1)
        }
        // Refine to the smallest w with 2 P(X >= w + 1) <= alpha by bracketing and bisection, so the
        // search costs O(log w) even when the closed-form start is off (huge scales).
        func covers(_ w: Int64) -> Bool { 2 * upperTail(atLeast: w + 1) <= alpha }
        var low = w, high = w
        var step: Int64 = 1
        while low > 0 && covers(low) {
            high = low
            low = max(0, low - step)
            step = step.multipliedReportingOverflow(by: 2).overflow ? Int64.max / 4 : step * 2
        }
        if covers(low) { return low }
        step = 1
        while !covers(high) {
            low = high
            let (next, overflow) = high.addingReportingOverflow(step)
            if overflow { return Int64.max }
            high = next
            step = step.multipliedReportingOverflow(by: 2).overflow ? Int64.max / 4 : step * 2
        }
        // Invariant: !covers(low), covers(high).
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if covers(mid) { high = mid } else { low = mid }
        }
        return high
    }

    /// "discrete Laplace(scale 10)" or "discrete Gaussian(sigma^2 8)".
    public var description: String {
        switch self {
        case .discreteLaplace(let scale): return "discrete Laplace(scale \(scale))"
        case .discreteGaussian(let s2): return "discrete Gaussian(sigma^2 \(s2))"
        }
    }
}
