/// A differentially private row count. Sensitivity: `maxRowsPerSubject` rows (L1 and L2).
///
/// Accuracy: ``NoisyInteger/halfWidth95`` is exact for discrete Laplace noise and a tail bound
/// for discrete Gaussian noise.
public struct CountMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    let noise: NoiseDistribution

    /// A count with the given guarantee for data bounded to `bounds`.
    public init(guarantee: PrivacyGuarantee, bounds: ContributionBounds = .oneRowPerSubject) throws {
        noise = try guarantee.noise(sensitivity: UInt64(bounds.maxRowsPerSubject))
        declaration = MechanismDeclaration(
            mechanism: "count", cost: guarantee.cost, contributionBounds: bounds, noise: [noise])
    }

    public func release<R: RandomSource>(_ input: BoundedRowCount, using random: inout R) throws -> NoisyInteger {
        try declaration.contributionBounds.check(input.bounds)
        return try NoisyInteger.release(Int64(input.rows), noise: noise, using: &random)
    }
}

/// A differentially private sum of a numeric column over a public domain.
///
/// Values are clamped and put on the domain's grid; the sensitivity is
/// `maxRowsPerSubject * max(|lowerUnits|, |upperUnits|)` grid units. The interval is the noise's
/// 95% interval scaled back to values.
public struct SumMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    let domain: NumericDomain
    let noise: NoiseDistribution

    /// A sum over `domain` with the given guarantee for data bounded to `bounds`.
    public init(domain: NumericDomain, guarantee: PrivacyGuarantee, bounds: ContributionBounds = .oneRowPerSubject) throws {
        self.domain = domain
        let sensitivity = try checkedProduct(UInt64(bounds.maxRowsPerSubject), UInt64(max(domain.magnitudeUnits, 1)), "sum sensitivity")
        noise = try guarantee.noise(sensitivity: sensitivity)
        declaration = MechanismDeclaration(
            mechanism: "sum", cost: guarantee.cost, contributionBounds: bounds, domain: domain, noise: [noise])
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<Double>, using random: inout R) throws -> NoisyEstimate {
        try declaration.contributionBounds.check(input.bounds)
        let grid = GridMapper(domain)
        var sum = CheckedSum()
        input.values.withUnsafeBufferPointer { rows in
            for x in rows {
                if let u = grid.units(x) { sum.add(u) }
            }
        }
        let noisy = try NoisyInteger.release(try sum.result("sum"), noise: noise, using: &random)
        let value = domain.value(units: Double(noisy.value))
        let half = domain.value(units: Double(noisy.halfWidth95))
        return NoisyEstimate(value: value, lower95: value - half, upper95: value + half)
    }
}
