/// RFC 4180 CSV writing, the one writer behind every CSV Custos produces (access and portability
/// exports, synthetic data): a field with a comma, quote, CR or LF, or with a leading or trailing
/// space, is quoted and its quotes doubled.
///
/// A field that a spreadsheet would evaluate (leading `=`, `+`, `-`, `@`, tab or CR) is neutralised
/// with a leading `'` (``CSVFormula``); `custos ingest` removes it again, so the round trip is lossless.
package struct CSVWriter: Sendable {
    /// What ends a record.
    package enum LineEnding: String, Sendable {
        /// `\r\n`, as RFC 4180 specifies (exports).
        case crlf = "\r\n"
        /// `\n` (synthetic data files).
        case lf = "\n"
    }

    /// The text written so far.
    package private(set) var text = ""
    /// Records appended so far (a header counts).
    package private(set) var records = 0
    /// What ends each record.
    package let lineEnding: LineEnding

    /// An empty document.
    package init(lineEnding: LineEnding = .crlf) { self.lineEnding = lineEnding }

    /// A document that starts with the record `header`.
    package init(lineEnding: LineEnding = .crlf, header: [String]) {
        self.init(lineEnding: lineEnding)
        append(header)
    }

    /// Appends one record.
    package mutating func append(_ fields: [String]) {
        text += Self.record(fields, lineEnding: lineEnding)
        records += 1
    }

    /// One field, quoted when needed.
    package static func field(_ raw: String) -> String {
        let text = CSVFormula.escape(raw)
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
            || text.hasPrefix(" ") || text.hasSuffix(" ")
        guard needsQuotes else { return text }
        var quoted = "\""
        // By scalar, so a quote followed by a combining mark is still doubled.
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    /// One record with its line ending.
    package static func record(_ fields: [String], lineEnding: LineEnding = .crlf) -> String {
        fields.map(field).joined(separator: ",") + lineEnding.rawValue
    }
}
