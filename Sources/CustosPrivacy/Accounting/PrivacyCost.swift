/// A privacy loss, as charged to a budget: a pure-DP part (epsilon), an additive failure
/// probability (delta) and a zero-concentrated part (rho-zCDP, Bun & Steinke 2016).
///
/// Sequential composition adds each part (`+`); the sum is rounded up to the next binary64 value
/// whenever it is inexact, so accumulated rounding can never understate what was spent.
public struct PrivacyCost: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Pure differential privacy (epsilon-DP) part.
    public var epsilon: Double
    /// Additive delta of approximate DP (for example partition selection's failure probability).
    public var delta: Double
    /// Zero-concentrated DP part (rho-zCDP).
    public var rho: Double

    /// A cost. Components must be finite and non-negative; ``isValid`` says whether they are.
    public init(epsilon: Double = 0, delta: Double = 0, rho: Double = 0) {
        self.epsilon = epsilon
        self.delta = delta
        self.rho = rho
    }

    /// Nothing spent.
    public static let zero = PrivacyCost()

    /// True when every component is finite and non-negative and delta is below one.
    public var isValid: Bool {
        [epsilon, delta, rho].allSatisfy { $0.isFinite && $0 >= 0 } && delta < 1
    }

    /// Sequential composition: the cost of running both mechanisms.
    public static func + (a: PrivacyCost, b: PrivacyCost) -> PrivacyCost {
        PrivacyCost(
            epsilon: addRoundingUp(a.epsilon, b.epsilon),
            delta: addRoundingUp(a.delta, b.delta),
            rho: addRoundingUp(a.rho, b.rho))
    }

    /// Composition of many costs, in order.
    public static func composed(_ costs: [PrivacyCost]) -> PrivacyCost {
        costs.reduce(.zero, +)
    }

    /// `a - b` clamped at zero componentwise (what remains of a reservation).
    public func subtracting(_ other: PrivacyCost) -> PrivacyCost {
        PrivacyCost(epsilon: max(0, epsilon - other.epsilon), delta: max(0, delta - other.delta),
                    rho: max(0, rho - other.rho))
    }

    /// True when no component exceeds the corresponding component of `limit`.
    public func isCovered(by limit: PrivacyCost) -> Bool {
        epsilon <= limit.epsilon && delta <= limit.delta && rho <= limit.rho
    }

    /// The smallest binary64 value `>= a + b` (TwoSum tells whether rounding went down).
    static func addRoundingUp(_ a: Double, _ b: Double) -> Double {
        let s = a + b
        let bb = s - a
        let error = (a - (s - bb)) + (b - bb)
        return error > 0 ? s.nextUp : s
    }

    /// This cost as (epsilon, totalDelta)-DP: the epsilon it implies when the whole delta available
    /// is `totalDelta`; nil when that is impossible (delta too small, or rho > 0 with no delta left).
    ///
    /// The pure part and the zCDP part compose either as `epsilon + eps(rho, delta')` or by first
    /// turning epsilon-DP into (epsilon^2/2)-zCDP; the smaller (both are valid) is returned.
    public func approximateEpsilon(totalDelta: Double) -> Double? {
        let available = totalDelta - delta
        guard available >= 0 else { return nil }
        if rho == 0 { return epsilon }
        guard available > 0 else { return nil }
        let direct = epsilon + ZeroConcentratedConversion.epsilon(rho: rho, delta: available)
        let viaZCDP = ZeroConcentratedConversion.epsilon(
            rho: Self.addRoundingUp(rho, epsilon * epsilon / 2), delta: available)
        return min(direct, viaZCDP)
    }

    /// "ε=1.0, δ=0.0, ρ=0.0".
    public var description: String { "ε=\(epsilon), δ=\(delta), ρ=\(rho)" }
}
