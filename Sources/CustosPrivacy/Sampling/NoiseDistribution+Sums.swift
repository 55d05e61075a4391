import Foundation

extension NoiseDistribution {
    /// The 95% half-width of a sum of `terms` independent draws of this noise: exact (from the
    /// convolution of the probability mass functions, truncated mass counted as outside) when the
    /// supports are small enough, else the union bound `terms * halfWidth(1 - 0.05/terms)`.
    public func halfWidthOfSum95(terms: Int) -> Int64 {
        guard terms > 1 else { return halfWidth(confidence: 0.95) }
        let reach = halfWidth(confidence: 1 - 1e-10)
        guard reach <= 2_000, terms <= 16 else { return Int64(terms) * halfWidth(confidence: 1 - 0.05 / Double(terms)) }
        let single = (-reach...reach).map { probability(of: $0) }
        var distribution = single
        for _ in 1..<terms {
            var next = [Double](repeating: 0, count: distribution.count + single.count - 1)
            for (i, p) in distribution.enumerated() where p > 0 { for (j, q) in single.enumerated() { next[i + j] += p * q } }
            distribution = next
        }
        let centre = distribution.count / 2
        var inside = distribution[centre]
        var width = 0
        while 1 - inside > 0.05 && width < centre {
            width += 1
            inside += distribution[centre + width] + distribution[centre - width]
        }
        return Int64(width)
    }
}
