import CustosAudit
import CustosDemo
@testable import CustosEngine
import Foundation
import XCTest

/// Issue 19: consent import was quadratic in records per customer (4,000 records for one customer
/// took 32 s), stored identical records again, and its error suggested `--skip-invalid`, which
/// the command does not take. The cost is counted in the vault's tests (DocumentImportTests);
/// these check the service end to end.
final class ConsentImportScaleTests: XCTestCase {
    /// `count` consent records for the first customer in the generated consents, a minute apart.
    func oneCustomerFile(_ f: EngineFixture, count: Int, extra: String = "") throws -> URL {
        let source = try String(contentsOf: try XCTUnwrap(f.generated.files["consents"]), encoding: .utf8)
        let lines = source.split(separator: "\n").map(String.init)
        let header = lines[0]
        XCTAssertEqual(header.split(separator: ",", omittingEmptySubsequences: false)[7], "time")
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var text = header + "\n"
        let start = 1_704_067_200  // 2024-01-01T00:00:00Z
        let format = ISO8601DateFormatter()
        for i in 0..<count {
            fields[7] = format.string(from: Date(timeIntervalSince1970: TimeInterval(start + 60 * i)))
            text += fields.joined(separator: ",") + "\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("consents-\(UUID().uuidString).csv")
        try Data((text + extra).utf8).write(to: url)
        return url
    }

    func testFourThousandRecordsForOneCustomerAreStoredOnceEach() throws {
        let f = try EngineFixture(customers: 20)
        let file = try oneCustomerFile(f, count: 4_000)
        let first = try f.engine.consent.importConsents(file: file, actor: f.prefs)
        XCTAssertEqual(first, ConsentImportSummary(records: 4_000, subjects: 1, duplicates: 0))
        // The same export again: everything is already held.
        let again = try f.engine.consent.importConsents(file: file, actor: f.prefs)
        XCTAssertEqual(again, ConsentImportSummary(records: 0, subjects: 1, duplicates: 4_000))
        let audit = try XCTUnwrap(try f.entries().last)
        XCTAssertEqual(audit.details["duplicates"], "4000")
        XCTAssertEqual(audit.rows, 0)
    }

    func testIdenticalRowsInOneFileAreStoredOnce() throws {
        let f = try EngineFixture(customers: 20)
        let url = try oneCustomerFile(f, count: 3)
        let text = try String(contentsOf: url, encoding: .utf8)
        let lastRow = try XCTUnwrap(text.split(separator: "\n").last)
        try Data((text + lastRow + "\n" + lastRow + "\n").utf8).write(to: url)
        XCTAssertEqual(try f.engine.consent.importConsents(file: url, actor: f.prefs), ConsentImportSummary(records: 3, subjects: 1, duplicates: 2))
    }

    func testARejectedImportSaysHowToFixItWithoutAFlagTheCommandLacks() throws {
        let f = try EngineFixture(customers: 20)
        let file = try oneCustomerFile(f, count: 5, extra: "nobody,analytics.reporting,,granted,1,,en,2024-01-01T00:00:00Z,web,x\n")
        let before = try f.entries().count
        XCTAssertThrowsError(try f.engine.consent.importConsents(file: file, actor: f.prefs)) { error in
            guard case let IngestError.consentRejected(_, problems, total) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.map(\.line), [7])
            XCTAssertEqual(total, 6)
            let text = "\(error)"
            XCTAssertFalse(text.contains("--skip-invalid"), text)
            XCTAssertTrue(text.contains("nothing was stored") && text.contains("import it again"), text)
        }
        // Nothing stored: the five good rows go in on the next, fixed import.
        let entries = try f.entries()
        XCTAssertEqual(entries.count, before + 1, "the refusal is audited")
        XCTAssertEqual(entries.last?.decision, .deny)
        XCTAssertEqual(entries.last?.rows, 0)
        XCTAssertEqual(entries.last?.reason, "consent import rejected: 1 of 6 rows invalid")
        XCTAssertEqual(try f.engine.consent.importConsents(file: try oneCustomerFile(f, count: 5), actor: f.prefs).records, 5)
    }
}
