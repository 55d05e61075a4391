/// Spreadsheet-formula neutralisation for every CSV Custos writes (OWASP "CSV injection"): a cell
/// that begins with `=`, `+`, `-`, `@`, tab or carriage return is written with a leading `'`, so a
/// spreadsheet shows it as text instead of evaluating it (`=HYPERLINK(...)` in a customer's name
/// would otherwise become a live link in an access package).
///
/// The escape is reversible: a cell that already begins with `'` followed by such a character
/// (after any number of `'`) gets one more `'`, and ``unescape(_:)`` removes exactly one. Ingest
/// unescapes, so a value exported and ingested again is unchanged.
package enum CSVFormula {
    /// Characters that make a spreadsheet treat a cell as a formula.
    static let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// True when `text` would be escaped: it starts with a trigger, possibly after leading `'`s.
    static func needsEscape(_ text: Substring.UnicodeScalarView) -> Bool {
        guard let first = text.first(where: { $0 != "'" }) else { return false }
        return triggers.contains(first)
    }

    /// The cell as written to a CSV file.
    package static func escape(_ text: String) -> String {
        needsEscape(Substring(text).unicodeScalars) ? "'" + text : text
    }

    /// The cell as it was before ``escape(_:)`` (other text is returned unchanged).
    package static func unescape(_ text: String) -> String {
        guard text.unicodeScalars.first == "'" else { return text }
        let rest = Substring(text).dropFirst()
        return needsEscape(rest.unicodeScalars) ? String(rest) : text
    }
}
