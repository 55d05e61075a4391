/// Exact samplers on integers and rationals, after Canonne, Kamath and Steinke (2020),
/// "The Discrete Gaussian for Differential Privacy", algorithms 1 to 3.
///
/// Every decision is an integer comparison against uniformly random integers from a
/// ``RandomSource``; no floating-point value takes part, so the outputs follow the stated
/// distributions exactly (given a uniform source) and the attacks on floating-point Laplace
/// noise (Mironov 2012) do not apply.
public enum ExactSampler {
    // MARK: Bernoulli(exp(-gamma))

    /// True with probability `exp(-gamma)` exactly (algorithm 1).
    public static func bernoulliExpMinus<R: RandomSource>(_ gamma: Rational, using random: inout R) -> Bool {
        bernoulliExpMinus(numerator: gamma.numerator, denominator: gamma.denominator, using: &random)
    }

    /// True with probability `exp(-numerator/denominator)`; 64-bit fast path.
    static func bernoulliExpMinus<R: RandomSource>(
        numerator: UInt64, denominator: UInt64, using random: inout R
    ) -> Bool {
        // exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))).
        var whole = numerator / denominator
        while whole > 0 {
            if !bernoulliExpMinusOne(using: &random) { return false }
            whole -= 1
        }
        return bernoulliExpMinusFraction(numerator % denominator, denominator, using: &random)
    }

    /// Bernoulli(exp(-1)): algorithm 1 with gamma = 1, where each step is Bernoulli(1/k).
    static func bernoulliExpMinusOne<R: RandomSource>(using random: inout R) -> Bool {
        var k: UInt64 = 1
        while random.uniform(below: k) == 0 { k += 1 }
        return k % 2 == 1
    }

    /// Bernoulli(exp(-r/d)) for `0 <= r < d` (algorithm 1, gamma in [0, 1)).
    static func bernoulliExpMinusFraction<R: RandomSource>(
        _ r: UInt64, _ d: UInt64, using random: inout R
    ) -> Bool {
        if r == 0 { return true }
        var k: UInt64 = 1
        // Step k draws Bernoulli(r / (d k)): a uniform W in [0, d k) written as W = u k + v with
        // u uniform in [0, d) and v uniform in [0, k); accept when W < r.
        while true {
            let u = random.uniform(below: d)
            let v = random.uniform(below: k)
            var success = false
            if u < r {
                let (uk, overflow) = u.multipliedReportingOverflow(by: k)
                if !overflow {
                    let (w, overflow2) = uk.addingReportingOverflow(v)
                    success = !overflow2 && w < r
                }
            }
            if !success { break }
            k += 1
        }
        return k % 2 == 1
    }

    /// True with probability `exp(-a/b)` for arbitrarily large `a`, `b > 0`.
    static func bernoulliExpMinus<R: RandomSource>(
        _ a: BigNatural, over b: BigNatural, using random: inout R
    ) -> Bool {
        if let a64 = a.uint64Value, let b64 = b.uint64Value {
            return bernoulliExpMinus(numerator: a64, denominator: b64, using: &random)
        }
        var rest = a
        while !(rest < b) {
            if !bernoulliExpMinusOne(using: &random) { return false }
            rest = rest - b
        }
        if rest.isZero { return true }
        var k: UInt64 = 1
        while true {
            // Bernoulli(rest / (b k)) with W = u k + v as in the 64-bit path.
            let u = BigNatural.uniform(below: b, using: &random)
            let v = random.uniform(below: k)
            if !(u < rest) || !(u * k + BigNatural(v) < rest) { break }
            k += 1
        }
        return k % 2 == 1
    }

    // MARK: Discrete Laplace

    /// A sample from the discrete Laplace distribution with scale `b = scale` (algorithm 2):
    /// `P(X = x) = (1 - e^(-1/b)) / (1 + e^(-1/b)) * e^(-|x|/b)` for every integer x.
    ///
    /// - Throws: ``PrivacyError/sampleOutOfRange`` in the astronomically unlikely case that the
    ///   sample does not fit in 64 bits (probability below exp(-2^40) for the scales Custos allows).
    public static func discreteLaplace<R: RandomSource>(scale: Rational, using random: inout R) throws -> Int64 {
        precondition(!scale.isZero, "the discrete Laplace scale must be positive")
        // Scale t/s: t = numerator, s = denominator.
        let t = scale.numerator
        let s = scale.denominator
        while true {
            let u = random.uniform(below: t)
            if !bernoulliExpMinusFraction(u, t, using: &random) { continue }
            var v: UInt64 = 0
            while bernoulliExpMinusOne(using: &random) { v += 1 }
            // X = u + t v (128-bit), Y = floor(X / s).
            let tv = t.multipliedFullWidth(by: v)
            let (low, carry) = tv.low.addingReportingOverflow(u)
            let high = tv.high + (carry ? 1 : 0)
            guard high < s else { throw PrivacyError.sampleOutOfRange }
            let y = s.dividingFullWidth((high: high, low: low)).quotient
            guard y <= UInt64(Int64.max) else { throw PrivacyError.sampleOutOfRange }
            let negative = random.fairCoin()
            if negative && y == 0 { continue }
            return negative ? -Int64(y) : Int64(y)
        }
    }

    // MARK: Discrete Gaussian

    /// A sample from the discrete Gaussian `N_Z(0, sigmaSquared)` (algorithm 3):
    /// `P(X = x)` proportional to `exp(-x^2 / (2 sigma^2))` for every integer x.
    public static func discreteGaussian<R: RandomSource>(sigmaSquared: Rational, using random: inout R) throws -> Int64 {
        precondition(!sigmaSquared.isZero, "the discrete Gaussian variance must be positive")
        let n = BigNatural(sigmaSquared.numerator)
        let d = BigNatural(sigmaSquared.denominator)
        let t = floorSquareRoot(sigmaSquared) + 1
        let laplaceScale = try Rational(t)
        let bigT = BigNatural(t)
        // gamma = (|Y| - sigma^2/t)^2 / (2 sigma^2) = (|Y| d t - n)^2 / (2 n d t^2).
        let dt = d * bigT
        let gammaDenominator = n * d * bigT * bigT * 2
        while true {
            let y = try discreteLaplace(scale: laplaceScale, using: &random)
            let ydt = dt * y.magnitude
            let difference = ydt < n ? n - ydt : ydt - n
            if bernoulliExpMinus(difference * difference, over: gammaDenominator, using: &random) {
                return y
            }
        }
    }

    /// `floor(sqrt(n/d))`, exact.
    static func floorSquareRoot(_ value: Rational) -> UInt64 {
        let n = BigNatural(value.numerator)
        let d = BigNatural(value.denominator)
        var r = UInt64(max(0, (value.doubleValue).squareRoot()))
        func fits(_ x: UInt64) -> Bool { BigNatural(x) * BigNatural(x) * d <= n }
        while r > 0 && !fits(r) { r -= 1 }
        while fits(r + 1) { r += 1 }
        return r
    }
}
