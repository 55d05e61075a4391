/// A comparison in a row filter.
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    /// Whether the operator orders values (only numbers, dates and timestamps can be ordered).
    public var isOrdering: Bool { self != .equal && self != .notEqual }
}

/// A literal as written in a row filter, before it is typed against a column.
public enum FilterLiteral: Sendable, Equatable {
    /// A quoted text: strings, categories, dates (`'2024-01-31'`) and timestamps.
    case text(String)
    /// An unquoted number, kept as written so decimals stay exact.
    case number(String)
}

/// A row filter as parsed, before it is checked against a dataset. Leaves carry the 1-based
/// character offset of their column name so that type errors can point at it. A chain of `and`
/// (or of `or`) is one flat node, so long chains cost no depth.
public indirect enum RowFilterSyntax: Sendable, Equatable {
    case compare(column: String, op: ComparisonOperator, literal: FilterLiteral, offset: Int)
    case member(column: String, literals: [FilterLiteral], negated: Bool, offset: Int)
    case missing(column: String, negated: Bool, offset: Int)
    case contains(column: String, literal: FilterLiteral, offset: Int)
    case and([RowFilterSyntax])
    case or([RowFilterSyntax])
    case not(RowFilterSyntax)
}

/// A malformed or ill-typed row filter. `offset` is the 1-based character position in the filter text.
public struct RowFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based character position in the filter text.
    public let offset: Int
    /// What is wrong and what to do.
    public let message: String

    /// Creates the value from its parts.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "row filter, character \(offset): \(message)" }
}

/// Parses the row filter language:
///
/// ```
/// filter     := or
/// or         := and ( "or" and )*
/// and        := unary ( "and" unary )*
/// unary      := "not" unary | "(" filter ")" | condition
/// condition  := column op literal
///             | column ["not"] "in" "[" literal ("," literal)* "]"
///             | column "is" ["not"] "missing"
///             | column "contains" literal
/// op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
/// literal    := 'text' | "text" | number
/// ```
/// Keywords are case-insensitive; column names are lower-case as in the dataset files.
/// `limits` (text length, nesting depth, conditions, literal and list lengths) are enforced while
/// parsing, so the recursion is bounded by `maxDepth` and an oversized filter fails at once.
public enum RowFilterParser {
    /// Parses `text` into a syntax tree, or fails with the position of the first problem.
    public static func parse(_ text: String, limits: RowFilterLimits = .standard) throws -> RowFilterSyntax {
        let bytes = text.utf8.count
        guard bytes <= limits.maxTextBytes else {
            throw RowFilterError(
                offset: 1,
                message: "the filter is \(bytes) bytes long; the limit is \(limits.maxTextBytes) bytes: shorten it (one 'in [...]' list instead of a chain of comparisons)")
        }
        var parser = Parser(tokens: try Lexer.tokens(of: text, limits: limits), length: text.count, limits: limits)
        let expression = try parser.parseOr(depth: 0)
        if let extra = parser.peek {
            throw RowFilterError(offset: extra.offset, message: "unexpected \(extra.kind.display) after a complete filter; join conditions with 'and' or 'or'")
        }
        return expression
    }
}

struct Token: Equatable {
    enum Kind: Equatable {
        case word(String)
        case text(String)
        case number(String)
        case op(ComparisonOperator)
        case open, close, openBracket, closeBracket, comma

        var display: String {
            switch self {
            case let .word(w): return "'\(w)'"
            case .text: return "a quoted text"
            case let .number(n): return "number \(n)"
            case let .op(o): return "'\(o.rawValue)'"
            case .open: return "'('"
            case .close: return "')'"
            case .openBracket: return "'['"
            case .closeBracket: return "']'"
            case .comma: return "','"
            }
        }
    }

    let kind: Kind
    let offset: Int

    var keyword: String? {
        if case let .word(w) = kind { return w.lowercased() }
        return nil
    }
}

enum Lexer {
    static func tokens(of text: String, limits: RowFilterLimits = .standard) throws -> [Token] {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let offset = i + 1
            if c.isWhitespace {
                i += 1
                continue
            }
            switch c {
            case "(": tokens.append(Token(kind: .open, offset: offset)); i += 1
            case ")": tokens.append(Token(kind: .close, offset: offset)); i += 1
            case "[": tokens.append(Token(kind: .openBracket, offset: offset)); i += 1
            case "]": tokens.append(Token(kind: .closeBracket, offset: offset)); i += 1
            case ",": tokens.append(Token(kind: .comma, offset: offset)); i += 1
            case "=":
                i += (i + 1 < chars.count && chars[i + 1] == "=") ? 2 : 1
                tokens.append(Token(kind: .op(.equal), offset: offset))
            case "!":
                guard i + 1 < chars.count, chars[i + 1] == "=" else {
                    throw RowFilterError(offset: offset, message: "'!' must be followed by '=' (use 'not' to negate a condition)")
                }
                tokens.append(Token(kind: .op(.notEqual), offset: offset))
                i += 2
            case "<":
                if i + 1 < chars.count, chars[i + 1] == "=" {
                    tokens.append(Token(kind: .op(.lessOrEqual), offset: offset)); i += 2
                } else if i + 1 < chars.count, chars[i + 1] == ">" {
                    tokens.append(Token(kind: .op(.notEqual), offset: offset)); i += 2
                } else {
                    tokens.append(Token(kind: .op(.less), offset: offset)); i += 1
                }
            case ">":
                if i + 1 < chars.count, chars[i + 1] == "=" {
                    tokens.append(Token(kind: .op(.greaterOrEqual), offset: offset)); i += 2
                } else {
                    tokens.append(Token(kind: .op(.greater), offset: offset)); i += 1
                }
            case "'", "\"":
                let (value, next) = try quoted(chars, from: i, limit: limits.maxLiteralLength)
                tokens.append(Token(kind: .text(value), offset: offset))
                i = next
            default:
                if c.isASCII && (c.isNumber || c == "-" || c == "+") {
                    let (value, next) = try number(chars, from: i, limit: limits.maxLiteralLength)
                    tokens.append(Token(kind: .number(value), offset: offset))
                    i = next
                } else if c.isASCII && (c.isLetter || c == "_") {
                    var j = i
                    while j < chars.count, chars[j].isASCII, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                    tokens.append(Token(kind: .word(String(chars[i..<j])), offset: offset))
                    i = j
                } else {
                    throw RowFilterError(offset: offset, message: "unexpected character '\(c)'")
                }
            }
        }
        return tokens
    }

    /// A quoted literal; the quote is escaped by doubling it (`'O''Brien'`) or with a backslash.
    static func quoted(_ chars: [Character], from start: Int, limit: Int) throws -> (String, Int) {
        let quote = chars[start]
        var value = ""
        var length = 0  // characters in `value`, held to `limit`
        var i = start + 1
        while i < chars.count {
            let c = chars[i]
            if c != quote || (i + 1 < chars.count && chars[i + 1] == quote) {
                length += 1
                guard length <= limit else {
                    throw RowFilterError(offset: start + 1, message: "the quoted text starting here is longer than \(limit) characters, the limit for a literal: shorten it")
                }
            }
            if c == "\\", i + 1 < chars.count {
                value.append(chars[i + 1])
                i += 2
            } else if c == quote {
                if i + 1 < chars.count, chars[i + 1] == quote {
                    value.append(quote)
                    i += 2
                } else {
                    return (value, i + 1)
                }
            } else {
                value.append(c)
                i += 1
            }
        }
        throw RowFilterError(offset: start + 1, message: "the quoted text starting here is never closed; add a closing \(quote)")
    }

    static func number(_ chars: [Character], from start: Int, limit: Int) throws -> (String, Int) {
        var i = start
        if chars[i] == "-" || chars[i] == "+" { i += 1 }
        var digits = 0
        var sawPoint = false
        while i < chars.count {
            let c = chars[i]
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == ".", !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { throw RowFilterError(offset: start + 1, message: "expected a number") }
        guard i - start <= limit else {
            throw RowFilterError(offset: start + 1, message: "the number starting here is longer than \(limit) characters, the limit for a literal: shorten it")
        }
        if i < chars.count, chars[i].isLetter || chars[i] == "_" {
            throw RowFilterError(offset: i + 1, message: "a number runs into a word; quote texts such as dates ('2024-01-31')")
        }
        return (String(chars[start..<i]), i)
    }
}

struct Parser {
    let tokens: [Token]
    let length: Int
    let limits: RowFilterLimits
    var position = 0
    /// Conditions parsed so far, held to `limits.maxTerms`.
    var terms = 0

    init(tokens: [Token], length: Int, limits: RowFilterLimits = .standard) {
        self.tokens = tokens
        self.length = length
        self.limits = limits
    }

    var peek: Token? { position < tokens.count ? tokens[position] : nil }
    var endOffset: Int { length + 1 }

    mutating func next(_ expected: String) throws -> Token {
        guard let token = peek else {
            throw RowFilterError(offset: endOffset, message: "the filter ends early; expected \(expected)")
        }
        position += 1
        return token
    }

    mutating func acceptKeyword(_ word: String) -> Bool {
        if peek?.keyword == word {
            position += 1
            return true
        }
        return false
    }

    // Chains are collected in a loop into one flat node; only parentheses and `not` recurse, and
    // each of those first checks `depth` against the limit.
    mutating func parseOr(depth: Int) throws -> RowFilterSyntax {
        var parts = [try parseAnd(depth: depth)]
        while acceptKeyword("or") { parts.append(try parseAnd(depth: depth)) }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseAnd(depth: Int) throws -> RowFilterSyntax {
        var parts = [try parseUnary(depth: depth)]
        while acceptKeyword("and") { parts.append(try parseUnary(depth: depth)) }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    func tooDeep(_ token: Token?) -> RowFilterError {
        RowFilterError(
            offset: token?.offset ?? endOffset,
            message: "the filter nests more than \(limits.maxDepth) levels deep here (each '(' and 'not' is a level), the limit: remove redundant parentheses and double negations")
    }

    mutating func parseUnary(depth: Int) throws -> RowFilterSyntax {
        if peek?.keyword == "not" {
            guard depth < limits.maxDepth else { throw tooDeep(peek) }
            position += 1
            return .not(try parseUnary(depth: depth + 1))
        }
        if peek?.kind == .open {
            guard depth < limits.maxDepth else { throw tooDeep(peek) }
            position += 1
            let inner = try parseOr(depth: depth + 1)
            let close = try next("')'")
            guard close.kind == .close else {
                throw RowFilterError(offset: close.offset, message: "expected ')' but found \(close.kind.display)")
            }
            return inner
        }
        return try parseCondition()
    }

    static let reserved: Set<String> = ["and", "or", "not", "in", "is", "missing", "contains"]

    mutating func parseCondition() throws -> RowFilterSyntax {
        let columnToken = try next("a column name")
        terms += 1
        guard terms <= limits.maxTerms else {
            throw RowFilterError(
                offset: columnToken.offset,
                message: "the filter has more than \(limits.maxTerms) conditions, the limit: use one 'in [...]' list instead of a chain of comparisons")
        }
        guard case let .word(column) = columnToken.kind, !Self.reserved.contains(column.lowercased()) else {
            throw RowFilterError(offset: columnToken.offset, message: "expected a column name but found \(columnToken.kind.display)")
        }
        let at = columnToken.offset
        let opToken = try next("a comparison (=, !=, <, <=, >, >=, in, is missing, contains) after '\(column)'")
        switch opToken.kind {
        case let .op(op):
            return .compare(column: column, op: op, literal: try parseLiteral(), offset: at)
        case .word:
            switch opToken.keyword {
            case "in":
                return .member(column: column, literals: try parseList(), negated: false, offset: at)
            case "not":
                let inToken = try next("'in'")
                guard inToken.keyword == "in" else {
                    throw RowFilterError(offset: inToken.offset, message: "expected 'in' after 'not' (write 'not' before a condition to negate it)")
                }
                return .member(column: column, literals: try parseList(), negated: true, offset: at)
            case "is":
                let negated = acceptKeyword("not")
                let word = try next("'missing'")
                guard word.keyword == "missing" else {
                    throw RowFilterError(offset: word.offset, message: "expected 'missing' after 'is'")
                }
                return .missing(column: column, negated: negated, offset: at)
            case "contains":
                return .contains(column: column, literal: try parseLiteral(), offset: at)
            default: break
            }
        default: break
        }
        throw RowFilterError(
            offset: opToken.offset,
            message: "expected a comparison (=, !=, <, <=, >, >=, in, not in, is missing, contains) after '\(column)' but found \(opToken.kind.display)")
    }

    mutating func parseLiteral() throws -> FilterLiteral {
        let token = try next("a value")
        switch token.kind {
        case let .text(t): return .text(t)
        case let .number(n): return .number(n)
        case let .word(w):
            throw RowFilterError(offset: token.offset, message: "expected a value but found the word '\(w)'; quote texts ('\(w)')")
        default:
            throw RowFilterError(offset: token.offset, message: "expected a value but found \(token.kind.display)")
        }
    }

    mutating func parseList() throws -> [FilterLiteral] {
        let open = try next("'['")
        guard open.kind == .openBracket else {
            throw RowFilterError(offset: open.offset, message: "expected '[' to start the list of values")
        }
        var values = [try parseLiteral()]
        while true {
            let token = try next("',' or ']'")
            if token.kind == .closeBracket { return values }
            guard token.kind == .comma else {
                throw RowFilterError(offset: token.offset, message: "expected ',' or ']' in the list of values but found \(token.kind.display)")
            }
            guard values.count < limits.maxListLength else {
                throw RowFilterError(
                    offset: open.offset,
                    message: "the list starting here has more than \(limits.maxListLength) values, the limit for an 'in' list: filter on a coarser column (a region rather than a list of postcodes)")
            }
            values.append(try parseLiteral())
        }
    }
}
