/// A keyed pseudonym for a data subject: the first 16 bytes of HMAC-SHA-256(purpose key, subject id).
/// Printed as "p_" followed by 32 lowercase hex digits.
public struct Pseudonym: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Bytes 0..<8 of the MAC, big-endian.
    public let high: UInt64
    /// Bytes 8..<16 of the MAC, big-endian.
    public let low: UInt64

    /// A pseudonym from its two 64-bit halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the printed form "p_" + 32 hex digits.
    public init?(text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 34, utf8[0] == UInt8(ascii: "p"), utf8[1] == UInt8(ascii: "_") else { return nil }
        guard let high = UInt64(String(decoding: utf8[2..<18], as: UTF8.self), radix: 16),
              let low = UInt64(String(decoding: utf8[18..<34], as: UTF8.self), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }

    /// The 16 bytes.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// "p_" + 32 lowercase hex digits.
    public var text: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 34)
        out[0] = UInt8(ascii: "p")
        out[1] = UInt8(ascii: "_")
        for (i, byte) in bytes.enumerated() {
            out[2 + 2 * i] = digits[Int(byte >> 4)]
            out[3 + 2 * i] = digits[Int(byte & 0x0f)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { text }

    public static func < (a: Pseudonym, b: Pseudonym) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }
}
