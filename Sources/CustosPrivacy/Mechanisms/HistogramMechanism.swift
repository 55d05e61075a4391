/// A differentially private histogram over public bins.
///
/// `edges` (sorted, at least two) define bins `[e_i, e_{i+1})`, the last one closed. Values
/// outside the edges are clamped into the end bins; NaN values are left out. A subject's rows can
/// all fall into one bin, so the L1 and L2 sensitivity of the vector of counts is
/// `maxRowsPerSubject`; every bin gets independent noise of that sensitivity.
public struct HistogramMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    /// The public bin edges.
    public let edges: [Double]
    let noise: NoiseDistribution

    /// A histogram over `edges` with the given guarantee.
    public init(edges: [Double], guarantee: PrivacyGuarantee, bounds: ContributionBounds = .oneRowPerSubject) throws {
        guard edges.count >= 2, edges.allSatisfy(\.isFinite), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PrivacyError.invalidParameter("histogram edges must be at least two finite values in ascending order")
        }
        self.edges = edges
        noise = try guarantee.noise(sensitivity: UInt64(bounds.maxRowsPerSubject))
        declaration = MechanismDeclaration(
            mechanism: "histogram(\(edges.count - 1) bins)", cost: guarantee.cost, contributionBounds: bounds,
            noise: [noise])
    }

    /// Ten equal-width public bins over `domain` (a convenience for the common case).
    public static func equalWidth(bins: Int, over domain: NumericDomain, guarantee: PrivacyGuarantee,
                                  bounds: ContributionBounds = .oneRowPerSubject) throws -> HistogramMechanism {
        guard bins >= 1, domain.upper > domain.lower else {
            throw PrivacyError.invalidParameter("an equal-width histogram needs at least one bin and a non-empty range")
        }
        let width = (domain.upper - domain.lower) / Double(bins)
        var edges = (0..<bins).map { domain.lower + Double($0) * width }
        edges.append(domain.upper)
        return try HistogramMechanism(edges: edges, guarantee: guarantee, bounds: bounds)
    }

    /// Bin index of a value (clamped into the end bins), or nil for NaN.
    @inline(__always)
    func bin(of x: Double) -> Int? {
        if x.isNaN { return nil }
        let last = edges.count - 2
        var lo = 0
        var hi = last
        // Largest i in 0...last with edges[i] <= x (0 when x is below the first edge).
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if edges[mid] <= x { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<Double>, using random: inout R) throws -> [NoisyInteger] {
        try declaration.contributionBounds.check(input.bounds)
        var counts = [Int64](repeating: 0, count: edges.count - 1)
        for x in input.values {
            if let i = bin(of: x) { counts[i] += 1 }
        }
        return try counts.map { try NoisyInteger.release($0, noise: noise, using: &random) }
    }
}
