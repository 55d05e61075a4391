/// Checks in one pass, without building values, that bytes are exactly the canonical JSON encoding of
/// some value (see `CanonicalJSON`). Equivalent to `JSONParser.isCanonical` but much faster; the
/// verifier runs it on every line.
enum CanonicalValidator {
    /// nil if canonical, else a short reason and byte offset.
    static func problem(in bytes: UnsafeRawBufferPointer) -> JSONParser.Failure? {
        var v = Scanner(b: bytes.bindMemory(to: UInt8.self))
        do throws(JSONParser.Failure) {
            try v.value(depth: 0)
            guard v.p == v.b.count else { throw v.fail("unexpected data after the JSON value") }
            return nil
        } catch {
            return error
        }
    }

    /// nil if the line is canonical JSON and a well-formed audit entry (audit/README.md §2), else why not.
    static func entryProblem(in bytes: UnsafeRawBufferPointer) -> String? {
        var checker = EntrySchema()
        return entryProblem(in: bytes, checker: &checker)
    }

    /// As `entryProblem(in:)`, reusing `checker`'s cache of decimals already found canonical.
    static func entryProblem(in bytes: UnsafeRawBufferPointer, checker: inout EntrySchema) -> String? {
        var v = Scanner(b: bytes.bindMemory(to: UInt8.self))
        do throws(JSONParser.Failure) {
            guard v.b.first == 0x7B else { throw v.fail("not a JSON object") }
            try v.value(depth: 0)
            guard v.p == v.b.count else { throw v.fail("unexpected data after the JSON value") }
        } catch {
            return "not canonical JSON: \(error)"
        }
        return checker.problem(bytes: v.b, members: v.topMembers)
    }

    fileprivate struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var p = 0
        /// Members of the outermost object.
        var topMembers = [TopMember]()

        func fail(_ reason: String) -> JSONParser.Failure { JSONParser.Failure(offset: p, reason: reason) }

        mutating func value(depth: Int) throws(JSONParser.Failure) {
            guard depth < 64 else { throw fail("nesting deeper than 64 levels") }
            guard p < b.count else { throw fail("unexpected end of line") }
            switch b[p] {
            case 0x7B: try object(depth: depth)
            case 0x5B: try array(depth: depth)
            case 0x22: _ = try string()
            case 0x74: try literal([0x74, 0x72, 0x75, 0x65])
            case 0x66: try literal([0x66, 0x61, 0x6C, 0x73, 0x65])
            case 0x6E: try literal([0x6E, 0x75, 0x6C, 0x6C])
            case 0x2D, 0x30...0x39: try number()
            default: throw fail("unexpected character (white space is not canonical)")
            }
        }

        mutating func literal(_ word: [UInt8]) throws(JSONParser.Failure) {
            guard p + word.count <= b.count else { throw fail("unexpected end of line") }
            for (i, c) in word.enumerated() where b[p + i] != c { throw fail("invalid literal") }
            p += word.count
        }

        mutating func number() throws(JSONParser.Failure) {
            let start = p
            if b[p] == 0x2D { p += 1 }
            guard p < b.count, b[p] >= 0x30, b[p] <= 0x39 else { throw fail("invalid number") }
            if b[p] == 0x30 {
                p += 1
                if p - start == 2 { throw fail("negative zero is not canonical") }
            } else {
                var magnitude: UInt64 = 0
                while p < b.count, b[p] >= 0x30, b[p] <= 0x39 {
                    magnitude = magnitude * 10 + UInt64(b[p] - 0x30)
                    if magnitude > UInt64(JSONValue.maxSafeInteger) { throw fail("integer outside ±(2^53 − 1)") }
                    p += 1
                }
            }
            if p < b.count, b[p] == 0x2E || b[p] == 0x65 || b[p] == 0x45 || (b[p] >= 0x30 && b[p] <= 0x39) {
                throw fail("numbers must be integers without leading zeros, fraction or exponent")
            }
        }

        /// Validates a string; returns the byte range of its content and whether it is plain ASCII
        /// without escapes (so that byte order equals UTF-16 order).
        mutating func string() throws(JSONParser.Failure) -> (Range<Int>, Bool) {
            p += 1
            let start = p
            var plain = true
            while p < b.count {
                let c = b[p]
                if c == 0x22 {
                    let range = start..<p
                    p += 1
                    return (range, plain)
                }
                if c < 0x20 { throw fail("raw control character in a string") }
                if c == 0x5C {
                    plain = false
                    guard p + 1 < b.count else { throw fail("unterminated string") }
                    switch b[p + 1] {
                    case 0x22, 0x5C, 0x62, 0x74, 0x6E, 0x66, 0x72: p += 2
                    case 0x75:
                        guard p + 5 < b.count, b[p + 2] == 0x30, b[p + 3] == 0x30, b[p + 4] == 0x30 || b[p + 4] == 0x31,
                              let low = lowerHex(b[p + 5])
                        else { throw fail("only control characters may be written as \\u00xx (lower-case hex)") }
                        let code = (b[p + 4] == 0x31 ? 16 : 0) + low
                        if [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(code) {
                            throw fail("\\b, \\t, \\n, \\f and \\r must use their short escapes")
                        }
                        p += 6
                    default: throw fail("escape that canonical JSON does not use")
                    }
                    continue
                }
                if c >= 0x80 {
                    plain = false
                    try utf8Sequence()
                    continue
                }
                p += 1
            }
            throw fail("unterminated string")
        }

        func lowerHex(_ c: UInt8) -> Int? {
            switch c {
            case 0x30...0x39: return Int(c - 0x30)
            case 0x61...0x66: return Int(c - 0x61 + 10)
            default: return nil
            }
        }

        /// One well-formed UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF).
        mutating func utf8Sequence() throws(JSONParser.Failure) {
            let c = b[p]
            var need = 0
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: throw fail("invalid UTF-8")
            }
            guard p + need < b.count else { throw fail("invalid UTF-8") }
            for i in 1...need {
                let d = b[p + i]
                let lo: UInt8 = i == 1 ? low : 0x80
                let hi: UInt8 = i == 1 ? high : 0xBF
                guard d >= lo, d <= hi else { throw fail("invalid UTF-8") }
            }
            p += need + 1
        }

        mutating func array(depth: Int) throws(JSONParser.Failure) {
            p += 1
            if p < b.count, b[p] == 0x5D {
                p += 1
                return
            }
            while true {
                try value(depth: depth + 1)
                guard p < b.count else { throw fail("unterminated array") }
                if b[p] == 0x2C {
                    p += 1
                    continue
                }
                if b[p] == 0x5D {
                    p += 1
                    return
                }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func object(depth: Int) throws(JSONParser.Failure) {
            p += 1
            if p < b.count, b[p] == 0x7D {
                p += 1
                return
            }
            var previous: (Range<Int>, Bool)?
            while true {
                guard p < b.count, b[p] == 0x22 else { throw fail("expected a member name") }
                let keyStart = p
                let key = try string()
                if let previous, !ordered(previous, key) {
                    p = keyStart
                    throw fail("member names are not in canonical (UTF-16) order or repeat")
                }
                previous = key
                guard p < b.count, b[p] == 0x3A else { throw fail("expected ':'") }
                p += 1
                let valueStart = p
                try value(depth: depth + 1)
                if depth == 0 { topMembers.append(TopMember(name: key.0, plain: key.1, value: valueStart..<p)) }
                guard p < b.count else { throw fail("unterminated object") }
                if b[p] == 0x2C {
                    p += 1
                    continue
                }
                if b[p] == 0x7D {
                    p += 1
                    return
                }
                throw fail("expected ',' or '}'")
            }
        }

        /// True when key `a` sorts strictly before key `b`.
        func ordered(_ a: (Range<Int>, Bool), _ b2: (Range<Int>, Bool)) -> Bool {
            if a.1 && b2.1 {
                let x = UnsafeBufferPointer(rebasing: b[a.0])
                let y = UnsafeBufferPointer(rebasing: b[b2.0])
                return x.lexicographicallyPrecedes(y)
            }
            guard let x = decode(a.0), let y = decode(b2.0) else { return false }
            return CanonicalJSON.precedes(x, y)
        }

        func decode(_ range: Range<Int>) -> String? {
            var quoted = [UInt8]([0x22])
            quoted.append(contentsOf: UnsafeBufferPointer(rebasing: b[range]))
            quoted.append(0x22)
            return (try? JSONParser.parse(quoted))?.stringValue
        }
    }
}
