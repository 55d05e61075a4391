import Foundation

/// A minimal RFC 4180 reader for consent exports: comma-separated, fields optionally in double
/// quotes (a quote inside a quoted field is doubled), quoted fields may span lines, CRLF or LF line
/// ends, a UTF-8 byte-order mark is ignored. Each record remembers the line it starts on.
struct CSVTable {
    struct Record {
        let line: Int
        let fields: [String]
    }

    let header: [String]
    let records: [Record]

    struct Failure: Error {
        let line: Int
        let message: String
    }

    static func parse(_ text: String) throws -> CSVTable {
        var all: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteLine = 1
        var fieldStarted = false
        var afterQuote = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { all.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            fieldStarted = false
            afterQuote = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"":
                    guard !fieldStarted else {
                        throw Failure(line: line, message: "a quote appears inside an unquoted field; quote the whole field and double inner quotes")
                    }
                    inQuotes = true
                    quoteLine = line
                    fieldStarted = true
                case ",":
                    fields.append(field)
                    field = ""
                    fieldStarted = false
                    afterQuote = false
                case "\r":
                    break
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    guard !afterQuote else {
                        throw Failure(line: line, message: "text follows a closing quote; put a comma between fields")
                    }
                    field.unicodeScalars.append(c)
                    fieldStarted = true
                }
            }
            i += 1
        }
        if inQuotes { throw Failure(line: quoteLine, message: "a quoted field starting on this line is never closed") }
        if fieldStarted || !fields.isEmpty { endRecord() }
        guard let first = all.first else { throw Failure(line: 1, message: "the file is empty; the first line must name the columns") }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return CSVTable(header: header, records: Array(all.dropFirst()))
    }
}
