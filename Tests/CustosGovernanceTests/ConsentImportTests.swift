import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

final class ConsentImportTests: XCTestCase {
    var purposes: PurposeRegistry!
    var importer: ConsentImporter!

    override func setUpWithError() throws {
        purposes = try loadShipped().purposes
        importer = ConsentImporter(purposes: purposes)
    }

    func testCSVRowsBecomeRecordsWithCurrentVersionAndNoticeDigest() throws {
        let segmentation = try XCTUnwrap(purposes["marketing.segmentation"])
        let csv = """
            customer_id,purpose,action,notice_version,time,language,channel,separate_consent\r
            C-1001,marketing.segmentation,granted,2025-03,2025-03-02T10:00:00Z,sv-SE,web,false\r
            "C-1002",marketing.advertising,opt_in,2024-11,2025-03-02T11:30:00+01:00,en,"store, Malmö",true\r
            C-1001,marketing.segmentation,WITHDRAWN,2025-03,2025-04-01T08:00:00Z,sv-SE,,\r

            """
        let result = importer.parseCSV(csv)
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.rows.map(\.line), [2, 3, 4])
        XCTAssertEqual(result.rows.map(\.identifier), ["C-1001", "C-1002", "C-1001"])
        XCTAssertEqual(result.rows.map(\.action), [.granted, .granted, .withdrawn])
        XCTAssertEqual(result.rows[0].purposeVersion, segmentation.version)
        XCTAssertEqual(result.rows[0].noticeSHA256, segmentation.notice.sha256)
        XCTAssertEqual(result.rows[1].channel, "store, Malmö")
        XCTAssertTrue(result.rows[1].separateConsent)
        XCTAssertEqual(result.rows[1].time, Date(timeIntervalSince1970: 1_740_911_400), "11:30+01:00 is 10:30Z")
        XCTAssertEqual(result.rows[2].channel, "import", "empty channel takes the importer's default")
        XCTAssertEqual(result.rows[2].collector, "consent-import")

        // The notice digest is that of the shipped notice file.
        let notice = try Data(contentsOf: shippedPolicies.appendingPathComponent("notices/marketing.segmentation.v2.txt"))
        XCTAssertEqual(result.rows[0].noticeSHA256, AccessToken.hash(String(decoding: notice, as: UTF8.self)))

        // Resolved records feed the evaluator: the later withdrawal wins.
        let records = [result.rows[0].record(subject: "s1"), result.rows[2].record(subject: "s1")]
        let evaluator = ConsentEvaluator(purposes: purposes)
        XCTAssertEqual(evaluator.evaluate(purpose: "marketing.segmentation", records: records, state: .init(),
                                          at: Date(timeIntervalSince1970: 1_742_000_000)), .inForce(.consent))
        XCTAssertEqual(evaluator.evaluate(purpose: "marketing.segmentation", records: records, state: .init(),
                                          at: Date(timeIntervalSince1970: 1_744_000_000)), .excluded(.withdrawn))
    }

    func testQuotedFieldsMaySpanLinesAndLineNumbersFollowTheFile() {
        let csv = """
            customer_id,purpose,action,notice_version,time,language,collector
            C-1,analytics.reporting,granted,2025-02,2025-03-01T00:00:00Z,en,"paper form,
            scanned by front desk"
            C-2,nonsense.purpose,granted,2025-02,2025-03-01T00:00:00Z,en,x
            """
        let result = importer.parseCSV(csv)
        XCTAssertEqual(result.rows.map(\.line), [2])
        XCTAssertEqual(result.rows.first?.collector, "paper form,\nscanned by front desk")
        XCTAssertEqual(result.errors, [ConsentImportError(line: 4, message: "purpose 'nonsense.purpose' is not declared in purposes.yaml")])
    }

    func testBadRowsAreRejectedWithLineNumbersAndWithoutTheirIdentifiers() {
        let csv = """
            email,purpose,action,notice_version,time,language,purpose_version,notice_sha256
            ann@example.com,marketing.segmentation,granted,2025-03,2025-03-02T10:00:00Z,sv-SE,,
            bob@example.com,marketing.segmentation,maybe,2025-03,2025-03-02T10:00:00Z,sv-SE,,
            cy@example.com,marketing.segmentation,granted,2025-03,yesterday,sv-SE,,
            dee@example.com,marketing.segmentation,granted,2024-01,2024-01-02T10:00:00Z,sv-SE,,
            eve@example.com,marketing.segmentation,granted,2024-01,2024-01-02T10:00:00Z,sv-SE,1,\(String(repeating: "0", count: 64))
            fay@example.com,marketing.segmentation,granted,2025-03,2025-03-02T10:00:00Z,sv-SE,,\(String(repeating: "0", count: 64))
            gus@example.com,marketing.segmentation,granted,2025-03,2025-03-02T10:00:00Z,swedish!,,
            hal@example.com,marketing.segmentation,granted,2025-03,2025-03-02T10:00:00Z,sv-SE,7,
            ,marketing.segmentation,granted,2025-03,2025-03-02T10:00:00Z,sv-SE,,
            ida@example.com,marketing.segmentation,granted
            """
        let result = ConsentImporter(purposes: purposes, identifierField: "email").parseCSV(csv)
        XCTAssertEqual(result.rows.map(\.line), [2, 6])
        XCTAssertEqual(result.rows.last?.purposeVersion, 1, "consent to an older version keeps its version")
        XCTAssertEqual(result.errors.map(\.line), [3, 4, 5, 7, 8, 9, 10, 11])
        let messages = result.errors.map(\.message)
        XCTAssertTrue(messages[0].contains("granted or withdrawn"))
        XCTAssertTrue(messages[1].contains("ISO 8601"))
        XCTAssertTrue(messages[2].contains("give purpose_version and notice_sha256"))
        XCTAssertTrue(messages[3].contains("does not match the current notice"))
        XCTAssertTrue(messages[4].contains("BCP 47"))
        XCTAssertTrue(messages[5].contains("from 1 to 2"))
        XCTAssertTrue(messages[6].contains("email is empty"))
        XCTAssertTrue(messages[7].contains("has 3 fields but the header has 8"))
        for error in result.errors { XCTAssertFalse(error.description.contains("@example.com"), "no identifiers in errors: \(error)") }
    }

    func testMalformedCSV() {
        XCTAssertEqual(importer.parseCSV("").errors.first?.line, 1)
        XCTAssertEqual(importer.parseCSV("customer_id,purpose\nC-1,analytics.reporting\n").errors.first?.message,
                       "the header lacks required columns action, notice_version, time, language")
        let unterminated = "customer_id,purpose,action,notice_version,time,language\nC-1,\"analytics.reporting,granted\n"
        XCTAssertEqual(importer.parseCSV(unterminated).errors, [ConsentImportError(line: 2, message: "a quoted field starting on this line is never closed")])
        let stray = "customer_id,purpose,action,notice_version,time,language\nC-1,\"a\"b,granted,x,y,z\n"
        XCTAssertEqual(importer.parseCSV(stray).errors.first?.line, 2)
        XCTAssertEqual(importer.parseCSV("\u{FEFF}customer_id,purpose,action,notice_version,time,language\nC-1,analytics.reporting,granted,2025-02,2025-03-01T00:00:00Z,en").rows.count, 1,
                       "a byte-order mark is ignored")
    }

    func testJSONLines() {
        let jsonl = """
            {"customer_id":"C-1","purpose":"functional.service.improve","action":"granted","notice_version":"2024-06","time":"2025-01-05T09:00:00Z","language":"de-DE","separate_consent":true,"purpose_version":1}

            {"customer_id":"C-2","purpose":"functional.service.improve","action":"granted","notice_version":"2024-06","time":"2025-01-05T09:00:00Z","language":"de-DE","separate_consent":"maybe"}
            not json
            {"customer_id":"C-3","purpose":"personalize.recommendations","action":"revoked","notice_version":"2024-06","time":"2025-01-06","language":"fr","channel":null}
            """
        let result = importer.parseJSONLines(jsonl)
        XCTAssertEqual(result.rows.map(\.line), [1, 5])
        XCTAssertEqual(result.rows.first?.separateConsent, true)
        XCTAssertEqual(result.rows.last?.action, .withdrawn)
        XCTAssertEqual(result.rows.last?.channel, "import")
        XCTAssertEqual(result.errors.map(\.line), [3, 4])
        XCTAssertTrue(result.errors[0].message.contains("separate_consent"))
    }

    func testHostileBytesInConsentImportsAreRefusedWithTheirLine() {
        let header = "customer_id,purpose,action,notice_version,time,language\r\n"
        let good = "C-1,analytics.reporting,granted,2025-02,2025-03-01T00:00:00Z,en\r\n"
        XCTAssertEqual(importer.parseCSV(bytes: Array((header + good).utf8)).rows.count, 1, "CRLF")
        let invalid = Array((header + good).utf8) + Array("C-2,analytics.reporting,granted,2025-02,2025-03-01T00:00:00Z,".utf8) + [0xFF, 0x0A]
        XCTAssertEqual(importer.parseCSV(bytes: invalid).errors, [ConsentImportError(line: 3, message: "field 6: a field is not valid UTF-8; save the file as UTF-8")])
        let nul = Array((header + "C-1,analytics.reporting,gran\u{0}ted,2025-02,2025-03-01T00:00:00Z,en\n").utf8)
        XCTAssertEqual(importer.parseCSV(bytes: nul).errors.first?.message, "field 3: a field contains a NUL byte")
        // JSON Lines: CRLF splits into lines (a String split on "\n" would not), invalid UTF-8 is refused.
        let jsonl = "{\"customer_id\":\"C-1\",\"purpose\":\"analytics.reporting\",\"action\":\"granted\",\"notice_version\":\"2025-02\",\"time\":\"2025-03-01T00:00:00Z\",\"language\":\"en\"}"
        XCTAssertEqual(importer.parseJSONLines(bytes: Array((jsonl + "\r\n" + jsonl + "\r\n").utf8)).rows.count, 2)
        let bad = importer.parseJSONLines(bytes: Array((jsonl + "\n").utf8) + [0xC3, 0x28, 0x0A])
        XCTAssertEqual(bad.rows.count, 1)
        XCTAssertEqual(bad.errors.first?.line, 2)
    }
}
