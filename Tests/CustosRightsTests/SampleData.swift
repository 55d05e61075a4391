import CustosBase
@testable import CustosRights
import CustosSchema
import Foundation
import XCTest

/// Subject data typed exactly as `custos ingest` types it: raw text through `ValueParser`.
enum SampleData {
    static func rows(_ schema: DatasetSchema, _ raw: [[String]]) throws -> [[Value]] {
        try raw.map { fields in
            XCTAssertEqual(fields.count, schema.columns.count, "fixture row width for \(schema.name)")
            return try zip(schema.columns, fields).map { column, text in try ValueParser.parse(text, column: column).get() }
        }
    }

    static let customers: [[String]] = [
        ["CUST-000123", "Li.Wei@Example.CN", "+86 138 0013 8000", "李伟 (Li Wei), \"小李\"", "1988-04-12", "200000", "CN", "male",
         "2021-03-01", "gold"],
        ["cust-000124", "asa.oberg@example.se", "070-123 45 67", "Åsa Öberg\nc/o Ström, Göteborg", "1990-12-31", "111 22", "se", "",
         "2022-01-15", "silver"],
    ]

    static let feedback: [[String]] = [
        ["cust-000123", "2024-05-01T12:30:45.123+02:00", "4", "delivery", "送货很快，但是包装破了。\n第二行，有逗号, and \"quotes\""],
        ["cust-000124", "2024-06-02 08:00", "2", "product", "Bra leverans, men \"paketet\" var skadat; tyvärr.\r\nAndra raden"],
        ["cust-000124", "2024-06-03T09:00:00Z", "", "other", ""],
    ]

    static let orders: [[String]] = [
        ["cust-000123", "ORD-1", "2024-05-01T10:00:00Z", "199.9", "2", "SKU-1; SKU-2", "web", "CN"],
        ["cust-000123", "ORD-2", "2024-05-09T18:45:00+08:00", "5", "1", "SKU-3", "store", "CN"],
    ]

    static let events: [[String]] = [
        ["cust-000123", "s-1", "2024-05-01T09:59:00Z", "view", "SKU-1", "mobile"],
    ]

    static func datasets() throws -> [SubjectDataset] {
        let catalog = try Sample.catalog()
        return [
            try SubjectDataset(schema: try catalog.dataset("customers"), rows: try rows(try catalog.dataset("customers"), customers)),
            try SubjectDataset(schema: try catalog.dataset("feedback"), rows: try rows(try catalog.dataset("feedback"), feedback)),
            try SubjectDataset(schema: try catalog.dataset("orders"), rows: try rows(try catalog.dataset("orders"), orders)),
            try SubjectDataset(schema: try catalog.dataset("events"), rows: try rows(try catalog.dataset("events"), events)),
        ]
    }
}

/// A minimal RFC 4180 reader for the tests (independent of the exporter's writer): quoted fields
/// with doubled quotes, embedded commas and line breaks; CRLF or LF record ends.
enum TestCSV {
    static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars.removeFirst()
                    } else {
                        inQuotes = false
                        if let next = scalars.first, next != ",", next != "\r", next != "\n" {
                            throw NSError(domain: "TestCSV", code: 1, userInfo: [NSLocalizedDescriptionKey: "character after closing quote"])
                        }
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else if c == "," {
                record.append(CSVFormula.unescape(field))  // as ingest reads a Custos CSV
                field = ""
            } else if c == "\r" || c == "\n" {
                if c == "\r", scalars.first == "\n" { scalars.removeFirst() }
                record.append(CSVFormula.unescape(field))  // as ingest reads a Custos CSV
                records.append(record)
                record = []
                field = ""
            } else if c == "\"" {
                throw NSError(domain: "TestCSV", code: 2, userInfo: [NSLocalizedDescriptionKey: "quote inside an unquoted field"])
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw NSError(domain: "TestCSV", code: 3, userInfo: [NSLocalizedDescriptionKey: "unterminated quote"]) }
        if !field.isEmpty || !record.isEmpty {
            record.append(CSVFormula.unescape(field))  // as ingest reads a Custos CSV
            records.append(record)
        }
        return records
    }
}
