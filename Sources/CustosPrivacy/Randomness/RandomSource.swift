/// A stream of uniformly random 64-bit words: the only source of randomness the privacy samplers use.
///
/// Production code uses ``SecureRandomSource`` (OpenSSL's CSPRNG). A seeded, reproducible source
/// exists only in the `CustosTesting` target, which production targets cannot import.
public protocol RandomSource {
    /// The next uniformly random 64-bit word.
    mutating func nextUInt64() -> UInt64
}

extension RandomSource {
    /// A uniformly random integer in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        var product = nextUInt64().multipliedFullWidth(by: bound)
        if product.low < bound {
            // Reject the few low words that would make some outcomes one draw more likely.
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = nextUInt64().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A fair coin.
    public mutating func fairCoin() -> Bool {
        nextUInt64() >> 63 == 1
    }

    /// Exactly Bernoulli(`numerator`/`denominator`): true with that probability, computed on integers.
    ///
    /// - Precondition: `0 < denominator` and `numerator <= denominator`.
    public mutating func bernoulli(numerator: UInt64, denominator: UInt64) -> Bool {
        precondition(denominator > 0 && numerator <= denominator, "Bernoulli needs 0 <= n <= d, d > 0")
        if numerator == denominator { return true }
        return uniform(below: denominator) < numerator
    }
}
