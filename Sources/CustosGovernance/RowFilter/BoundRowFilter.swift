import CustosSchema

/// A row filter bound to a row layout, ready to test `[Value]` rows.
///
/// Logic is three-valued (Kleene), as in SQL: a comparison with a missing value is unknown,
/// `not unknown` is unknown, and a row is kept only when the whole filter is true. So a filter
/// never lets through a row whose deciding value is missing; write `x is missing` to ask for them.
public struct BoundRowFilter: Sendable {
    let condition: RowCondition
    let index: [String: Int]

    /// Whether the row passes the filter.
    public func matches(_ row: [Value]) -> Bool { evaluate(condition, row) == .yes }

    enum Truth { case yes, no, unknown }

    func value(_ column: String, _ row: [Value]) -> Value {
        guard let i = index[column], i < row.count else { return .missing }
        return row[i]
    }

    func evaluate(_ condition: RowCondition, _ row: [Value]) -> Truth {
        switch condition {
        case let .compare(column, op, literal):
            guard let order = Self.compare(value(column, row), literal.value) else { return .unknown }
            let result: Bool
            switch op {
            case .equal: result = order == 0
            case .notEqual: result = order != 0
            case .less: result = order < 0
            case .lessOrEqual: result = order <= 0
            case .greater: result = order > 0
            case .greaterOrEqual: result = order >= 0
            }
            return result ? .yes : .no
        case let .member(column, values, negated):
            let v = value(column, row)
            var found = false
            for candidate in values {
                guard let order = Self.compare(v, candidate.value) else { return .unknown }
                if order == 0 { found = true }
            }
            return found != negated ? .yes : .no
        case let .missing(column, negated):
            return value(column, row).isMissing != negated ? .yes : .no
        case let .contains(column, item):
            guard case let .items(list) = value(column, row), case let .string(wanted) = item.value else { return .unknown }
            return list.contains(wanted) ? .yes : .no
        case let .and(parts):
            var result = Truth.yes
            for part in parts {
                switch evaluate(part, row) {
                case .no: return .no
                case .unknown: result = .unknown
                case .yes: break
                }
            }
            return result
        case let .or(parts):
            var result = Truth.no
            for part in parts {
                switch evaluate(part, row) {
                case .yes: return .yes
                case .unknown: result = .unknown
                case .no: break
                }
            }
            return result
        case let .not(inner):
            switch evaluate(inner, row) {
            case .yes: return .no
            case .no: return .yes
            case .unknown: return .unknown
            }
        }
    }

    /// Orders two values of the same kind; nil when either is missing or the kinds differ.
    /// Strings and categories with the same text compare equal.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case let (.integer(x), .integer(y)), let (.decimal(x), .decimal(y)), let (.timestamp(x), .timestamp(y)):
            return sign(x, y)
        case let (.date(x), .date(y)):
            return sign(x, y)
        case let (.string(x), .string(y)), let (.category(x), .category(y)), let (.string(x), .category(y)), let (.category(x), .string(y)):
            if x == y { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        default:
            return nil
        }
    }
}
