import CustosCrypto
import Foundation

/// A table in a job's result.
public struct ResultTable: Codable, Sendable, Equatable {
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    public var note: String?

    public init(title: String, columns: [String], rows: [[String]], note: String? = nil) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.note = note
    }
}

/// A chart in a job's result, rendered as inline SVG in HTML.
public struct ResultChart: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case bar, funnel, scatter }
    public var kind: Kind
    public var title: String
    public var labels: [String]
    public var values: [Double]
    /// For scatter plots: x, y and a group index per point.
    public var x: [Double]?
    public var y: [Double]?
    public var group: [Int]?
    /// Error bars (half-width) for noisy values, when known.
    public var errors: [Double]?

    public init(kind: Kind, title: String, labels: [String] = [], values: [Double] = [], x: [Double]? = nil, y: [Double]? = nil,
                group: [Int]? = nil, errors: [Double]? = nil) {
        self.kind = kind
        self.title = title
        self.labels = labels
        self.values = values
        self.x = x
        self.y = y
        self.group = group
        self.errors = errors
    }
}

/// What an algorithm releases: tables, charts and notes, already gated (noised or suppressed).
public struct ReleasedOutput: Sendable {
    public var tables: [ResultTable] = []
    public var charts: [ResultChart] = []
    public var notes: [String] = []
    /// Groups withheld because fewer subjects than the minimum group size were in them.
    public var suppressedGroups = 0
    public init() {}
}

/// The result of a job as it leaves the engine (JSON, table or HTML).
public struct JobResult: Codable, Sendable {
    public var jobID: String
    public var kind: String
    public var title: String
    public var principal: String
    public var purpose: String
    public var dataset: String
    public var outputMode: String
    public var policyVersion: String
    public var epsilon: Double?
    public var subjects: Int
    public var rows: Int
    /// Subjects left out by the consent filter, per reason (counts only).
    public var exclusions: [String: Int]
    public var suppressedGroups: Int
    public var minGroupSize: Int?
    public var tables: [ResultTable]
    public var charts: [ResultChart]
    public var notes: [String]
    public var finishedAt: String
    /// SHA-256 of the released tables and charts, as recorded in the audit log.
    public var resultDigest: String

    /// Canonical JSON (sorted keys) of the released content, for the digest.
    static func digest(tables: [ResultTable], charts: [ResultChart]) -> String {
        struct Content: Encodable {
            let tables: [ResultTable]
            let charts: [ResultChart]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Content(tables: tables, charts: charts))) ?? Data()
        return "sha256:" + SHA256.hash([UInt8](data)).hexString
    }

    /// Pretty JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Plain-text tables for a terminal.
    public func text() -> String {
        var lines = ["\(title)", "job \(jobID) · \(principal) · \(purpose) · \(dataset) · \(outputMode)"
            + (epsilon.map { " · ε=\($0)" } ?? "") + " · \(subjects) subjects, \(rows) rows"]
        if !exclusions.isEmpty {
            lines.append("consent filter excluded: " + exclusions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if suppressedGroups > 0, let k = minGroupSize { lines.append("\(suppressedGroups) groups with fewer than \(k) subjects suppressed") }
        for table in tables {
            lines.append("")
            lines.append(table.title)
            lines.append(TextTable.render(columns: table.columns, rows: table.rows))
            if let note = table.note { lines.append(note) }
        }
        for note in notes { lines.append("note: \(note)") }
        lines.append("result digest \(resultDigest)")
        return lines.joined(separator: "\n")
    }
}

/// Fixed-width text tables.
enum TextTable {
    static func render(columns: [String], rows: [[String]], limit: Int = 25) -> String {
        let shown = Array(rows.prefix(limit))
        var widths = columns.map(\.count)
        for row in shown { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var out = [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += shown.map(line)
        if rows.count > limit { out.append("… \(rows.count - limit) more rows (use --format json or html for all)") }
        return out.joined(separator: "\n")
    }
}
