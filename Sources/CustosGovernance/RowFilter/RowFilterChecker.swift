import Foundation
import CustosSchema

/// Type-checks a parsed row filter against a dataset schema: every column must exist and must not
/// be a direct identifier, every literal must fit its column's type, and each operator must make
/// sense for that type (ordering only for numbers, dates and timestamps; `contains` only for item lists).
public enum RowFilterChecker {
    /// The typed condition for `syntax`, or a `RowFilterError` at the offending column.
    /// `limits` bound the depth of the tree it will accept (the parser already holds parsed text to
    /// them; this guards a tree built by hand), so the recursion here is bounded too.
    public static func check(_ syntax: RowFilterSyntax, schema: DatasetSchema, limits: RowFilterLimits = .standard) throws -> RowCondition {
        try check(syntax, schema: schema, limits: limits, depth: 0)
    }

    /// A parsed filter's tree is at most two and/or levels per parenthesis plus one per `not`.
    static func maxTreeDepth(_ limits: RowFilterLimits) -> Int { 2 * limits.maxDepth + 3 }

    static func check(_ syntax: RowFilterSyntax, schema: DatasetSchema, limits: RowFilterLimits, depth: Int) throws -> RowCondition {
        guard depth <= maxTreeDepth(limits) else {
            throw RowFilterError(offset: 1, message: "the filter nests more than \(limits.maxDepth) levels deep, the limit: remove redundant parentheses and double negations")
        }
        switch syntax {
        case let .compare(name, op, literal, offset):
            let column = try resolve(name, offset: offset, schema: schema)
            guard column.type != .itemList else {
                throw RowFilterError(offset: offset, message: "'\(name)' is a list of items; test it with 'contains'")
            }
            if op.isOrdering {
                guard [.integer, .decimal, .date, .timestamp].contains(column.type) else {
                    throw RowFilterError(offset: offset, message: "'\(name)' is a \(column.type.rawValue) column; it can be compared with =, != and in, not ordered with \(op.rawValue)")
                }
            }
            return .compare(column: name, op: op, literal: try typed(literal, column: column, offset: offset))
        case let .member(name, literals, negated, offset):
            let column = try resolve(name, offset: offset, schema: schema)
            guard column.type != .itemList else {
                throw RowFilterError(offset: offset, message: "'\(name)' is a list of items; test it with 'contains'")
            }
            return .member(column: name, values: try literals.map { try typed($0, column: column, offset: offset) }, negated: negated)
        case let .missing(name, negated, offset):
            _ = try resolve(name, offset: offset, schema: schema)
            return .missing(column: name, negated: negated)
        case let .contains(name, literal, offset):
            let column = try resolve(name, offset: offset, schema: schema)
            guard column.type == .itemList else {
                throw RowFilterError(offset: offset, message: "'contains' applies to item-list columns; '\(name)' is a \(column.type.rawValue) column")
            }
            guard case let .text(item) = literal else {
                throw RowFilterError(offset: offset, message: "the item after 'contains' must be quoted text")
            }
            return .contains(column: name, item: FilterValue(value: .string(item), text: quote(item)))
        case let .and(parts):
            return .and(try parts.map { try check($0, schema: schema, limits: limits, depth: depth + 1) })
        case let .or(parts):
            return .or(try parts.map { try check($0, schema: schema, limits: limits, depth: depth + 1) })
        case let .not(inner):
            return .not(try check(inner, schema: schema, limits: limits, depth: depth + 1))
        }
    }

    static func resolve(_ name: String, offset: Int, schema: DatasetSchema) throws -> Column {
        guard let column = schema.column(named: name) else {
            throw RowFilterError(
                offset: offset,
                message: "dataset '\(schema.name)' has no column '\(name)'; columns: \(schema.columns.map(\.name).joined(separator: ", "))")
        }
        guard column.columnClass != .directIdentifier else {
            throw RowFilterError(offset: offset, message: "'\(name)' is a direct identifier; row filters may only use non-identifying columns")
        }
        return column
    }

    static func typed(_ literal: FilterLiteral, column: Column, offset: Int) throws -> FilterValue {
        func fail(_ expected: String) -> RowFilterError {
            RowFilterError(offset: offset, message: "'\(column.name)' is a \(column.type.rawValue) column; compare it with \(expected)")
        }
        switch (column.type, literal) {
        case let (.string, .text(s)):
            return FilterValue(value: .string(s), text: quote(s))
        case let (.category, .text(s)):
            if let values = column.publicValues {
                guard let match = values.first(where: { $0.caseInsensitiveCompare(s) == .orderedSame }) else {
                    throw RowFilterError(offset: offset, message: "'\(s)' is not a declared value of '\(column.name)'; declared values: \(values.joined(separator: ", "))")
                }
                return FilterValue(value: .category(match), text: quote(match))
            }
            return FilterValue(value: .category(s), text: quote(s))
        case let (.integer, .number(n)):
            guard let v = Int64(n.hasPrefix("+") ? String(n.dropFirst()) : n) else { throw fail("a whole number") }
            return FilterValue(value: .integer(v), text: String(v))
        case let (.decimal, .number(n)):
            guard let units = ValueParser.parseDecimal(n, scale: column.scale) else {
                throw fail("a number with at most \(column.scale) digits after the point")
            }
            return FilterValue(value: .decimal(units), text: Value.decimal(units).rendered(scale: column.scale))
        case let (.date, .text(s)):
            guard let days = ValueParser.parseDate(s) else { throw fail("a quoted date such as '2024-01-31'") }
            return FilterValue(value: .date(Int32(days)), text: quote(Value.date(Int32(days)).rendered()))
        case let (.timestamp, .text(s)):
            guard let ms = ValueParser.parseTimestamp(s) else { throw fail("a quoted ISO 8601 time such as '2024-01-31T12:00:00Z'") }
            return FilterValue(value: .timestamp(ms), text: quote(Value.timestamp(ms).rendered()))
        case (.string, _), (.category, _): throw fail("quoted text")
        case (.integer, _): throw fail("a whole number (unquoted)")
        case (.decimal, _): throw fail("a number (unquoted)")
        case (.date, _): throw fail("a quoted date such as '2024-01-31'")
        case (.timestamp, _): throw fail("a quoted ISO 8601 time such as '2024-01-31T12:00:00Z'")
        case (.itemList, _): throw fail("'contains'")
        }
    }

    static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
