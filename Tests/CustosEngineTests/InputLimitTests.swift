import CustosAudit
import CustosDemo
@testable import CustosEngine
import CustosSchema
import CustosVault
import Foundation
import XCTest

/// Issue 19: no size limits anywhere (ingest memory ~6.5x the file; a 1 MB field was stored).
/// Each limit of ``InputLimits`` refuses with what limit and how to raise it, stores nothing, and
/// can be raised for one run.
final class InputLimitTests: XCTestCase {
    let header = "customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\n"

    func customer(_ id: String, name: String = "Anna") -> String { "\(id),,,\(name),1980-01-01,111,SE,female,2024-01-01,none\n" }

    func ingest(_ ws: Workspace, _ text: String, name: String, limits: InputLimits = .standard, badRows: BadRowPolicy = .rejectBatch) throws -> IngestReport {
        try IngestService(vault: ws.vault).ingest(file: try write(text, name: name, in: ws), dataset: try ws.catalog.dataset("customers"),
                                                  badRows: badRows, limits: limits)
    }

    func assertNothingStored(_ ws: Workspace, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try ws.records.counts(dataset: "customers").rows, 0, "nothing stored", file: file, line: line)
    }

    func testAOneMegabyteCSVFieldIsRefusedByDefaultAndTheErrorSaysHowToRaiseTheLimit() throws {
        let ws = try makeWorkspace()
        let big = String(repeating: "x", count: 1 << 20)
        let text = header + customer("C1") + customer("C2", name: big)
        XCTAssertThrowsError(try ingest(ws, text, name: "big.csv")) { error in
            guard case let IngestError.rejected(_, problems, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.map(\.line), [3])
            XCTAssertTrue(problems[0].reason.contains("longer than 65536 bytes") && problems[0].reason.contains("--max-field-kb"), problems[0].reason)
            XCTAssertFalse("\(error)".contains("xxxx"), "never the value")
        }
        try assertNothingStored(ws)
        // Raised for one run, the same file goes in.
        var limits = InputLimits.standard
        limits.maxFieldBytes = 2 << 20
        XCTAssertEqual(try ingest(ws, text, name: "big.csv", limits: limits).outcome.rowsAdded, 2)
    }

    func testAOneMegabyteJSONLinesFieldIsRefusedByDefault() throws {
        let ws = try makeWorkspace()
        let big = String(repeating: "y", count: 1 << 20)
        let text = #"{"customer_id":"C1","full_name":"Anna"}"# + "\n" + #"{"customer_id":"C2","full_name":"\#(big)"}"# + "\r\n"
        XCTAssertThrowsError(try ingest(ws, text, name: "big.jsonl")) { error in
            guard case let IngestError.rejected(_, problems, total) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(total, 2)
            XCTAssertEqual(problems.map(\.line), [2])
            XCTAssertTrue(problems[0].reason.contains("field 'full_name' is longer than 65536 bytes"), problems[0].reason)
            XCTAssertTrue(problems[0].reason.contains("--max-field-kb"), problems[0].reason)
        }
        try assertNothingStored(ws)
        // With --skip-invalid the short row is stored and the long one reported.
        let report = try ingest(ws, text, name: "big.jsonl", badRows: .skipAndReport)
        XCTAssertEqual(report.outcome.rowsAdded, 1)
        XCTAssertEqual(report.skipped.map(\.line), [2])
    }

    func testAFileOverTheSizeLimitIsRefusedBeforeItIsReadAndTheRefusalAudited() throws {
        let f = try EngineFixture(customers: 20)
        let ws = f.engine.workspace
        let text = header + (0..<100).map { customer("X\($0)") }.joined()
        let url = try write(text, name: "many.csv", in: ws)
        var limits = InputLimits.standard
        limits.maxFileBytes = 1_000
        let before = try f.engine.workspace.records.counts(dataset: "customers").rows
        XCTAssertThrowsError(try f.engine.ingest(file: url, dataset: "customers", limits: limits, actor: f.oscar)) { error in
            guard case let IngestError.tooLarge(file, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, url.lastPathComponent)
            XCTAssertTrue(reason.contains("the file is \(text.utf8.count) bytes; the limit for one batch is 1000 bytes"), reason)
            XCTAssertTrue("\(error)".contains("--max-file-mb") && "\(error)".contains("nothing was stored"), "\(error)")
        }
        XCTAssertEqual(try ws.records.counts(dataset: "customers").rows, before)
        let refusal = try XCTUnwrap(try f.entries().last)
        XCTAssertEqual(refusal.action, .ingestBatch)
        XCTAssertEqual(refusal.decision, .deny)
        XCTAssertTrue(refusal.reason?.contains("larger than the limit") ?? false)
        // The default limit takes it.
        XCTAssertEqual(try f.engine.ingest(file: url, dataset: "customers", actor: f.oscar).outcome.rowsAdded, 100)
    }

    func testTheFileLimitIsExact() throws {
        let ws = try makeWorkspace()
        let text = header + customer("C1")
        var limits = InputLimits.standard
        limits.maxFileBytes = text.utf8.count
        XCTAssertEqual(try ingest(ws, text, name: "exact.csv", limits: limits).outcome.rowsAdded, 1)
        limits.maxFileBytes = text.utf8.count - 1
        XCTAssertThrowsError(try ingest(ws, text, name: "exact.csv", limits: limits)) { error in
            guard case IngestError.tooLarge = error else { return XCTFail("\(error)") }
        }
    }

    func testRowsPerCustomerOverTheLimitRejectTheBatchOrAreSkipped() throws {
        let ws = try makeWorkspace()
        // Five rows for C1 (by customer_id), one for C2; three per customer allowed.
        let text = header + (0..<5).map { customer("C1", name: "N\($0)") }.joined() + customer("C2")
        var limits = InputLimits.standard
        limits.maxRowsPerCustomer = 3
        XCTAssertThrowsError(try ingest(ws, text, name: "rows.csv", limits: limits)) { error in
            guard case let IngestError.rejected(_, problems, total) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(total, 6)
            XCTAssertEqual(problems.map(\.line), [5, 6], "the fourth and fifth row of C1")
            XCTAssertTrue(problems[0].reason.contains("more than 3 rows for one customer") && problems[0].reason.contains("--max-rows-per-customer"),
                          problems[0].reason)
            XCTAssertFalse("\(error)".contains("C1"), "never the identifier")
        }
        try assertNothingStored(ws)
        let report = try ingest(ws, text, name: "rows.csv", limits: limits, badRows: .skipAndReport)
        XCTAssertEqual(report.outcome.rowsAdded, 4)
        XCTAssertEqual(report.skipped.map(\.line), [5, 6])
    }

    func testNormalisedIdentifiersCountAsOneCustomer() throws {
        let ws = try makeWorkspace()
        // The same email in three spellings: one customer.
        let header = "customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\n"
        let text = header + ["Anna@Example.se", "anna@example.se", " ANNA@EXAMPLE.SE"].map { ",\($0),,A,1980-01-01,111,SE,female,2024-01-01,none\n" }.joined()
        var limits = InputLimits.standard
        limits.maxRowsPerCustomer = 2
        XCTAssertThrowsError(try ingest(ws, text, name: "email.csv", limits: limits)) { error in
            guard case let IngestError.rejected(_, problems, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.map(\.line), [4])
        }
    }

    // MARK: Consent import

    func consentFile(_ f: EngineFixture, rows: Int, field: String? = nil, jsonl: Bool = false) throws -> URL {
        let source = try String(contentsOf: try XCTUnwrap(f.generated.files["consents"]), encoding: .utf8)
        let lines = source.split(separator: "\n").map(String.init)
        let names = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if let field { fields[names.firstIndex(of: "collector") ?? 9] = field }
        var text = jsonl ? "" : lines[0] + "\n"
        for i in 0..<rows {
            fields[7] = "2024-01-01T00:\(String(format: "%02d", i)):00Z"
            if jsonl {
                let pairs = zip(names, fields).filter { !$0.1.isEmpty }.map { "\"\($0.0)\":\"\($0.1)\"" }
                text += "{" + pairs.joined(separator: ",") + "}\n"
            } else {
                text += fields.joined(separator: ",") + "\n"
            }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("consents-\(UUID().uuidString).\(jsonl ? "jsonl" : "csv")")
        try Data(text.utf8).write(to: url)
        return url
    }

    func assertConsentRejected(_ f: EngineFixture, _ url: URL, limits: InputLimits = .standard, lines: [Int], saying text: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try f.engine.consent.importConsents(file: url, limits: limits, actor: f.prefs), file: file, line: line) { error in
            guard case let IngestError.consentRejected(_, problems, _) = error else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(problems.map(\.line), lines, file: file, line: line)
            XCTAssertTrue(problems.allSatisfy { $0.reason.contains(text) }, "\(problems)", file: file, line: line)
        }
    }

    func testConsentImportLimits() throws {
        let f = try EngineFixture(customers: 20)
        let big = String(repeating: "z", count: 1 << 20)
        // A 1 MB field, in CSV and in JSON Lines.
        assertConsentRejected(f, try consentFile(f, rows: 2, field: big), lines: [2], saying: "--max-field-kb")
        assertConsentRejected(f, try consentFile(f, rows: 2, field: big, jsonl: true), lines: [1, 2], saying: "field 'collector' is longer than 65536 bytes")
        // Records per customer.
        var limits = InputLimits.standard
        limits.maxRowsPerCustomer = 3
        assertConsentRejected(f, try consentFile(f, rows: 5), limits: limits, lines: [5, 6], saying: "more than 3 rows for one customer")
        // The file size: refused before it is read, the refusal audited.
        limits = InputLimits.standard
        limits.maxFileBytes = 100
        XCTAssertThrowsError(try f.engine.consent.importConsents(file: try consentFile(f, rows: 5), limits: limits, actor: f.prefs)) { error in
            guard case let IngestError.tooLarge(_, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("--max-file-mb"), reason)
        }
        let refusal = try XCTUnwrap(try f.entries().last)
        XCTAssertEqual(refusal.decision, .deny)
        XCTAssertTrue(refusal.reason?.contains("larger than the limit") ?? false)
        // Within every limit the same records go in.
        XCTAssertEqual(try f.engine.consent.importConsents(file: try consentFile(f, rows: 5), actor: f.prefs).records, 5)
    }
}
