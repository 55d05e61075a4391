/// A label in a DP result: a row key, a chart label.
public enum ReleasedLabel: Sendable, Hashable, Encodable, CustomStringConvertible {
    /// From a domain declared public before the job ran (schema categories, a public catalogue, a
    /// parameter such as the funnel steps): present whatever the data.
    case declared(String)
    /// A key released because its noisy count passed the partition-selection threshold: whether it
    /// appears at all is random, and its delta was charged.
    case selected(String)

    /// The label text.
    public var text: String {
        switch self {
        case let .declared(text), let .selected(text): return text
        }
    }

    public var description: String { text }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// One cell of a DP table.
public enum ReleasedCell: Sendable, Hashable, Encodable {
    /// A row key or other label.
    case label(ReleasedLabel)
    /// A released number shown with `decimals` decimals.
    case number(ReleasedNumber, decimals: Int)
    /// A verdict computed from released numbers only (e.g. "significant": a noisy count above a
    /// public bound), with how it was derived.
    case verdict(String, Provenance)
    /// Nothing to show (e.g. a mean over a noisy size below one).
    case empty

    /// A verdict derived from released numbers: post-processed when any input is randomised.
    public static func derivedVerdict(_ text: String, from inputs: [ReleasedNumber], how: String) -> ReleasedCell {
        .verdict(text, inputs.contains { $0.provenance.isRandomised } ? .postProcessed(how) : .declared(how))
    }

    /// An integer-valued released number (a count).
    public static func count(_ number: ReleasedNumber) -> ReleasedCell { .number(number, decimals: 0) }

    /// The number in this cell, if any.
    public var number: ReleasedNumber? {
        if case let .number(number, _) = self { return number }
        return nil
    }

    /// "123 ± 45", "12.30 [10.10, 14.50]", a label, or "-".
    public var text: String {
        switch self {
        case let .label(label): return label.text
        case let .verdict(text, _): return text
        case .empty: return "-"
        case let .number(number, decimals):
            let value = ReleaseText.format(number.value, decimals: decimals)
            guard let lower = number.lower95, let upper = number.upper95 else { return value }
            if decimals == 0, let half = number.halfWidth95, abs(number.value - lower - half) < 1e-9 {
                return "\(value) ± \(ReleaseText.format(half, decimals: 0))"
            }
            return "\(value) [\(ReleaseText.format(lower, decimals: decimals)), \(ReleaseText.format(upper, decimals: decimals))]"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .label(label): try container.encode(label.text)
        case let .verdict(text, provenance): try container.encode(["text": text, "provenance": provenance.description])
        case let .number(number, _): try container.encode(number)
        case .empty: try container.encodeNil()
        }
    }
}

/// Which rows a DP table shows, and why that choice is itself private.
public enum RowSelection: Sendable, Hashable, Encodable {
    /// Every key of a domain declared public, whatever the data.
    case publicDomain
    /// Keys whose noisy count passed the partition-selection threshold (delta charged).
    case partitionSelection(threshold: Int64)
    /// The top rows by a released (noisy) value: post-processing.
    case rankedByNoisyValue(limit: Int)
}

/// A table of a DP result.
public struct ReleasedTable: Sendable, Hashable, Encodable {
    public var title: ReleaseText
    public var columns: [String]
    public var rows: [[ReleasedCell]]
    public var selection: RowSelection
    public var note: ReleaseText?

    public init(title: ReleaseText, columns: [String], rows: [[ReleasedCell]], selection: RowSelection, note: ReleaseText? = nil) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.selection = selection
        self.note = note
    }

    /// The row whose first cell is the label `key`.
    public func row(_ key: String) -> [ReleasedCell]? {
        rows.first { if case let .label(label) = $0.first { return label.text == key } else { return false } }
    }

    /// The number in row `key`, column `column`.
    public func number(_ key: String, _ column: String) -> ReleasedNumber? {
        guard let c = columns.firstIndex(of: column), let row = row(key), c < row.count else { return nil }
        return row[c].number
    }
}

/// A bar or funnel chart of a DP result.
public struct ReleasedChart: Sendable, Hashable, Encodable {
    public enum Kind: String, Sendable, Hashable, Encodable { case bar, funnel }
    public var kind: Kind
    public var title: ReleaseText
    public var labels: [ReleasedLabel]
    public var values: [ReleasedNumber]
    /// Which bars are shown (as for tables).
    public var selection: RowSelection

    public init(kind: Kind, title: ReleaseText, labels: [ReleasedLabel], values: [ReleasedNumber], selection: RowSelection = .publicDomain) {
        self.kind = kind
        self.title = title
        self.labels = labels
        self.values = values
        self.selection = selection
    }
}

/// Everything a differentially private job releases. Renderers (text, JSON, CSV, HTML, the API)
/// show a DP result only through this value, so what they can show is what went through a charged
/// mechanism, was derived from such output, or was declared public.
public struct DPRelease: Sendable, Hashable, Encodable {
    public var tables: [ReleasedTable] = []
    public var charts: [ReleasedChart] = []
    public var notes: [ReleaseText] = []

    public init() {}

    /// The table whose title starts with `prefix`.
    public func table(_ prefix: String) -> ReleasedTable? {
        tables.first { $0.title.description.hasPrefix(prefix) }
    }
}
