/// A JSON value as the audit log writes it: no fractional numbers (decimals travel as strings) and
/// integers limited to the range every JSON implementation represents exactly (|n| ≤ 2^53 − 1).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    /// Member order is irrelevant: the canonical encoder sorts keys.
    case object([String: JSONValue])

    /// Largest integer magnitude allowed (2^53 − 1), so that RFC 8785 number formatting is plain decimal.
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer payload, if this is an integer.
    public var integerValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
