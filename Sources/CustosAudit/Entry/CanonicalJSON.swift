/// The canonical JSON form used for every audit entry line.
///
/// The rules (also in audit/README.md) are a strict subset of RFC 8785 (JCS), so every line is valid
/// JCS output:
/// - objects: members sorted by key, comparing keys as sequences of UTF-16 code units; no duplicate keys;
/// - no white space outside strings;
/// - strings: UTF-8; `"` and `\` escaped as `\"` and `\\`; U+0008, U+0009, U+000A, U+000C, U+000D as
///   `\b`, `\t`, `\n`, `\f`, `\r`; other code points below U+0020 as `\u00xx` with lower-case hex; every
///   other code point (including `/`, U+007F and all non-ASCII) written as its literal UTF-8 bytes;
/// - numbers: integers only, in plain decimal, `-` only for negatives, no leading zeros, no fraction or
///   exponent, magnitude at most 2^53 − 1 (decimal quantities such as epsilon are strings);
/// - literals `true`, `false`, `null`.
public enum CanonicalJSON {
    /// The canonical UTF-8 bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        encode(value, into: &out)
        return out
    }

    /// Appends the canonical UTF-8 bytes of `value` to `out`.
    public static func encode(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .integer(let i): appendInteger(i, into: &out)
        case .string(let s): appendString(s, into: &out)
        case .array(let items):
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                encode(item, into: &out)
            }
            out.append(0x5D)
        case .object(let members):
            out.append(0x7B)
            for (i, key) in sortedKeys(members.keys).enumerated() {
                if i > 0 { out.append(0x2C) }
                appendString(key, into: &out)
                out.append(0x3A)
                if let member = members[key] { encode(member, into: &out) }
            }
            out.append(0x7D)
        }
    }

    /// Keys in canonical order (UTF-16 code unit order, as RFC 8785 requires).
    public static func sortedKeys<S: Sequence>(_ keys: S) -> [String] where S.Element == String {
        keys.sorted { precedes($0, $1) }
    }

    /// True when `a` sorts before `b` in canonical key order.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    static func appendInteger(_ value: Int64, into out: inout [UInt8]) {
        if value == 0 {
            out.append(0x30)
            return
        }
        var magnitude = value.magnitude
        var digits = [UInt8]()
        while magnitude > 0 {
            digits.append(UInt8(0x30 + magnitude % 10))
            magnitude /= 10
        }
        if value < 0 { out.append(0x2D) }
        out.append(contentsOf: digits.reversed())
    }

    static func appendString(_ string: String, into out: inout [UInt8]) {
        out.append(0x22)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for byte in string.utf8 {
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(0x62)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0C: out.append(0x5C); out.append(0x66)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
