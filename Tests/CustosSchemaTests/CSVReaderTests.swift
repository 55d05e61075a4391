import CustosSchema
import XCTest

/// The one CSV reader of Custos (ingest and consent imports) against well-formed and hostile bytes.
final class CSVReaderTests: XCTestCase {
    func records(_ bytes: [UInt8], limit: Int = CSVReader.defaultMaxFieldBytes) -> ([[String]], CSVReader.SyntaxError?) {
        var reader = CSVReader(bytes: bytes, maxFieldBytes: limit)
        var out: [[String]] = []
        while let record = reader.next() { out.append(record.fields) }
        return (out, reader.error)
    }

    func testCRLFBOMQuotesAndLineBreaksInsideQuotes() {
        let text = "\u{FEFF}id,name\r\n1,\"Åsa, \"\"Li\"\"\r\nNilsson\"\r\n2,张伟\r\n"
        let (rows, error) = records(Array(text.utf8))
        XCTAssertNil(error)
        XCTAssertEqual(rows, [["id", "name"], ["1", "Åsa, \"Li\"\r\nNilsson"], ["2", "张伟"]])
    }

    func testInvalidUTF8IsRefusedWithItsLine() {
        let bytes = Array("id,name\n1,ok\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let (rows, error) = records(bytes)
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.reason, "field 2: a field is not valid UTF-8; save the file as UTF-8")
    }

    func testNULAndControlCharactersAreRefused() {
        XCTAssertEqual(records(Array("id,name\n1,a\u{0}b\n".utf8)).1?.reason, "field 2: a field contains a NUL byte")
        XCTAssertEqual(records(Array("id,name\n1,\"a\u{0}b\"\n".utf8)).1?.reason, "field 2: a field contains a NUL byte", "quoted too")
        XCTAssertEqual(records(Array("id,name\n1,a\u{1B}[31mred\n".utf8)).1?.reason, "field 2: a field contains the control character 0x1B")
        // Tab is allowed anywhere; CR/LF only inside quotes (outside they end the record).
        XCTAssertNil(records(Array("id,name\n1,a\tb\n".utf8)).1)
    }

    func testFieldsOverTheLimitAreRefused() {
        let long = String(repeating: "x", count: 1_000)
        XCTAssertNil(records(Array("id,name\n1,\(long)\n".utf8), limit: 1_000).1)
        let error = records(Array("id,name\n1,\(long)x\n".utf8), limit: 1_000).1
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.reason, "field 2: a field is longer than 1000 bytes (the limit on one field)")
        // The default limit refuses a 1 MB name.
        XCTAssertNotNil(records(Array("id,name\n1,\(String(repeating: "n", count: 1 << 20))\n".utf8)).1)
    }
}
