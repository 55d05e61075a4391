import Foundation

/// A differentially private GROUP BY count with partition selection.
///
/// Each subject appears in at most `L0 = maxGroupsPerSubject` groups with at most
/// `L∞ = maxRowsPerSubject` rows in each. Every group's count gets noise calibrated to
/// L1 = L0·L∞ (discrete Laplace, pure) or L2² = L0·L∞² (discrete Gaussian, zCDP).
///
/// Keys declared public are always released (also with a zero count). Any other key is released
/// only if its noisy count is at least ``threshold``, chosen so that a key held by a single subject
/// (true count at most L∞) is released with probability at most `delta / L0`; by the union bound
/// over that subject's at most L0 keys, the whole output is (epsilon, delta)-DP (or rho-zCDP with
/// delta, "approximate zCDP"), and the declared cost carries that delta.
/// `threshold = L∞ + k` with k the smallest integer with `P(Z >= k) <= delta / L0` (exact tail for
/// Laplace, sub-Gaussian bound for Gaussian), plus one unit of margin against rounding.
public struct GroupByCountMechanism<Key: Hashable & Sendable>: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    /// Keys released whatever their count (declared public by the schema).
    public let publicKeys: Set<Key>
    /// Minimum noisy count for a non-public key to be released.
    public let threshold: Int64
    /// False when the keys are a complete public domain: nothing outside it is ever released, so
    /// there is no partition selection and no delta.
    public let selectsPartitions: Bool
    let noise: NoiseDistribution

    /// A grouped count over a complete public domain of keys: every key of `publicDomain` is released
    /// (with a zero count too) and keys outside it never are. Pure: no delta.
    public init(guarantee: PrivacyGuarantee, bounds: ContributionBounds, publicDomain: Set<Key>) throws {
        let l0 = UInt64(bounds.maxGroupsPerSubject)
        let lInf = UInt64(bounds.maxRowsPerSubject)
        let l1 = try checkedProduct(l0, lInf, "group-by sensitivity")
        noise = try guarantee.noise(l1Sensitivity: l1, l2SensitivitySquared: BigNatural(l0) * BigNatural(lInf) * BigNatural(lInf))
        threshold = .max
        selectsPartitions = false
        publicKeys = publicDomain
        declaration = MechanismDeclaration(
            mechanism: "group-by count over public keys", cost: guarantee.cost, contributionBounds: bounds, noise: [noise])
    }

    /// A grouped count with partition selection.
    public init(guarantee: PrivacyGuarantee, delta: Double, bounds: ContributionBounds, publicKeys: Set<Key> = []) throws {
        guard delta.isFinite, delta > 0, delta < 1 else {
            throw PrivacyError.invalidParameter("partition selection needs 0 < delta < 1")
        }
        let l0 = UInt64(bounds.maxGroupsPerSubject)
        let lInf = UInt64(bounds.maxRowsPerSubject)
        let l1 = try checkedProduct(l0, lInf, "group-by sensitivity")
        noise = try guarantee.noise(l1Sensitivity: l1, l2SensitivitySquared: BigNatural(l0) * BigNatural(lInf) * BigNatural(lInf))
        let target = delta / Double(l0)
        var k: Int64
        switch noise {
        case .discreteLaplace(let scale):
            let q = exp(-1 / scale.doubleValue)
            k = max(1, Int64((log(target * (1 + q)) / log(q)).rounded(.up)))
        case .discreteGaussian(let s2):
            k = max(1, Int64((2 * s2.doubleValue * log(1 / target)).squareRoot().rounded(.up)))
        }
        while k > 1 && noise.upperTail(atLeast: k - 1) <= target { k -= 1 }
        while noise.upperTail(atLeast: k) > target { k += 1 }
        threshold = Int64(lInf) + k + 1
        selectsPartitions = true
        self.publicKeys = publicKeys
        var cost = guarantee.cost
        cost.delta = delta
        declaration = MechanismDeclaration(
            mechanism: "group-by count with partition selection", cost: cost, contributionBounds: bounds, noise: [noise])
    }

    /// Releases public keys and the non-public keys whose noisy count reaches the threshold.
    public func release<R: RandomSource>(_ input: BoundedGroupedColumn<Key, some Any>, using random: inout R) throws
        -> GroupByCountResult<Key>
    {
        try releaseCounts(keys: input.keys, bounds: input.bounds, using: &random)
    }

    public func release<R: RandomSource>(_ input: BoundedGroupedKeys<Key>, using random: inout R) throws -> GroupByCountResult<Key> {
        try releaseCounts(keys: input.keys, bounds: input.bounds, using: &random)
    }

    func releaseCounts<R: RandomSource>(keys: [Key], bounds: ContributionBounds, using random: inout R) throws
        -> GroupByCountResult<Key>
    {
        try declaration.contributionBounds.check(bounds)
        var counts: [Key: Int64] = [:]
        for key in keys { counts[key, default: 0] += 1 }
        for key in publicKeys where counts[key] == nil { counts[key] = 0 }
        var released: [Key: NoisyInteger] = [:]
        // Noise every key (public or not) so the work done does not depend on which keys pass.
        for (key, count) in counts {
            let noisy = try NoisyInteger.release(count, noise: noise, using: &random)
            if publicKeys.contains(key) || (selectsPartitions && noisy.value >= threshold) {
                released[key] = noisy
            }
        }
        return GroupByCountResult(counts: released, threshold: threshold)
    }
}

/// Grouped rows reduced to their keys (what a grouped count reads).
public struct BoundedGroupedKeys<Key: Hashable>: Sendable where Key: Sendable {
    /// One key per retained row.
    public let keys: [Key]
    /// The bounds the rows satisfy.
    public let bounds: ContributionBounds
}

extension BoundedGroupedColumn where Key: Sendable {
    /// The keys alone, for ``GroupByCountMechanism``.
    public var groupKeys: BoundedGroupedKeys<Key> { BoundedGroupedKeys(keys: keys, bounds: bounds) }
}

/// The released groups of a ``GroupByCountMechanism``.
public struct GroupByCountResult<Key: Hashable & Sendable>: Sendable {
    /// Released keys and their noisy counts.
    public let counts: [Key: NoisyInteger]
    /// The threshold non-public keys had to reach.
    public let threshold: Int64
}
