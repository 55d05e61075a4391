/// Hard limits on a row filter, checked while it is parsed so that no filter that loads can
/// exhaust the stack or take long to check or evaluate. Every policy filter uses `standard`;
/// a filter that needs more is better written another way (`in [...]` instead of a chain of
/// `or` comparisons, or several permits).
public struct RowFilterLimits: Sendable, Equatable {
    /// Longest filter text, in UTF-8 bytes.
    public var maxTextBytes: Int
    /// Deepest nesting: each enclosing parenthesis and each `not` counts one level.
    public var maxDepth: Int
    /// Most conditions (comparisons, `in`, `is missing`, `contains`) in one filter.
    public var maxTerms: Int
    /// Longest literal (quoted text or number), in characters.
    public var maxLiteralLength: Int
    /// Most values in one `in [...]` list.
    public var maxListLength: Int

    /// Creates the value from its parts.
    public init(maxTextBytes: Int, maxDepth: Int, maxTerms: Int, maxLiteralLength: Int, maxListLength: Int) {
        self.maxTextBytes = maxTextBytes
        self.maxDepth = maxDepth
        self.maxTerms = maxTerms
        self.maxLiteralLength = maxLiteralLength
        self.maxListLength = maxListLength
    }

    /// The limits every policy row filter is held to.
    public static let standard = RowFilterLimits(maxTextBytes: 65_536, maxDepth: 32, maxTerms: 256, maxLiteralLength: 256, maxListLength: 1_024)
}
