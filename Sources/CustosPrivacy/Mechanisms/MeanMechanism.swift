/// A differentially private mean: a noisy sum of centred values divided by a noisy count
/// (the normalised-sum approach of Google's DP library), each with half the guarantee.
///
/// Values are clamped and put on the grid (`q` in grid units), then centred and doubled so that
/// they stay integers: `c = 2q - (lowerUnits + upperUnits)`, `|c| <= W = upperUnits - lowerUnits`.
/// Sensitivities: count `maxRowsPerSubject`; centred sum `maxRowsPerSubject * W`. Missing (NaN)
/// values are left out of both. The estimate is clamped to the public bounds.
///
/// Interval: each noisy statistic gets its 97.5% noise interval; by the union bound the true
/// (bounded) mean lies, with at least 95% probability, between the extreme ratios of the two
/// intervals (the whole domain when the count interval reaches zero).
public struct MeanMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    let domain: NumericDomain
    let countNoise: NoiseDistribution
    let sumNoise: NoiseDistribution

    /// A mean over `domain` with the given guarantee (split evenly between sum and count).
    public init(domain: NumericDomain, guarantee: PrivacyGuarantee, bounds: ContributionBounds = .oneRowPerSubject) throws {
        self.domain = domain
        let rows = UInt64(bounds.maxRowsPerSubject)
        countNoise = try guarantee.noise(sensitivity: rows, parts: 2)
        let width = UInt64(max(domain.widthUnits, 1))
        sumNoise = try guarantee.noise(sensitivity: try checkedProduct(rows, width, "mean sensitivity"), parts: 2)
        declaration = MechanismDeclaration(
            mechanism: "mean", cost: guarantee.cost, contributionBounds: bounds, domain: domain,
            noise: [sumNoise, countNoise])
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<Double>, using random: inout R) throws -> NoisyEstimate {
        try declaration.contributionBounds.check(input.bounds)
        let offset = domain.lowerUnits + domain.upperUnits
        let grid = GridMapper(domain)
        var sum = CheckedSum()
        var count: Int64 = 0
        input.values.withUnsafeBufferPointer { rows in
            for x in rows {
                if let u = grid.units(x) {
                    sum.add(2 * u - offset)
                    count += 1
                }
            }
        }
        let noisySum = try NoisyInteger.release(try sum.result("mean"), noise: sumNoise, using: &random)
        let noisyCount = try NoisyInteger.release(count, noise: countNoise, using: &random)
        let centre = Double(offset) / 2
        let lowerUnits = Double(domain.lowerUnits)
        let upperUnits = Double(domain.upperUnits)
        func clampUnits(_ u: Double) -> Double { min(max(u, lowerUnits), upperUnits) }
        let n = Double(max(noisyCount.value, 1))
        let estimate = clampUnits(centre + Double(noisySum.value) / (2 * n))
        let hs = Double(sumNoise.halfWidth(confidence: 0.975))
        let hc = Double(countNoise.halfWidth(confidence: 0.975))
        let nLow = Double(noisyCount.value) - hc
        let nHigh = Double(noisyCount.value) + hc
        var low = lowerUnits
        var high = upperUnits
        if nLow >= 1 {
            let sLow = Double(noisySum.value) - hs
            let sHigh = Double(noisySum.value) + hs
            let ratios = [sLow / (2 * nLow), sLow / (2 * nHigh), sHigh / (2 * nLow), sHigh / (2 * nHigh)]
            low = clampUnits(centre + (ratios.min() ?? 0))
            high = clampUnits(centre + (ratios.max() ?? 0))
        }
        return NoisyEstimate(
            value: domain.value(units: estimate), lower95: domain.value(units: low), upper95: domain.value(units: high))
    }
}

/// A differentially private variance from noisy sufficient statistics: count, sum and sum of
/// squares of the centred, doubled grid values (see ``MeanMechanism``), each with a third of the
/// guarantee. Sensitivities: `r`, `r W`, `r W^2` with `r = maxRowsPerSubject`.
///
/// The estimate `(S2/n - (S1/n)^2) / 4` (population variance) is clamped to `[0, (W/2)^2]`.
/// Interval: 1 - 0.05/3 noise intervals on each statistic, combined by interval arithmetic
/// (union bound, at least 95%).
public struct VarianceMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    let domain: NumericDomain
    let countNoise: NoiseDistribution
    let sumNoise: NoiseDistribution
    let squaresNoise: NoiseDistribution

    /// A variance over `domain` with the given guarantee.
    public init(domain: NumericDomain, guarantee: PrivacyGuarantee, bounds: ContributionBounds = .oneRowPerSubject) throws {
        self.domain = domain
        let rows = UInt64(bounds.maxRowsPerSubject)
        let width = UInt64(max(domain.widthUnits, 1))
        countNoise = try guarantee.noise(sensitivity: rows, parts: 3)
        sumNoise = try guarantee.noise(sensitivity: try checkedProduct(rows, width, "variance sensitivity"), parts: 3)
        let squareSensitivity = try checkedProduct(rows, try checkedProduct(width, width, "variance sensitivity"), "variance sensitivity")
        squaresNoise = try guarantee.noise(sensitivity: squareSensitivity, parts: 3)
        declaration = MechanismDeclaration(
            mechanism: "variance", cost: guarantee.cost, contributionBounds: bounds, domain: domain,
            noise: [countNoise, sumNoise, squaresNoise])
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<Double>, using random: inout R) throws -> NoisyEstimate {
        try declaration.contributionBounds.check(input.bounds)
        let offset = domain.lowerUnits + domain.upperUnits
        var sum = CheckedSum()
        var squares = CheckedSum()
        var count: Int64 = 0
        let grid = GridMapper(domain)
        for x in input.values {
            if let u = grid.units(x) {
                let c = 2 * u - offset
                sum.add(c)
                let (sq, o) = c.multipliedReportingOverflow(by: c)
                if o { throw PrivacyError.arithmeticOverflow("variance") }
                squares.add(sq)
                count += 1
            }
        }
        let n = try NoisyInteger.release(count, noise: countNoise, using: &random)
        let s1 = try NoisyInteger.release(try sum.result("variance"), noise: sumNoise, using: &random)
        let s2 = try NoisyInteger.release(try squares.result("variance"), noise: squaresNoise, using: &random)
        let w = Double(domain.widthUnits)
        let maxVariance = w * w / 4
        func clampVariance(_ v: Double) -> Double { min(max(v, 0), maxVariance) }
        func variance(_ n: Double, _ s1: Double, _ s2: Double) -> Double { (s2 / n - (s1 / n) * (s1 / n)) / 4 }
        let nn = Double(max(n.value, 1))
        let estimate = clampVariance(variance(nn, Double(s1.value), Double(s2.value)))
        let confidence = 1 - 0.05 / 3
        let hn = Double(countNoise.halfWidth(confidence: confidence))
        let h1 = Double(sumNoise.halfWidth(confidence: confidence))
        let h2 = Double(squaresNoise.halfWidth(confidence: confidence))
        var low = 0.0
        var high = maxVariance
        let nLow = Double(n.value) - hn
        if nLow >= 1 {
            let nHigh = Double(n.value) + hn
            let meanCandidates = [Double(s1.value) - h1, Double(s1.value) + h1].flatMap { s in [s / nLow, s / nHigh] }
            let meanLow = meanCandidates.min() ?? 0
            let meanHigh = meanCandidates.max() ?? 0
            let meanSquareMax = max(meanLow * meanLow, meanHigh * meanHigh)
            let meanSquareMin = (meanLow <= 0 && meanHigh >= 0) ? 0 : min(meanLow * meanLow, meanHigh * meanHigh)
            let secondLow = min((Double(s2.value) - h2) / nHigh, (Double(s2.value) - h2) / nLow)
            let secondHigh = max((Double(s2.value) + h2) / nLow, (Double(s2.value) + h2) / nHigh)
            low = clampVariance((secondLow - meanSquareMax) / 4)
            high = clampVariance((secondHigh - meanSquareMin) / 4)
        }
        let unitsSquared = domain.unitsPerValue * domain.unitsPerValue
        return NoisyEstimate(value: estimate / unitsSquared, lower95: low / unitsSquared, upper95: high / unitsSquared)
    }
}
