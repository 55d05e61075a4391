import Foundation

/// Conversions between zero-concentrated DP and (epsilon, delta)-DP.
public enum ZeroConcentratedConversion {
    /// Bun & Steinke (2016), Prop. 1.3: rho-zCDP implies (rho + 2 sqrt(rho ln(1/delta)), delta)-DP.
    public static func epsilonBunSteinke(rho: Double, delta: Double) -> Double {
        rho + 2 * (rho * log(1 / delta)).squareRoot()
    }

    /// Canonne, Kamath & Steinke (2020), Cor. 13 (the tighter conversion): rho-zCDP implies
    /// (epsilon, delta)-DP for every alpha > 1 with
    /// `epsilon = alpha rho + (ln(1/delta) + (alpha-1) ln(1-1/alpha) - ln(alpha)) / (alpha-1)`.
    /// Any alpha gives a valid bound; alpha is optimised numerically (log-grid, then golden section).
    public static func epsilonCanonneKamathSteinke(rho: Double, delta: Double) -> Double {
        let logInverseDelta = log(1 / delta)
        func bound(_ alpha: Double) -> Double {
            alpha * rho + (logInverseDelta + (alpha - 1) * log1p(-1 / alpha) - log(alpha)) / (alpha - 1)
        }
        // Search alpha = 1 + e^u over u in [-20, 30].
        var bestU = -20.0
        var best = Double.infinity
        var u = -20.0
        while u <= 30 {
            let value = bound(1 + exp(u))
            if value < best { best = value; bestU = u }
            u += 0.05
        }
        var lo = bestU - 0.05
        var hi = bestU + 0.05
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<100 {
            let a = hi - ratio * (hi - lo)
            let b = lo + ratio * (hi - lo)
            if bound(1 + exp(a)) < bound(1 + exp(b)) { hi = b } else { lo = a }
        }
        best = min(best, bound(1 + exp((lo + hi) / 2)))
        // A few ulps of margin against rounding in log/exp.
        return best.nextUp.nextUp.nextUp.nextUp
    }

    /// The tightest of the two conversions above.
    public static func epsilon(rho: Double, delta: Double) -> Double {
        guard rho > 0 else { return 0 }
        return min(epsilonBunSteinke(rho: rho, delta: delta), epsilonCanonneKamathSteinke(rho: rho, delta: delta))
    }

    /// Pure epsilon-DP implies (epsilon^2 / 2)-zCDP (Bun & Steinke 2016, Prop. 1.4).
    public static func rho(fromPureEpsilon epsilon: Double) -> Double {
        epsilon * epsilon / 2
    }
}
