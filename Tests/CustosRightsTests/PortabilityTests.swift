@testable import CustosRights
import CustosSchema
import Foundation
import XCTest

final class PortabilityTests: XCTestCase {
    let requestID = DataSubjectRequestID(randomBytes: [UInt8](repeating: 2, count: 16))

    func export() throws -> PortabilityExport {
        try PortabilityExport(requestID: requestID, generatedAt: instant("2024-09-10T08:00:00Z"), datasets: try SampleData.datasets())
    }

    /// The original rows projected on the provided columns, as the export should hold them.
    func expected(_ name: String) throws -> (columns: [Column], rows: [[Value]]) {
        let dataset = try XCTUnwrap(try SampleData.datasets().first { $0.schema.name == name })
        let indices = dataset.schema.columns.indices.filter { dataset.schema.columns[$0].providedBySubject }
        return (indices.map { dataset.schema.columns[$0] }, dataset.rows.map { row in indices.map { row[$0] } })
    }

    func parse(_ raw: String, _ column: Column) throws -> Value { try ValueParser.parse(raw, column: column).get() }

    func testOnlyDataTheSubjectProvidedIsExported() throws {
        let files = try export().allFiles()
        XCTAssertEqual(files.map(\.name), ["customers.csv", "feedback.csv", "orders.csv", "customers.jsonl", "feedback.jsonl",
                                           "orders.jsonl", "manifest.json"])
        let header = try TestCSV.parse(files[0].text)[0]
        XCTAssertEqual(header, ["customer_id", "email", "phone", "full_name", "birth_date", "postcode", "country", "gender"])
        XCTAssertFalse(header.contains("signup_date"), "assigned by the shop, not provided by the customer")
        XCTAssertFalse(files.contains { $0.name.hasPrefix("events") }, "observed behaviour is outside portability")
    }

    func testCSVRoundTripsThroughValueParser() throws {
        for name in ["customers", "feedback", "orders"] {
            let file = try XCTUnwrap(try export().csvFiles().first { $0.name == "\(name).csv" })
            XCTAssertTrue(file.text.hasSuffix("\r\n"))
            let records = try TestCSV.parse(file.text)
            let (columns, rows) = try expected(name)
            XCTAssertEqual(records[0], columns.map(\.name))
            XCTAssertEqual(records.count - 1, rows.count)
            for (record, row) in zip(records.dropFirst(), rows) {
                XCTAssertEqual(record.count, columns.count)
                let parsed = try zip(columns, record).map { try parse($1, $0) }
                XCTAssertEqual(parsed, row, "\(name) row does not survive the round trip")
            }
        }
        // Spot checks on the hard cases: Chinese and Swedish text, commas, quotes, line breaks.
        let feedback = try TestCSV.parse(try XCTUnwrap(try export().csvFiles().first { $0.name == "feedback.csv" }).text)
        XCTAssertEqual(feedback[1][4], "送货很快，但是包装破了。\n第二行，有逗号, and \"quotes\"")
        XCTAssertEqual(feedback[2][4], "Bra leverans, men \"paketet\" var skadat; tyvärr.\r\nAndra raden")
        XCTAssertEqual(feedback[1][1], "2024-05-01T10:30:45.123Z")
        let customers = try TestCSV.parse(try XCTUnwrap(try export().csvFiles().first { $0.name == "customers.csv" }).text)
        XCTAssertEqual(customers[2][3], "Åsa Öberg\nc/o Ström, Göteborg")
        XCTAssertEqual(customers[2][7], "", "a missing value is an empty field")
    }

    // RFC 4180 quoting itself is tested with the writer, in CustosBaseTests/CSVWriterTests.

    func testJSONLinesRoundTripLikeIngestReadsThem() throws {
        for name in ["customers", "feedback", "orders"] {
            let file = try XCTUnwrap(try export().jsonLinesFiles().first { $0.name == "\(name).jsonl" })
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.last, "", "every record ends with a newline")
            let (columns, rows) = try expected(name)
            XCTAssertEqual(lines.count - 1, rows.count)
            for (line, row) in zip(lines, rows) {
                XCTAssertFalse(line.contains("\n"))
                XCTAssertTrue(line.hasPrefix("{\"\(columns[0].name)\":"), "keys follow the schema's column order")
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                XCTAssertEqual(Set(object.keys), Set(columns.map(\.name)))
                // As `custos ingest` does: null -> empty, arrays joined with ';', strings as they are.
                let parsed = try columns.map { column -> Value in
                    switch object[column.name] {
                    case let text as String: return try parse(text, column)
                    case let list as [String]: return try parse(list.joined(separator: ";"), column)
                    default: return try parse("", column)
                    }
                }
                XCTAssertEqual(parsed, row)
            }
        }
        let orders = try XCTUnwrap(try export().jsonLinesFiles().first { $0.name == "orders.jsonl" }).text
        XCTAssertTrue(orders.hasPrefix(#"{"customer_id":"cust-000123","order_id":"ORD-1","order_time":"2024-05-01T10:00:00Z","amount":"199.90","item_count":"2","items":["SKU-1","SKU-2"],"channel":"web","country":"CN"}"#))
        let customers = try XCTUnwrap(try export().jsonLinesFiles().first { $0.name == "customers.jsonl" }).text
        XCTAssertTrue(customers.contains(#""gender":null"#))
    }

    func testJSONStringEscaping() throws {
        let tricky = "quote \" backslash \\ tab \t nul \u{0} bell \u{7} line sep \u{2028} 中文 😀"
        let literal = JSONText.string(tricky)
        XCTAssertEqual(literal, #""quote \" backslash \\ tab \t nul \u0000 bell \u0007 line sep \u2028 中文 😀""#)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        XCTAssertEqual(decoded, [tricky])
    }

    func testManifestListsFilesDigestsAndWhatWasLeftOut() throws {
        let export = try export()
        let files = try export.allFiles()
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(files.last).contents) as? [String: Any])
        XCTAssertEqual(manifest["request_id"] as? String, requestID.rawValue)
        let datasets = try XCTUnwrap(manifest["datasets"] as? [[String: Any]])
        XCTAssertEqual(datasets.map { $0["dataset"] as? String ?? "" }, ["customers", "feedback", "orders"])
        XCTAssertEqual(datasets[0]["records"] as? Int, 2)
        XCTAssertEqual(datasets[0]["reingestable"] as? Bool, true)
        let digests = try XCTUnwrap(datasets[1]["files"] as? [String: String])
        XCTAssertEqual(digests["feedback.csv"], "sha256:" + (files.first { $0.name == "feedback.csv" }?.sha256 ?? ""))
        XCTAssertEqual(digests["feedback.jsonl"], "sha256:" + (files.first { $0.name == "feedback.jsonl" }?.sha256 ?? ""))
        let left = try XCTUnwrap(manifest["not_included"] as? [String: String])
        XCTAssertEqual(Array(left.keys), ["events"])
    }

    func testRowsWithNothingProvidedAreLeftOut() throws {
        let customers = try Sample.catalog().dataset("customers")
        // Only the shop-assigned columns are filled in this row.
        let row = try SampleData.rows(customers, [["", "", "", "", "", "", "", "", "2020-01-01", "gold"]])
        let export = try PortabilityExport(requestID: requestID, generatedAt: Date(), datasets: [try SubjectDataset(schema: customers, rows: row)])
        XCTAssertEqual(export.csvFiles(), [])
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: try export.manifest(for: []).contents) as? [String: Any])
        XCTAssertEqual((manifest["not_included"] as? [String: String])?["customers"], "holds no records of data you provided")
    }
}
