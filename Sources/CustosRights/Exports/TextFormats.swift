import CustosBase
import CustosSchema

/// CSV exports: RFC 4180 through CustosBase's one writer, CRLF line endings.
enum CSVText {
    /// A table: header of `columns`' names, then each row rendered with `Value.rendered(scale:)`.
    static func table(columns: [Column], rows: [[Value]]) -> String {
        var writer = CSVWriter(header: columns.map(\.name))
        for row in rows {
            writer.append(zip(columns, row).map { column, value in value.rendered(scale: column.scale) })
        }
        return writer.text
    }
}

/// JSON text written by hand where key order matters (column order in JSON Lines).
enum JSONText {
    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The JSON form of a value for exports: null when missing, an array of strings for item
    /// lists, otherwise the rendered text as a string (decimals stay exact).
    static func value(_ value: Value, scale: Int) -> String {
        switch value {
        case .missing: return "null"
        case let .items(items): return "[" + items.map(string).joined(separator: ",") + "]"
        default: return string(value.rendered(scale: scale))
        }
    }

    /// One JSON object with `columns` as keys in order.
    static func object(columns: [Column], row: [Value]) -> String {
        "{" + zip(columns, row).map { column, value in string(column.name) + ":" + self.value(value, scale: column.scale) }
            .joined(separator: ",") + "}"
    }
}
