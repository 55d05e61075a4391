import CustosBase
@testable import CustosAudit
import XCTest

final class CanonicalJSONTests: XCTestCase {
    private func canon(_ text: String) throws -> String {
        String(decoding: CanonicalJSON.encode(try JSONParser.parse(Array(text.utf8))), as: UTF8.self)
    }

    private func isCanonical(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let fast = bytes.withUnsafeBytes { CanonicalValidator.problem(in: $0) == nil }
        let slow = bytes.withUnsafeBufferPointer { JSONParser.isCanonical($0) }
        XCTAssertEqual(fast, slow, "validator and parser disagree on \(text)")
        return fast
    }

    /// RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji's surrogate pair sorts before U+FB33).
    func testKeyOrderFollowsRFC8785SortingExample() throws {
        let input = #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        XCTAssertEqual(try canon(input), expected)
        XCTAssertTrue(isCanonical(expected))
        XCTAssertFalse(isCanonical(input))
        XCTAssertEqual(try canon(#"{"b":1,"a":{"d":true,"c":null},"B":[{"z":1,"a":2}]}"#),
                       #"{"B":[{"a":2,"z":1}],"a":{"c":null,"d":true},"b":1}"#)
    }

    /// RFC 8785 §3.2.2.2 string example: only `"`, `\` and control characters are escaped; non-ASCII
    /// and `/` stay literal; control characters other than \b \t \n \f \r use lower-case \u00xx.
    func testStringEscaping() throws {
        let input = #"{"s":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"}"#
        XCTAssertEqual(try canon(input), "{\"s\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}")
        var out = [UInt8]()
        CanonicalJSON.appendString("\u{0}\u{1}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\u{7F} é中😀", into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\u{7F} é中😀\"")
        XCTAssertTrue(isCanonical(String(decoding: out, as: UTF8.self)))
        for bad in [#""\/""#, #""\u0041""#, #""\u000A""#, #""\u000a""#, #""\u001F""#, #""\u00e9""#, "\"\u{1}\""] {
            XCTAssertFalse(isCanonical(bad), bad)
        }
        XCTAssertTrue(isCanonical(#""\u000b""#))
    }

    func testNumbersAndLiterals() throws {
        XCTAssertEqual(try canon("[0, -1, 9007199254740991, -9007199254740991, true, false, null]"),
                       "[0,-1,9007199254740991,-9007199254740991,true,false,null]")
        XCTAssertThrowsError(try JSONParser.parse(Array("9007199254740992".utf8)))
        XCTAssertThrowsError(try JSONParser.parse(Array("1.5".utf8)))
        XCTAssertThrowsError(try JSONParser.parse(Array("1e3".utf8)))
        XCTAssertThrowsError(try JSONParser.parse(Array("01".utf8)))
        XCTAssertThrowsError(try JSONParser.parse(Array(#"{"a":1,"a":2}"#.utf8)))
        for bad in ["-0", "1.0", "[1, 2]", "{ }", " {}", "{\"a\":1} ", "01", "+1", "[1,]"] { XCTAssertFalse(isCanonical(bad), bad) }
        for good in ["0", "-5", "[]", "{}", "[1,2]", "{\"a\":[{}]}"] { XCTAssertTrue(isCanonical(good), good) }
    }

    func testInvalidUTF8AndSurrogatesAreRejected() {
        let invalid: [[UInt8]] = [[0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
                                  [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]]
        for bytes in invalid {
            XCTAssertNotNil(bytes.withUnsafeBytes { CanonicalValidator.problem(in: $0) })
            XCTAssertThrowsError(try JSONParser.parse(bytes))
        }
        XCTAssertThrowsError(try JSONParser.parse(Array(#""\ud800""#.utf8)))
    }

    func testDecimalTextIsShortestPlainDecimal() {
        let cases: [(Double, String)] = [
            (0.5, "0.5"), (1, "1"), (0.1, "0.1"), (0.00001, "0.00001"), (12.25, "12.25"), (0, "0"), (-0.0, "0"),
            (1e21, "1000000000000000000000"), (1.5e-7, "0.00000015"), (0.1 + 0.2, "0.30000000000000004"),
            (123456789.125, "123456789.125"),
        ]
        for (value, text) in cases {
            XCTAssertEqual(DecimalText.canonical(value), text)
            XCTAssertEqual(DecimalText.parse(text), value == 0 ? 0 : value)
        }
        XCTAssertNil(DecimalText.canonical(-1))
        XCTAssertNil(DecimalText.canonical(.nan))
        XCTAssertNil(DecimalText.canonical(.infinity))
        for bad in ["0.50", "1.", ".5", "01", "1e-5", "-1", "0.3000000000000000444"] { XCTAssertNil(DecimalText.parse(bad), bad) }
    }

    func testEntryLineIsCanonicalWithOptionalFieldsOmitted() throws {
        let entry = AuditEntry(time: Date(timeIntervalSince1970: 1_740_787_200.25), actor: "dpo\"<x>", role: "dpo",
                               action: .dsrState, epsilon: 0.1, rows: 3,
                               details: ["type": "erasure", "Due": "2025-03-31", "é": "\n"])
        let line = String(decoding: try entry.canonicalLine(), as: UTF8.self)
        XCTAssertEqual(line, #"{"action":"dsr.state","actor":"dpo\"<x>","details":{"Due":"2025-03-31","type":"erasure","é":"\n"},"epsilon":"0.1","role":"dpo","rows":3,"time":"2025-03-01T00:00:00.250Z"}"#)
        XCTAssertTrue(isCanonical(line))
        XCTAssertEqual(try AuditEntry(line: Array(line.utf8)), entry)
        XCTAssertThrowsError(try AuditEntry(actor: "a", role: "r", action: .jobRun, epsilon: -1).canonicalLine())
        XCTAssertThrowsError(try AuditEntry(actor: "", role: "r", action: .jobRun).canonicalLine())
        XCTAssertNil(AuditAction(rawValue: "Job.Run"))
        XCTAssertNil(AuditAction(rawValue: "job"))
        XCTAssertEqual(AuditAction(rawValue: "export.bundle")?.rawValue, "export.bundle")
    }

    /// The verifier's per-line schema check agrees with the entry decoder.
    func testEntrySchemaCheck() throws {
        func problem(_ text: String) -> String? {
            Array(text.utf8).withUnsafeBytes { CanonicalValidator.entryProblem(in: $0) }
        }
        let base = #""action":"job.run","actor":"a","role":"r","time":"2025-03-01T00:00:00.000Z""#
        XCTAssertNil(problem("{" + base + "}"))
        XCTAssertNil(problem(String(decoding: try TestSupport.entry(3).canonicalLine(), as: UTF8.self)))
        let bad = [
            #"{"action":"job.run","actor":"a","role":"r"}"#,
            #"{"action":"Job.run","actor":"a","role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"","role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","role":"r","time":"2025-02-30T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","epsilon":"0.50","role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","epsilon":0,"role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","role":"r","rows":-1,"time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","decision":"maybe","role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","details":{},"role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","details":{"k":1},"role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","role":"r","subjects":"ps_1","time":"2025-03-01T00:00:00.000Z"}"#,
            #"{"action":"job.run","actor":"a","dataset":7,"role":"r","time":"2025-03-01T00:00:00.000Z"}"#,
            #"[1]"#,
        ]
        for line in bad {
            XCTAssertNotNil(problem(line), line)
            if line.hasPrefix("{") { XCTAssertThrowsError(try AuditEntry(line: Array(line.utf8)), line) }
        }
    }

    func testTimestampsRoundTripAtMillisecondPrecision() {
        for ms: Int64 in [0, 1, 999, 951_782_400_000, 1_740_787_200_250, 4_102_444_799_999, -1] {
            let text = AuditTimestamp.format(milliseconds: ms)
            XCTAssertEqual(AuditTimestamp.parse(text), ms, text)
        }
        XCTAssertEqual(AuditTimestamp.format(milliseconds: 951_782_400_000), "2000-02-29T00:00:00.000Z")
        XCTAssertNil(AuditTimestamp.parse("2025-02-29T00:00:00.000Z"))
        XCTAssertNil(AuditTimestamp.parse("2025-03-01T00:00:00Z"))
        XCTAssertNil(AuditTimestamp.parse("2025-03-01T00:00:00.000+01:00"))
    }

    /// Random values survive encode → validate → parse → encode unchanged.
    func testRandomValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        let alphabet: [String] = ["a", "Z", "é", "\u{1}", "\"", "\\", "/", "😀", "\u{E000}", "\n", "中", " "]
        func string() -> String { (0..<rng.next(6)).map { _ in alphabet[rng.next(alphabet.count)] }.joined() }
        func value(_ depth: Int) -> JSONValue {
            switch rng.next(depth > 2 ? 4 : 6) {
            case 0: return .integer(Int64(rng.next(2_000_001)) - 1_000_000)
            case 1: return .string(string())
            case 2: return [.null, .bool(true), .bool(false)][rng.next(3)]
            case 3: return .integer(JSONValue.maxSafeInteger)
            case 4: return .array((0..<rng.next(4)).map { _ in value(depth + 1) })
            default:
                var o = [String: JSONValue]()
                for _ in 0..<rng.next(5) { o[string()] = value(depth + 1) }
                return .object(o)
            }
        }
        for _ in 0..<500 {
            let v = value(0)
            let bytes = CanonicalJSON.encode(v)
            XCTAssertNil(bytes.withUnsafeBytes { CanonicalValidator.problem(in: $0) })
            XCTAssertEqual(try JSONParser.parse(bytes), v)
        }
    }
}

/// Test data draws from CustosBase's SplitMix64.
extension SplitMix64 {
    /// A number in `0..<bound` (0 when the bound is not positive).
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
