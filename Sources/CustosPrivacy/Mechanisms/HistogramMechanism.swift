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

    /// Bin index of a value (clamped into the end bins), or nil for NaN: the largest i with
    /// `edges[i] <= x` (0 below the first edge, the last bin at or above the last edge).
    /// `bounds[i] ..< bounds[i + 1]` is bin i, with `bounds[0] = -inf`, `bounds[bins] = +inf` and
    /// the inner edges between: the same bins as ``edges`` with the clamping built in.
    @inline(__always)
    static func bin(of x: Double, bounds: UnsafeBufferPointer<Double>, origin: Double, guessScale: Double, last: Double) -> Int? {
        if x.isNaN { return nil }
        // Guess as if the bins were equal-width; keep the guess when the exact comparisons agree
        // (always, for equal-width bins), otherwise search. The result is exact for any edges.
        var position = (x - origin) * guessScale
        position = position < 0 ? 0 : position
        position = position > last ? last : position
        let guess = Int(position)
        if bounds[guess] <= x && x < bounds[guess + 1] { return guess }
        var lo = 0
        var hi = bounds.count - 2
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if bounds[mid] <= x { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    public func release<R: RandomSource>(_ input: BoundedColumn<Double>, using random: inout R) throws -> [NoisyInteger] {
        try declaration.contributionBounds.check(input.bounds)
        let bins = edges.count - 1
        let guessScale = Double(bins) / (edges[bins] - edges[0])
        var bounds = edges
        bounds[0] = -.infinity
        bounds[bins] = .infinity
        let origin = edges[0]
        let last = Double(bins - 1)
        var counts = [Int64](repeating: 0, count: bins)
        bounds.withUnsafeBufferPointer { boundBuffer in
            counts.withUnsafeMutableBufferPointer { tally in
                input.values.withUnsafeBufferPointer { rows in
                    for x in rows {
                        if let i = HistogramMechanism.bin(of: x, bounds: boundBuffer, origin: origin, guessScale: guessScale, last: last) {
                            tally[i] &+= 1
                        }
                    }
                }
            }
        }
        return try counts.map { try NoisyInteger.release($0, noise: noise, using: &random) }
    }
}
