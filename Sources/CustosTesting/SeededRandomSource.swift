import CustosBase
import CustosPrivacy

/// A reproducible random source for tests ONLY: xoshiro256** (Blackman & Vigna 2018) seeded
/// through SplitMix64. It lives in the test-support target so that no production target can
/// import it, and nothing in CustosPrivacy can select it by configuration.
public struct SeededRandomSource: RandomSource, Sendable {
    private var generator: Xoshiro256StarStar

    /// A stream fully determined by `seed`.
    public init(seed: UInt64) { generator = Xoshiro256StarStar(seed: seed) }

    /// A stream from an explicit xoshiro256** state (for checking against the reference vectors).
    /// - Precondition: the state is not all zero.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) { generator = Xoshiro256StarStar(state: state) }

    /// The first SplitMix64 output for `seed` (exposed to check the seeding against its reference).
    public static func splitMix64(seed: UInt64) -> UInt64 { SplitMix64.first(seed: seed) }

    /// The next xoshiro256** output.
    public mutating func nextUInt64() -> UInt64 { generator.next() }
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
