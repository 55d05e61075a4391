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
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError(file: file, line: nil, message: "the file is empty")
            }
            return YAMLValue(node: node, file: file)
        } catch let error as YamlError {
            throw ConfigurationError(file: file, line: Self.line(of: error), message: "not valid YAML: \(Self.problem(of: error))")
        }
    }

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
