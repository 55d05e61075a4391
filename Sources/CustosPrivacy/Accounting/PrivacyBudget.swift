/// A budget limit for one principal, dataset and period, as set by policy.
public enum PrivacyBudget: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The composed cost must be (epsilon, delta)-DP: pure, zCDP and delta parts are converted
    /// (``PrivacyCost/approximateEpsilon(totalDelta:)``) and compared with this pair.
    case approximateDP(epsilon: Double, delta: Double)
    /// Each component (epsilon, delta, rho) is capped on its own.
    case perComponent(PrivacyCost)

    /// True when a total cost fits under this limit.
    public func admits(_ total: PrivacyCost) -> Bool {
        guard total.isValid else { return false }
        switch self {
        case .approximateDP(let epsilon, let delta):
            guard let implied = total.approximateEpsilon(totalDelta: delta) else { return false }
            return implied <= epsilon
        case .perComponent(let limit):
            return total.isCovered(by: limit)
        }
    }

    /// "(ε=1, δ=1e-6)-DP" or "per component ε=…, δ=…, ρ=…".
    public var description: String {
        switch self {
        case .approximateDP(let e, let d): return "(ε=\(e), δ=\(d))-DP"
        case .perComponent(let c): return "per component \(c)"
        }
    }
}
