import Foundation
import Yams

/// A problem in a YAML file under `policies/`, located by file and line so its author can fix it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// A YAML node together with the file it came from, with typed accessors that fail with the
/// file and line of the offending node. Policy and dataset loaders share it.
public struct YAMLValue {
    public let node: Node
    public let file: String

    public init(node: Node, file: String) {
        self.node = node
        self.file = file
    }

    /// Parses a whole YAML document.
    public static func parse(_ text: String, file: String) throws -> YAMLValue {
        // Policy files need neither anchors nor aliases, and an alias bomb used as a mapping key
        // takes exponential time inside the YAML library: refuse them before parsing, with the line.
        guard text.utf8.count <= maxFileBytes else {
            throw ConfigurationError(file: file, line: nil, message: "the file is larger than \(maxFileBytes / 1024) KiB, the limit for one policy file")
        }
        if let line = firstAnchorOrAlias(in: Array(text.utf8)) {
            throw ConfigurationError(file: file, line: line,
                                     message: "YAML anchors (&name) and aliases (*name) are not allowed in policy files; write the value out (quote a literal * or &)")
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError(file: file, line: nil, message: "the file is empty")
            }
            return YAMLValue(node: node, file: file)
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            throw duplicateKeyError(duplicates, first: context.mark, in: text, file: file)
        } catch let error as YamlError {
            throw ConfigurationError(file: file, line: Self.line(of: error), message: "not valid YAML: \(Self.problem(of: error))")
        }
    }

    /// A key given twice in one mapping (YAML would silently keep one of them, so a reviewer could
    /// read one value while the engine enforced the other). Names the key and both lines.
    static func duplicateKeyError(_ duplicates: [String], first: Mark, in text: String, file: String) -> ConfigurationError {
        let key = duplicates.first ?? "?"
        let again = repeatedKeyLine(key, after: first, in: text)
        let lines = again.map { "lines \(first.line) and \($0)" } ?? "line \(first.line)"
        let others = duplicates.count > 1 ? " (also repeated: \(duplicates.dropFirst().map { "'\($0)'" }.joined(separator: ", ")))" : ""
        return ConfigurationError(
            file: file, line: again ?? first.line,
            message: "the key '\(key)' appears twice in the same mapping (\(lines))\(others); keep one and merge the values into it")
    }

    /// The first later line holding `key` at the same column as its first occurrence, with only
    /// spaces before it: in a block mapping that is the repeat (a sibling mapping's keys come only
    /// after this one ends). Nil for flow mappings (`{a: 1, a: 2}`), whose repeat shares the line.
    static func repeatedKeyLine(_ key: String, after first: Mark, in text: String) -> Int? {
        // Bytes, not Characters: Swift reads "\r\n" as one Character, so splitting text on "\n"
        // would miss CRLF lines. The prefix is spaces, so the column counts bytes.
        let column = first.column - 1
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.utf8) }
        var number = 0
        for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            guard number > first.line else { continue }
            let line = raw.last == 0x0D ? raw.dropLast() : raw[...]
            guard line.count > column, line.prefix(column).allSatisfy({ $0 == 0x20 }) else { continue }
            let rest = line.dropFirst(column)
            for spelling in spellings where rest.starts(with: spelling) {
                if rest.dropFirst(spelling.count).drop(while: { $0 == 0x20 || $0 == 0x09 }).first == 0x3A { return number }
            }
        }
        return nil
    }

    /// The largest policy file accepted.
    public static let maxFileBytes = 1 << 20

    /// The 1-based line of the first anchor or alias outside quotes, comments and block scalars.
    static func firstAnchorOrAlias(in bytes: [UInt8]) -> Int? {
        var line = 1
        var quote: UInt8? = nil
        var blockIndent: Int? = nil
        var index = 0
        while index < bytes.count {
            // One line: [index, end)
            var end = index
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var lineBytes = Array(bytes[index..<end])
            if lineBytes.last == 0x0D { lineBytes.removeLast() }
            let indent = lineBytes.prefix { $0 == 0x20 }.count
            let blank = lineBytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
            if let block = blockIndent, quote == nil, blank || indent > block {
                // Inside a block scalar (| or >): text, not YAML.
            } else {
                blockIndent = nil
                var previous: UInt8 = 0x20
                var i = 0
                var content: [UInt8] = []
                while i < lineBytes.count {
                    let c = lineBytes[i]
                    if let q = quote {
                        if q == 0x22 && c == 0x5C { i += 2; continue }  // \ escape in "…"
                        if c == q {
                            if q == 0x27 && i + 1 < lineBytes.count && lineBytes[i + 1] == 0x27 { i += 2; continue }  // '' in '…'
                            quote = nil
                        }
                    } else if c == 0x22 || c == 0x27 {
                        quote = c
                    } else if c == 0x23 && (previous == 0x20 || previous == 0x09) {
                        break  // comment
                    } else if (c == 0x26 || c == 0x2A), [0x20, 0x09, 0x5B, 0x7B, 0x2C, 0x2D, 0x3A].contains(previous),
                              i + 1 < lineBytes.count, ![0x20, 0x09, 0x2C, 0x5D, 0x7D].contains(lineBytes[i + 1]) {
                        return line
                    }
                    content.append(c)
                    previous = c
                    i += 1
                }
                // A block scalar starts after `|` or `>` (with chomping indicators) ending the line.
                let trimmed = content.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
                let tail = Array(trimmed.suffix(2))
                if quote == nil, let last = tail.last,
                   last == 0x7C || last == 0x3E || ((last == 0x2D || last == 0x2B) && [0x7C, 0x3E].contains(tail.first ?? 0)) {
                    blockIndent = indent
                }
            }
            line += 1
            index = end + 1
        }
        return nil
    }

    /// ``firstAnchorOrAlias(in:)`` over text, for tests.
    package static func firstAnchorOrAliasForTests(_ text: String) -> Int? { firstAnchorOrAlias(in: Array(text.utf8)) }

    /// Reads and parses a YAML file.
    public static func load(_ url: URL, displayName: String? = nil) throws -> YAMLValue {
        let name = displayName ?? url.lastPathComponent
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigurationError(file: name, line: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(text, file: name)
    }

    /// 1-based line of this node, when known.
    public var line: Int? { node.mark.map { $0.line } }

    /// An error located at this node.
    public func error(_ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, message: message)
    }

    /// Keys of a mapping node in file order.
    public var keys: [String] {
        guard case let .mapping(mapping) = node else { return [] }
        return mapping.keys.compactMap { $0.string }
    }

    /// The mapping's value for `key`, or nil when absent.
    public subscript(key: String) -> YAMLValue? {
        guard case let .mapping(mapping) = node, let value = mapping[key] else { return nil }
        return YAMLValue(node: value, file: file)
    }

    /// Line of `key` itself within this mapping (better than the value's line for messages).
    public func line(ofKey key: String) -> Int? {
        guard case let .mapping(mapping) = node else { return line }
        for (k, _) in mapping where k.string == key { return k.mark?.line }
        return line
    }

    /// The value for a required key.
    public func required(_ key: String) throws -> YAMLValue {
        guard let value = self[key] else { throw error("missing required key '\(key)'") }
        return value
    }

    /// This node as a non-empty string scalar.
    public func string() throws -> String {
        guard case let .scalar(scalar) = node else { throw error("expected a text value") }
        return scalar.string
    }

    public func string(_ key: String) throws -> String { try required(key).string() }

    public func optionalString(_ key: String) throws -> String? { try self[key]?.string() }

    /// This node as a boolean (`true`/`false`, `yes`/`no`).
    public func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false")
        }
    }

    public func optionalBool(_ key: String, default fallback: Bool) throws -> Bool {
        try self[key]?.bool() ?? fallback
    }

    /// This node as a number.
    public func double() throws -> Double {
        guard let value = Double(try string()) else { throw error("expected a number") }
        return value
    }

    public func optionalDouble(_ key: String) throws -> Double? { try self[key]?.double() }

    /// This node as an integer.
    public func int() throws -> Int {
        guard let value = Int(try string()) else { throw error("expected a whole number") }
        return value
    }

    public func optionalInt(_ key: String) throws -> Int? { try self[key]?.int() }

    /// This node as a sequence (a single scalar counts as a one-element list).
    public func list() throws -> [YAMLValue] {
        switch node {
        case let .sequence(sequence): return sequence.map { YAMLValue(node: $0, file: file) }
        case .scalar: return [self]
        default: throw error("expected a list")
        }
    }

    /// A list of strings for `key`, or `[]` when absent.
    public func stringList(_ key: String) throws -> [String] {
        guard let value = self[key] else { return [] }
        return try value.list().map { try $0.string() }
    }

    /// Fails if the mapping has keys outside `allowed`: catches typos such as `colums:`.
    public func checkKeys(_ allowed: Set<String>) throws {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping of keys to values") }
        for (key, _) in mapping {
            let name = key.string ?? "?"
            if !allowed.contains(name) {
                throw ConfigurationError(
                    file: file, line: key.mark?.line,
                    message: "unknown key '\(name)'; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _):
            return problem
        default:
            return "the document could not be parsed"
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
