import CustosCrypto

/// The identifier of a data-subject request: `DSR-` and 26 Crockford base-32 characters carrying
/// 128 bits from the CSPRNG. Printable, unambiguous when read aloud (no I, L, O, U), and holds
/// nothing about the subject, so it may appear in audit entries and correspondence.
public struct DataSubjectRequestID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The text form, e.g. `DSR-0J5Y8R7Q2M3T4V6W8X9Z0A1B2C`.
    public let rawValue: String

    static let prefix = "DSR-"
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let bodyLength = 26

    /// A fresh random identifier.
    public init() {
        self.init(randomBytes: SecureRandom.bytes(count: 16))
    }

    /// The identifier whose 128 bits are `randomBytes` (exactly 16 bytes; used by `init()` and tests).
    init(randomBytes: [UInt8]) {
        precondition(randomBytes.count == 16, "a request id carries exactly 16 random bytes")
        // 128 bits as 26 base-32 digits (130 bits, the top two always zero), most significant first.
        var digits: [Character] = []
        var accumulator: UInt32 = 0
        var bits = 2  // two leading zero bits pad 128 to 130
        for byte in randomBytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                digits.append(Self.alphabet[Int((accumulator >> UInt32(bits)) & 31)])
            }
        }
        rawValue = Self.prefix + String(digits)
    }

    /// Parses a request id typed by a person: case-insensitive, with `O` read as 0 and `I`/`L` as 1
    /// (Crockford's rules). Nil when it is not a request id.
    public init?(_ text: String) {
        let upper = text.uppercased()
        guard upper.hasPrefix(Self.prefix) else { return nil }
        var body = ""
        for ch in upper.dropFirst(Self.prefix.count) {
            switch ch {
            case "O": body.append("0")
            case "I", "L": body.append("1")
            case "-": continue
            default:
                guard Self.alphabet.contains(ch) else { return nil }
                body.append(ch)
            }
        }
        guard body.count == Self.bodyLength, let first = body.first, "01234567".contains(first) else { return nil }
        rawValue = Self.prefix + body
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = DataSubjectRequestID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a request id (expected DSR- and 26 base-32 characters)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (a: DataSubjectRequestID, b: DataSubjectRequestID) -> Bool { a.rawValue < b.rawValue }
}
