import Foundation
/// The purposes an objection, restriction or consent withdrawal concerns, as purpose-key patterns
/// from the shared taxonomy: `marketing.email` names one purpose, `marketing.*` every purpose under
/// `marketing` (and `marketing` itself), `*` every purpose.
public struct ProcessingScope: Hashable, Sendable, Codable {
    /// The patterns, deduplicated and sorted.
    public let purposes: [String]

    /// A scope over `purposes`; throws when a pattern is malformed or the list is empty.
    public init(purposes: [String]) throws {
        let cleaned = Array(Set(purposes.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })).sorted()
        guard !cleaned.isEmpty else {
            throw RequestError.invalidScope("the scope names no purpose; give at least one purpose key such as marketing.* or *")
        }
        for pattern in cleaned where !Self.isWellFormed(pattern) {
            throw RequestError.invalidScope(
                "'\(pattern)' is not a purpose pattern; use dot-separated keys of a-z, 0-9, _ or -, optionally ending in .* (or * alone)")
        }
        self.purposes = cleaned
    }

    public init(from decoder: any Decoder) throws {
        let purposes = try decoder.singleValueContainer().decode([String].self)
        try self.init(purposes: purposes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(purposes)
    }

    /// Whether the purpose `key` (e.g. `marketing.email`) falls within this scope.
    public func covers(purpose key: String) -> Bool {
        let key = key.lowercased()
        return purposes.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasSuffix(".*") {
                let stem = String(pattern.dropLast(2))
                return key == stem || key.hasPrefix(stem + ".")
            }
            return key == pattern
        }
    }

    static func isWellFormed(_ pattern: String) -> Bool {
        if pattern == "*" { return true }
        var segments = pattern.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if segments.last == "*" { segments.removeLast() }
        guard !segments.isEmpty else { return false }
        return segments.allSatisfy { segment in
            !segment.isEmpty && segment.unicodeScalars.allSatisfy { s in
                ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-"
            }
        }
    }
}
