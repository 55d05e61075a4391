/// The six sums a private Pearson correlation of two columns releases: count, sums, sums of
/// squares and the cross product (unshifted, typically noisy, in the mechanism's grid units).
/// CustosMining's `CorrelationStatistics` is the exact, many-column, shifted and mergeable
/// counterpart; the two are kept apart because CustosPrivacy does not depend on CustosMining.
public struct PairCorrelationSums: Sendable, Hashable, Codable {
    /// Number of rows.
    public var count: Double
    /// Σx.
    public var sumX: Double
    /// Σy.
    public var sumY: Double
    /// Σx².
    public var sumXX: Double
    /// Σy².
    public var sumYY: Double
    /// Σxy.
    public var sumXY: Double

    /// Statistics from given (typically noisy) values.
    public init(count: Double, sumX: Double, sumY: Double, sumXX: Double, sumYY: Double, sumXY: Double) {
        self.count = count
        self.sumX = sumX
        self.sumY = sumY
        self.sumXX = sumXX
        self.sumYY = sumYY
        self.sumXY = sumXY
    }

    /// Pearson's r from the statistics, clamped to [-1, 1]; nil when a variance is not positive or
    /// the count is below two. Post-processing: applying it to noisy statistics costs no budget.
    public var pearsonCorrelation: Double? {
        guard count >= 2 else { return nil }
        let covariance = sumXY / count - (sumX / count) * (sumY / count)
        let varianceX = sumXX / count - (sumX / count) * (sumX / count)
        let varianceY = sumYY / count - (sumY / count) * (sumY / count)
        guard varianceX > 0, varianceY > 0 else { return nil }
        return min(max(covariance / (varianceX * varianceY).squareRoot(), -1), 1)
    }
}

/// A pair of numeric values from one row.
public struct NumericPair: Sendable, Hashable {
    /// First column.
    public let x: Double
    /// Second column.
    public let y: Double

    /// A pair.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A differentially private Pearson correlation from noisy sufficient statistics.
///
/// Each value is clamped, put on its domain's grid, centred and doubled (`|dx| <= Wx`, see
/// ``MeanMechanism``); rows with a NaN are left out. Six statistics are released, each with a sixth
/// of the guarantee: n, Σdx, Σdy, Σdx², Σdy², Σdx·dy with sensitivities r, r·Wx, r·Wy, r·Wx²,
/// r·Wy², r·Wx·Wy (`r = maxRowsPerSubject`). Correlation is invariant to the centring and scaling,
/// so r is computed directly from the noisy statistics. No interval is given; each statistic's noise
/// is in the declaration.
public struct CorrelationMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    let xDomain: NumericDomain
    let yDomain: NumericDomain
    let noises: [NoiseDistribution]

    /// A correlation of two columns over public domains.
    public init(xDomain: NumericDomain, yDomain: NumericDomain, guarantee: PrivacyGuarantee,
                bounds: ContributionBounds = .oneRowPerSubject) throws {
        self.xDomain = xDomain
        self.yDomain = yDomain
        let r = UInt64(bounds.maxRowsPerSubject)
        let wx = UInt64(max(xDomain.widthUnits, 1))
        let wy = UInt64(max(yDomain.widthUnits, 1))
        let what = "correlation sensitivity"
        let sensitivities = [
            r, try checkedProduct(r, wx, what), try checkedProduct(r, wy, what),
            try checkedProduct(r, try checkedProduct(wx, wx, what), what),
            try checkedProduct(r, try checkedProduct(wy, wy, what), what),
            try checkedProduct(r, try checkedProduct(wx, wy, what), what),
        ]
        noises = try sensitivities.map { try guarantee.noise(sensitivity: $0, parts: 6) }
        declaration = MechanismDeclaration(
            mechanism: "correlation", cost: guarantee.cost, contributionBounds: bounds, noise: noises)
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<NumericPair>, using random: inout R) throws -> CorrelationResult {
        try declaration.contributionBounds.check(input.bounds)
        let ox = xDomain.lowerUnits + xDomain.upperUnits
        let oy = yDomain.lowerUnits + yDomain.upperUnits
        let xGrid = GridMapper(xDomain)
        let yGrid = GridMapper(yDomain)
        var sums = [CheckedSum](repeating: CheckedSum(), count: 6)
        for pair in input.values {
            guard let ux = xGrid.units(pair.x), let uy = yGrid.units(pair.y) else { continue }
            let dx = 2 * ux - ox
            let dy = 2 * uy - oy
            let (xx, o1) = dx.multipliedReportingOverflow(by: dx)
            let (yy, o2) = dy.multipliedReportingOverflow(by: dy)
            let (xy, o3) = dx.multipliedReportingOverflow(by: dy)
            if o1 || o2 || o3 { throw PrivacyError.arithmeticOverflow("correlation") }
            sums[0].add(1)
            sums[1].add(dx)
            sums[2].add(dy)
            sums[3].add(xx)
            sums[4].add(yy)
            sums[5].add(xy)
        }
        var noisy: [NoisyInteger] = []
        for i in 0..<6 {
            noisy.append(try NoisyInteger.release(try sums[i].result("correlation"), noise: noises[i], using: &random))
        }
        let statistics = PairCorrelationSums(
            count: Double(noisy[0].value), sumX: Double(noisy[1].value), sumY: Double(noisy[2].value),
            sumXX: Double(noisy[3].value), sumYY: Double(noisy[4].value), sumXY: Double(noisy[5].value))
        return CorrelationResult(correlation: statistics.pearsonCorrelation, statistics: statistics, noisyStatistics: noisy)
    }
}

/// A released correlation.
public struct CorrelationResult: Sendable, Hashable {
    /// Pearson's r from the noisy statistics (nil when undefined).
    public let correlation: Double?
    /// The noisy statistics in centred, doubled grid units.
    public let statistics: PairCorrelationSums
    /// The same statistics with their noise and 95% half-widths.
    public let noisyStatistics: [NoisyInteger]
}
