import CustosPrivacy

/// A reproducible random source for tests ONLY: xoshiro256** (Blackman & Vigna 2018) seeded
/// through SplitMix64. It lives in the test-support target so that no production target can
/// import it, and nothing in CustosPrivacy can select it by configuration.
public struct SeededRandomSource: RandomSource, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A stream fully determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next()
        s1 = next()
        s2 = next()
        s3 = next()
    }

    /// A stream from an explicit xoshiro256** state (for checking against the reference vectors).
    /// - Precondition: the state is not all zero.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** needs a non-zero state")
        (s0, s1, s2, s3) = state
    }

    /// The first SplitMix64 output for `seed` (exposed to check the seeding against its reference).
    public static func splitMix64(seed: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next xoshiro256** output.
    public mutating func nextUInt64() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// A random source that replays a fixed list of words (then repeats it), for tests that need a
/// specific draw sequence.
public struct ScriptedRandomSource: RandomSource, Sendable {
    private let words: [UInt64]
    private var position = 0

    /// Replays `words` cyclically. - Precondition: `words` is not empty.
    public init(words: [UInt64]) {
        precondition(!words.isEmpty, "a scripted random source needs at least one word")
        self.words = words
    }

    /// The next scripted word.
    public mutating func nextUInt64() -> UInt64 {
        defer { position = (position + 1) % words.count }
        return words[position]
    }
}
