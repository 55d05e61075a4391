import Foundation

/// A differentially private quantile: the exponential mechanism over a public, sorted grid of
/// candidate values, sampled exactly.
///
/// Utility of candidate `c_j` for level `q = a/b` (b = 10,000): `u_j = -|b * #{x < c_j} - a * n|`,
/// an integer with sensitivity `Δ = maxRowsPerSubject * max(a, b - a)`. Output `j` has probability
/// proportional to `exp(epsilon * u_j / (2 Δ))`, which is epsilon-DP (McSherry & Talwar 2007).
///
/// Why this sampler: rather than Gumbel noise (floating point) or report-noisy-max (a different
/// distribution), candidates are drawn uniformly and accepted with the exact Bernoulli
/// `exp(-epsilon (u_max - u_j) / (2 Δ))` of ``ExactSampler``; rejection sampling returns exactly the
/// exponential mechanism's distribution. Expected draws are `m / Σ_j exp(-γ_j) <= m`.
/// (The number of draws depends on the data; Custos does not defend against timing side channels.)
///
/// Accuracy: with probability at least 95%, the released candidate's rank is within
/// ``QuantileResult/rankErrorBound95`` rows of `q n` (the standard exponential-mechanism bound
/// `2Δ/epsilon * ln(m / 0.05)`, divided by b), on top of the grid's own spacing.
/// Pure DP only.
public struct QuantileMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    /// The public candidate grid (sorted, distinct).
    public let candidates: [Double]
    /// The level actually used, `levelNumerator / 10,000`.
    public let levelNumerator: UInt64
    static let levelDenominator: UInt64 = 10_000
    let epsilon: Rational
    let sensitivity: UInt64

    /// The quantile at `level` (0...1, rounded to 4 decimals) over the given public candidates.
    public init(level: Double, candidates: [Double], guarantee: PrivacyGuarantee,
                bounds: ContributionBounds = .oneRowPerSubject) throws {
        guard case .pure = guarantee else {
            throw PrivacyError.invalidParameter("quantiles use the exponential mechanism and need a pure-DP guarantee")
        }
        guard level.isFinite, (0...1).contains(level) else {
            throw PrivacyError.invalidParameter("a quantile level must be between 0 and 1")
        }
        guard !candidates.isEmpty, candidates.allSatisfy(\.isFinite),
              zip(candidates, candidates.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PrivacyError.invalidParameter("quantile candidates must be finite, distinct and sorted ascending")
        }
        self.candidates = candidates
        levelNumerator = UInt64((level * Double(QuantileMechanism.levelDenominator)).rounded())
        epsilon = try guarantee.exactParameter()
        let b = QuantileMechanism.levelDenominator
        sensitivity = UInt64(bounds.maxRowsPerSubject) * max(levelNumerator, b - levelNumerator)
        declaration = MechanismDeclaration(
            mechanism: "quantile(\(Double(levelNumerator) / Double(b)))", cost: guarantee.cost,
            contributionBounds: bounds, noise: [])
    }

    /// The 95% rank error bound in rows.
    public var rankErrorBound95: Double {
        2 * Double(sensitivity) / epsilon.doubleValue * log(Double(candidates.count) / 0.05)
            / Double(QuantileMechanism.levelDenominator)
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<Double>, using random: inout R) throws -> QuantileResult {
        try declaration.contributionBounds.check(input.bounds)
        let m = candidates.count
        // histogram[k] = rows with exactly k candidates <= x.
        var histogram = [Int64](repeating: 0, count: m + 1)
        var n: Int64 = 0
        for x in input.values where !x.isNaN {
            var lo = 0
            var hi = m
            while lo < hi {
                let mid = (lo + hi) / 2
                if candidates[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            histogram[lo] += 1
            n += 1
        }
        let b = Int64(QuantileMechanism.levelDenominator)
        let a = Int64(levelNumerator)
        var below: Int64 = 0
        var losses = [UInt64](repeating: 0, count: m)  // u_max - u_j computed below
        var utilities = [UInt64](repeating: 0, count: m)  // -u_j
        for j in 0..<m {
            below += histogram[j]
            utilities[j] = (b * below - a * n).magnitude
        }
        let best = utilities.min() ?? 0
        for j in 0..<m { losses[j] = utilities[j] - best }
        // gamma_j = epsilon * loss_j / (2 Δ) = (eps.num * loss_j) / (eps.den * 2 Δ).
        let denominator = BigNatural(epsilon.denominator) * BigNatural(sensitivity) * BigNatural(2)
        let numeratorFactor = BigNatural(epsilon.numerator)
        while true {
            let j = Int(random.uniform(below: UInt64(m)))
            if ExactSampler.bernoulliExpMinus(numeratorFactor * BigNatural(losses[j]), over: denominator, using: &random) {
                return QuantileResult(value: candidates[j], candidateIndex: j, rankErrorBound95: rankErrorBound95)
            }
        }
    }
}

/// A released quantile.
public struct QuantileResult: Sendable, Hashable, Encodable {
    /// The chosen candidate value.
    public let value: Double
    /// Its index in the candidate grid.
    public let candidateIndex: Int
    /// With probability >= 95%, `|#{x < value} - q n| <= rankErrorBound95` rows.
    public let rankErrorBound95: Double
}
