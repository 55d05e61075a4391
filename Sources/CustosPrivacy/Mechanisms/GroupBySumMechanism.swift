/// Noisy sums per group for a fixed set of keys (public keys, or keys already released by a
/// differentially private group-by count, which makes choosing them post-processing).
///
/// Each subject contributes to at most `maxGroupsPerSubject` groups with at most `maxRowsPerSubject`
/// rows each, so the L1 sensitivity of the vector of sums is
/// `maxGroups * maxRows * magnitude` grid units (L2 squared: `maxGroups * (maxRows * magnitude)^2`).
public struct GroupBySumMechanism<Key: Hashable & Sendable>: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    let domain: NumericDomain
    let noise: NoiseDistribution

    /// Grouped sums over `domain` with the given guarantee for data bounded to `bounds`.
    public init(domain: NumericDomain, guarantee: PrivacyGuarantee, bounds: ContributionBounds) throws {
        self.domain = domain
        let perGroup = try checkedProduct(UInt64(bounds.maxRowsPerSubject), UInt64(max(domain.magnitudeUnits, 1)), "group sum sensitivity")
        let l1 = try checkedProduct(UInt64(bounds.maxGroupsPerSubject), perGroup, "group sum sensitivity")
        noise = try guarantee.noise(l1Sensitivity: l1,
                                    l2SensitivitySquared: BigNatural(UInt64(bounds.maxGroupsPerSubject)) * BigNatural(perGroup) * BigNatural(perGroup))
        declaration = MechanismDeclaration(mechanism: "group-by sum", cost: guarantee.cost, contributionBounds: bounds, domain: domain, noise: [noise])
    }

    /// The input: bounded grouped values and the keys whose sums are released.
    public struct Input: Sendable {
        public let column: BoundedGroupedColumn<Key, Double>
        public let keys: [Key]
        public init(column: BoundedGroupedColumn<Key, Double>, keys: [Key]) {
            self.column = column
            self.keys = keys
        }
    }

    /// Releases a noisy sum (with its 95% interval) for every requested key, present or not.
    public func release<R: RandomSource>(_ input: Input, using random: inout R) throws -> [Key: NoisyEstimate] {
        try declaration.contributionBounds.check(input.column.bounds)
        var sums: [Key: CheckedSum] = [:]
        for (key, x) in zip(input.column.keys, input.column.values) {
            if let u = domain.units(x) { sums[key, default: CheckedSum()].add(u) }
        }
        var out: [Key: NoisyEstimate] = [:]
        for key in input.keys {
            let noisy = try NoisyInteger.release(try sums[key, default: CheckedSum()].result("group sum"), noise: noise, using: &random)
            let value = domain.value(units: Double(noisy.value)), half = domain.value(units: Double(noisy.halfWidth95))
            out[key] = NoisyEstimate(value: value, lower95: value - half, upper95: value + half)
        }
        return out
    }
}
