import Yams
import CustosSchema

/// A typed literal inside a checked row filter: its value and its canonical text.
public struct FilterValue: Sendable, Equatable {
    /// The typed value.
    public let value: Value
    /// The literal as it is printed back (quoted where the language quotes it).
    public let text: String
}

/// A condition over one row, checked against a dataset schema. Its literals are typed values.
public indirect enum RowCondition: Sendable, Equatable {
    case compare(column: String, op: ComparisonOperator, literal: FilterValue)
    case member(column: String, values: [FilterValue], negated: Bool)
    case missing(column: String, negated: Bool)
    case contains(column: String, item: FilterValue)
    case and([RowCondition])
    case or([RowCondition])
    case not(RowCondition)
}

/// A row filter checked against one dataset: which rows a permit lets a job see. It refers only
/// to non-identifying columns. Filters from several permits combine with `and`.
public struct RowFilter: Sendable, Equatable, CustomStringConvertible {
    /// Dataset name.
    public let dataset: String
    /// The checked condition tree.
    public let condition: RowCondition

    /// Internal on purpose: every filter comes from `compile`, so its depth is bounded and the
    /// recursive walks below (render, columns, evaluation) cannot exhaust the stack.
    init(dataset: String, condition: RowCondition) {
        self.dataset = dataset
        self.condition = condition
    }

    /// Parses and type-checks `text` against `schema`, within `limits`.
    public static func compile(_ text: String, for schema: DatasetSchema, limits: RowFilterLimits = .standard) throws -> RowFilter {
        let syntax = try RowFilterParser.parse(text, limits: limits)
        return RowFilter(dataset: schema.name, condition: try RowFilterChecker.check(syntax, schema: schema, limits: limits))
    }

    /// Compiles the filter held in a YAML scalar, turning problems into errors located at the
    /// file and line of the offending character.
    public static func compile(_ yaml: YAMLValue, for schema: DatasetSchema) throws -> RowFilter {
        let text = try yaml.string()
        do {
            return try compile(text, for: schema)
        } catch let error as RowFilterError {
            throw ConfigurationError(file: yaml.file, line: lineOf(offset: error.offset, in: text, yaml: yaml), message: "row filter: \(error.message) (at character \(error.offset) of the filter)")
        }
    }

    /// Columns the filter reads, sorted.
    public var columns: [String] {
        var names = Set<String>()
        Self.collectColumns(of: condition, into: &names)
        return names.sorted()
    }

    /// The canonical text of the filter; it parses back to the same filter.
    public var description: String { Self.render(condition, top: true) }

    /// Both filters must hold.
    public func and(_ other: RowFilter) -> RowFilter {
        var parts: [RowCondition] = []
        for c in [condition, other.condition] {
            if case let .and(inner) = c { parts.append(contentsOf: inner) } else { parts.append(c) }
        }
        return RowFilter(dataset: dataset, condition: .and(parts))
    }

    /// Binds the filter to a row layout (the column names of the `[Value]` rows it will see).
    public func bind(to columnOrder: [String]) throws -> BoundRowFilter {
        var index: [String: Int] = [:]
        for (i, name) in columnOrder.enumerated() where index[name] == nil { index[name] = i }
        for column in columns where index[column] == nil {
            throw GovernanceError.rowFilterColumnNotInRow(column: column)
        }
        return BoundRowFilter(condition: condition, index: index)
    }

    /// Binds the filter to full rows of `schema` (columns in declaration order).
    public func bind(to schema: DatasetSchema) throws -> BoundRowFilter {
        try bind(to: schema.columns.map(\.name))
    }

    static func collectColumns(of condition: RowCondition, into names: inout Set<String>) {
        switch condition {
        case let .compare(column, _, _), let .member(column, _, _), let .missing(column, _), let .contains(column, _):
            names.insert(column)
        case let .and(parts), let .or(parts):
            for part in parts { collectColumns(of: part, into: &names) }
        case let .not(inner):
            collectColumns(of: inner, into: &names)
        }
    }

    static func render(_ condition: RowCondition, top: Bool = false) -> String {
        switch condition {
        case let .compare(column, op, literal):
            return "\(column) \(op.rawValue) \(literal.text)"
        case let .member(column, values, negated):
            return "\(column) \(negated ? "not in" : "in") [\(values.map(\.text).joined(separator: ", "))]"
        case let .missing(column, negated):
            return "\(column) is \(negated ? "not " : "")missing"
        case let .contains(column, item):
            return "\(column) contains \(item.text)"
        case let .and(parts):
            let text = parts.map { render($0) }.joined(separator: " and ")
            return top ? text : "(\(text))"
        case let .or(parts):
            let text = parts.map { render($0) }.joined(separator: " or ")
            return top ? text : "(\(text))"
        case let .not(inner):
            return "not \(render(inner))"
        }
    }

    /// Line of a character offset inside a YAML scalar: plain and quoted scalars start on the
    /// node's line; block scalars (`|`, `>`) start on the next one.
    static func lineOf(offset: Int, in text: String, yaml: YAMLValue) -> Int? {
        guard let base = yaml.line else { return nil }
        let newlines = text.prefix(max(offset - 1, 0)).filter { $0 == "\n" }.count
        var isBlock = false
        if case let .scalar(scalar) = yaml.node { isBlock = scalar.style == .literal || scalar.style == .folded }
        return base + newlines + (isBlock ? 1 : 0)
    }
}
