import CustosCrypto

/// The internal, random identifier of a data subject (a OneID). It is not derived from any
/// personal data, so it can appear in storage metadata; it never leaves the engine (mining sees
/// purpose-specific pseudonyms instead).
public struct SubjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh random id.
    public static func random(_ source: BufferedSecureRandom) -> SubjectID {
        SubjectID(high: source.next(), low: source.next())
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
        self.init(high: h, low: l)
    }

    public init?(hex: String) {
        guard let bytes = [UInt8](hexString: hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// Big-endian 16 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
        }
        return out
    }

    public var hex: String { bytes.hexString }
    public var description: String { "subject:\(hex.prefix(8))…" }

    public static func < (a: SubjectID, b: SubjectID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
