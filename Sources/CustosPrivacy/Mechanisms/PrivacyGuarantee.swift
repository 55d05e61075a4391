/// The kind and size of guarantee a mechanism gives, chosen by the analyst within policy.
///
/// - ``pure(epsilon:)``: epsilon-DP with discrete Laplace noise.
/// - ``concentrated(rho:)``: rho-zCDP with discrete Gaussian noise.
///
/// The parameter is converted to a rational by rounding it down to 9 decimal places
/// (``Rational/roundingDown(privacyParameter:)``) and noise scales are rounded up, so the noise
/// always meets the stated guarantee; the cost charged is the parameter as given.
public enum PrivacyGuarantee: Sendable, Hashable, Codable, CustomStringConvertible {
    /// epsilon-differential privacy (discrete Laplace noise).
    case pure(epsilon: Double)
    /// rho-zero-concentrated differential privacy (discrete Gaussian noise).
    case concentrated(rho: Double)

    /// The cost charged for the whole mechanism.
    public var cost: PrivacyCost {
        switch self {
        case .pure(let epsilon): return PrivacyCost(epsilon: epsilon)
        case .concentrated(let rho): return PrivacyCost(rho: rho)
        }
    }

    /// The parameter as an exact rational, rounded down.
    func exactParameter() throws -> Rational {
        switch self {
        case .pure(let epsilon): return try Rational.roundingDown(privacyParameter: epsilon)
        case .concentrated(let rho): return try Rational.roundingDown(privacyParameter: rho)
        }
    }

    /// Noise for one of `parts` equal shares of this guarantee, for a statistic with the given L1
    /// sensitivity (used by Laplace) and squared L2 sensitivity (used by Gaussian), in grid units.
    ///
    /// Laplace scale `b = Δ1 * parts / epsilon'`; Gaussian `sigma^2 = Δ2^2 * parts / (2 rho')`,
    /// each rounded up into 64-bit parts.
    func noise(l1Sensitivity: UInt64, l2SensitivitySquared: BigNatural, parts: UInt64 = 1) throws -> NoiseDistribution {
        precondition(parts >= 1, "a guarantee splits into at least one part")
        let parameter = try exactParameter()
        switch self {
        case .pure:
            guard l1Sensitivity > 0 else { throw PrivacyError.invalidParameter("sensitivity must be positive") }
            let numerator = BigNatural(l1Sensitivity) * BigNatural(parts) * BigNatural(parameter.denominator)
            return .discreteLaplace(scale: try Rational.roundedUp(numerator, over: BigNatural(parameter.numerator)))
        case .concentrated:
            guard !l2SensitivitySquared.isZero else { throw PrivacyError.invalidParameter("sensitivity must be positive") }
            let numerator = l2SensitivitySquared * BigNatural(parts) * BigNatural(parameter.denominator)
            let denominator = BigNatural(parameter.numerator) * BigNatural(2)
            return .discreteGaussian(sigmaSquared: try Rational.roundedUp(numerator, over: denominator))
        }
    }

    /// Noise for a statistic whose L1 and L2 sensitivities are both `sensitivity` (one group).
    func noise(sensitivity: UInt64, parts: UInt64 = 1) throws -> NoiseDistribution {
        try noise(l1Sensitivity: sensitivity, l2SensitivitySquared: BigNatural(sensitivity) * BigNatural(sensitivity), parts: parts)
    }

    /// Validates the parameter (positive, representable).
    func validate() throws {
        _ = try exactParameter()
    }

    /// "ε=1.0 (pure DP)" or "ρ=0.5 (zCDP)".
    public var description: String {
        switch self {
        case .pure(let e): return "ε=\(e) (pure DP)"
        case .concentrated(let r): return "ρ=\(r) (zCDP)"
        }
    }
}

/// A released integer statistic with its noise and a confidence interval for the noiseless value.
/// Encodable but not Decodable: a noisy value can only come from a mechanism, never from JSON.
public struct NoisyInteger: Sendable, Hashable, Encodable {
    /// The noisy value (grid units for sums, rows for counts).
    public let value: Int64
    /// The noise that was added.
    public let noise: NoiseDistribution
    /// Half-width of the 95% interval `value ± halfWidth95` for the noiseless statistic
    /// (exact for discrete Laplace, tail bound for discrete Gaussian; see ``NoiseDistribution/halfWidth(confidence:)``).
    public let halfWidth95: Int64

    init(value: Int64, noise: NoiseDistribution) {
        self.value = value
        self.noise = noise
        self.halfWidth95 = noise.halfWidth(confidence: 0.95)
    }

    /// Adds fresh noise to an exact integer statistic.
    static func release<R: RandomSource>(_ exact: Int64, noise: NoiseDistribution, using random: inout R) throws -> NoisyInteger {
        let z = try noise.sample(using: &random)
        let (sum, overflow) = exact.addingReportingOverflow(z)
        guard !overflow else { throw PrivacyError.arithmeticOverflow("adding noise") }
        return NoisyInteger(value: sum, noise: noise)
    }
}

/// A released real number with a confidence interval for the noiseless (clamped, bounded) statistic.
public struct NoisyEstimate: Sendable, Hashable, Encodable {
    /// The estimate.
    public let value: Double
    /// 95% interval for the noiseless statistic of the bounded data (covers noise only, not the
    /// bias of clamping or contribution bounding). How it is computed is documented per mechanism.
    public let lower95: Double
    /// Upper end of the 95% interval.
    public let upper95: Double
}
