/// SplitMix64 (Steele, Lea and Flood 2014): a tiny seeded generator, reproducible across runs
/// and platforms. For test data, benchmarks and seeding ``Xoshiro256StarStar``; never for keys
/// or privacy noise, which come from the CSPRNG.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; each output advances it by the golden-ratio increment.
    package private(set) var state: UInt64

    /// A stream fully determined by `seed`.
    package init(seed: UInt64) { state = seed }

    /// The next output.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The first output for `seed`, without keeping a generator.
    package static func first(seed: UInt64) -> UInt64 { mix(seed &+ 0x9E37_79B9_7F4A_7C15) }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
