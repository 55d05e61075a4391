import CustosCrypto
import CustosPrivacy
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

/// Who entered a pseudonymous job: exact counts, shown to the analyst because pseudonymous output
/// is not differentially private anyway. DP results never carry this (it would void the guarantee:
/// the counts of neighbouring data sets never overlap); officers read it in the audit entry.
public struct Cohort: Codable, Sendable {
    /// Consenting customers whose rows entered the job.
    public var subjects: Int
    /// Rows that entered the job.
    public var rows: Int
    /// Subjects left out by the consent filter, per reason (counts only).
    public var exclusions: [String: Int]
    /// Groups withheld because fewer subjects than the minimum group size were in them.
    public var suppressedGroups: Int
    public var minGroupSize: Int?
}

/// The privacy cost a DP job declared before it ran, reserved and charged in full. Public: it is
/// the analyst's request, never computed from the data.
public struct PrivacyStatement: Codable, Sendable {
    public var epsilon: Double
    public var delta: Double
    public var rho: Double
    /// When rho > 0: the (epsilon, delta)-DP guarantee it was converted to for the ledger.
    public var conversion: String?

    /// "ε 1, δ 1e-06 reserved and charged".
    public var summary: String {
        var parts = [String(format: "ε %g", epsilon)]
        if delta > 0 { parts.append(String(format: "δ %g", delta)) }
        if rho > 0 { parts.append(String(format: "ρ %g (zCDP)", rho)) }
        return parts.joined(separator: ", ") + " reserved and charged" + (conversion.map { "; \($0)" } ?? "")
    }
}

/// The result of a job as it leaves the engine (JSON, table or HTML).
///
/// A differentially private job's result holds its typed ``DPRelease`` and nothing read from the
/// data besides it: the display tables and charts are rendered from the release, and the JSON form
/// is the release itself (each number with its provenance and 95% interval).
public struct JobResult: Encodable, Sendable {
    public var jobID: String
    public var kind: String
    public var title: String
    public var principal: String
    public var purpose: String
    public var dataset: String
    public var outputMode: String
    public var policyVersion: String
    /// Pseudonymous jobs only: who entered.
    public var cohort: Cohort?
    /// DP jobs only: the declared cost.
    public var privacy: PrivacyStatement?
    /// DP jobs only: everything released.
    public var release: DPRelease?
    /// Display tables (for DP jobs, rendered from ``release``).
    public var tables: [ResultTable]
    public var charts: [ResultChart]
    public var notes: [String]
    public var finishedAt: String
    /// SHA-256 of the released tables and charts, as recorded in the audit log.
    public var resultDigest: String

    enum CodingKeys: String, CodingKey {
        case jobID, kind, title, principal, purpose, dataset, outputMode, policyVersion, cohort, privacy, release, tables, charts, notes,
             finishedAt, resultDigest
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in [(CodingKeys.jobID, jobID), (.kind, kind), (.title, title), (.principal, principal), (.purpose, purpose),
                             (.dataset, dataset), (.outputMode, outputMode), (.policyVersion, policyVersion), (.finishedAt, finishedAt),
                             (.resultDigest, resultDigest)] {
            try c.encode(value, forKey: key)
        }
        if let release {
            // A DP result is its release: the display tables are a rendering of it.
            try c.encode(release, forKey: .release)
            try c.encodeIfPresent(privacy, forKey: .privacy)
        } else {
            try c.encodeIfPresent(cohort, forKey: .cohort)
            try c.encode(tables, forKey: .tables)
            try c.encode(charts, forKey: .charts)
            try c.encode(notes, forKey: .notes)
        }
    }

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
            + (cohort.map { " · \($0.subjects) subjects, \($0.rows) rows" } ?? "")]
        if let privacy { lines.append("privacy: " + privacy.summary) }
        if let cohort {
            if !cohort.exclusions.isEmpty {
                lines.append("consent filter excluded: " + cohort.exclusions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            if cohort.suppressedGroups > 0, let k = cohort.minGroupSize { lines.append("\(cohort.suppressedGroups) groups with fewer than \(k) subjects suppressed") }
        }
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

extension DPRelease {
    /// The display tables: every cell rendered from its released value.
    var displayTables: [ResultTable] {
        tables.map { table in
            ResultTable(title: table.title.description, columns: table.columns, rows: table.rows.map { $0.map(\.text) },
                        note: table.note?.description)
        }
    }

    /// The display charts, with error bars from the 95% intervals.
    var displayCharts: [ResultChart] {
        charts.map { chart in
            let errors = chart.values.map { $0.halfWidth95 ?? 0 }
            return ResultChart(kind: chart.kind == .funnel ? .funnel : .bar, title: chart.title.description, labels: chart.labels.map(\.text),
                               values: chart.values.map { max($0.value, 0) }, errors: errors.contains { $0 > 0 } ? errors : nil)
        }
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
