/// A strict JSON parser for audit lines and Custos's own JSON files.
///
/// It accepts standard JSON (RFC 8259) except fractional or exponent numbers, which the audit format
/// never writes; it rejects duplicate keys, raw control characters in strings, invalid UTF-8, lone
/// surrogate escapes and trailing data.
public enum JSONParser {
    /// Why a text is not acceptable JSON, with the byte offset where parsing stopped.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Zero-based byte offset of the problem.
        public let offset: Int
        /// What is wrong there.
        public let reason: String
        public var description: String { "\(reason) at byte \(offset + 1)" }
    }

    /// Parses a complete JSON text.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(Failure) in try parse(buffer) }
    }

    /// Parses a complete JSON text held in `buffer`.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var reader = Reader(bytes: buffer)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.position == buffer.count else { throw Failure(offset: reader.position, reason: "unexpected data after the JSON value") }
        return value
    }

    /// True when `buffer` is exactly the canonical encoding (see `CanonicalJSON`) of a JSON value.
    public static func isCanonical(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let value = try? parse(buffer) else { return false }
        let again = CanonicalJSON.encode(value)
        return again.count == buffer.count && again.withUnsafeBufferPointer { $0.elementsEqual(buffer) }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        func fail(_ reason: String) -> Failure { Failure(offset: position, reason: reason) }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth < 64 else { throw fail("nesting deeper than 64 levels") }
            guard position < bytes.count else { throw fail("unexpected end of text") }
            switch bytes[position] {
            case 0x7B: return try object(depth: depth)
            case 0x5B: return try array(depth: depth)
            case 0x22: return .string(try string())
            case 0x74: try literal("true"); return .bool(true)
            case 0x66: try literal("false"); return .bool(false)
            case 0x6E: try literal("null"); return .null
            case 0x2D, 0x30...0x39: return .integer(try integer())
            default: throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { throw fail("unexpected end of text") }
            let start = word.utf8Start
            for i in 0..<count where bytes[position + i] != start[i] { throw fail("invalid literal") }
            position += count
        }

        mutating func integer() throws(Failure) -> Int64 {
            let start = position
            var negative = false
            if bytes[position] == 0x2D {
                negative = true
                position += 1
            }
            guard position < bytes.count, (0x30...0x39).contains(bytes[position]) else { throw fail("invalid number") }
            if bytes[position] == 0x30, position + 1 < bytes.count, (0x30...0x39).contains(bytes[position + 1]) {
                throw fail("number with a leading zero")
            }
            var magnitude: Int64 = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                magnitude = magnitude * 10 + Int64(bytes[position] - 0x30)
                guard magnitude <= JSONValue.maxSafeInteger else {
                    position = start
                    throw fail("integer outside ±(2^53 − 1)")
                }
                position += 1
            }
            if position < bytes.count, [0x2E, 0x65, 0x45].contains(bytes[position]) {
                throw fail("fractional or exponent numbers are not used in this format (decimals are strings)")
            }
            return negative ? -magnitude : magnitude
        }

        mutating func string() throws(Failure) -> String {
            position += 1  // opening quote
            let start = position
            // Fast path: no escapes.
            while position < bytes.count {
                let c = bytes[position]
                if c == 0x22 {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    guard let s = String(validating: slice, as: UTF8.self) else {
                        position = start
                        throw fail("string is not valid UTF-8")
                    }
                    position += 1
                    return s
                }
                if c == 0x5C { break }
                if c < 0x20 { throw fail("raw control character in a string") }
                position += 1
            }
            var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let c = bytes[position]
                if c == 0x22 {
                    guard let s = String(validating: out, as: UTF8.self) else {
                        throw fail("string is not valid UTF-8")
                    }
                    position += 1
                    return s
                }
                if c < 0x20 { throw fail("raw control character in a string") }
                if c != 0x5C {
                    out.append(c)
                    position += 1
                    continue
                }
                position += 1
                guard position < bytes.count else { break }
                let e = bytes[position]
                position += 1
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == 0x5C, bytes[position + 1] == 0x75 else {
                            throw fail("lone surrogate escape")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("lone surrogate escape")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape")
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[position]
                let n: UInt32
                switch c {
                case 0x30...0x39: n = UInt32(c - 0x30)
                case 0x61...0x66: n = UInt32(c - 0x61 + 10)
                case 0x41...0x46: n = UInt32(c - 0x41 + 10)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | n
                position += 1
            }
            return v
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            position += 1
            var items = [JSONValue]()
            skipWhitespace()
            if position < bytes.count, bytes[position] == 0x5D {
                position += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw fail("unterminated array") }
                if bytes[position] == 0x2C {
                    position += 1
                    continue
                }
                if bytes[position] == 0x5D {
                    position += 1
                    return .array(items)
                }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            position += 1
            var members = [String: JSONValue]()
            skipWhitespace()
            if position < bytes.count, bytes[position] == 0x7D {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == 0x22 else { throw fail("expected a member name") }
                let keyStart = position
                let key = try string()
                guard members[key] == nil else {
                    position = keyStart
                    throw fail("duplicate member name")
                }
                skipWhitespace()
                guard position < bytes.count, bytes[position] == 0x3A else { throw fail("expected ':'") }
                position += 1
                skipWhitespace()
                members[key] = try value(depth: depth + 1)
                skipWhitespace()
                guard position < bytes.count else { throw fail("unterminated object") }
                if bytes[position] == 0x2C {
                    position += 1
                    continue
                }
                if bytes[position] == 0x7D {
                    position += 1
                    return .object(members)
                }
                throw fail("expected ',' or '}'")
            }
        }
    }
}
