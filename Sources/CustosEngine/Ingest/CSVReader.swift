/// An RFC 4180 CSV reader over UTF-8 bytes: quoted fields with embedded commas, quotes ("") and
/// line breaks; CRLF or LF line ends; a UTF-8 byte-order mark is skipped. Each record carries the
/// line number where it starts, for error reports.
public struct CSVReader: Sequence, IteratorProtocol {
    public struct Record {
        public let line: Int
        public let fields: [String]
    }

    /// A structural error (unterminated quote, stray quote) at a line.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    private let bytes: [UInt8]
    private var position: Int
    private var line = 1
    public private(set) var error: SyntaxError?

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Fraction of the input consumed, for progress bars.
    public var progress: Double { bytes.isEmpty ? 1 : Double(position) / Double(bytes.count) }

    public mutating func next() -> Record? {
        guard error == nil else { return nil }
        // Skip blank lines between records.
        while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            if position < bytes.count, bytes[position] == 0x22 {  // quoted field
                position += 1
                var closed = false
                while position < bytes.count {
                    let b = bytes[position]
                    if b == 0x22 {
                        if position + 1 < bytes.count, bytes[position + 1] == 0x22 {
                            field.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 }
                    field.append(b)
                    position += 1
                }
                guard closed else {
                    error = SyntaxError(line: startLine, reason: "a quoted field is never closed")
                    return nil
                }
                if position < bytes.count, ![0x2C, 0x0A, 0x0D].contains(bytes[position]) {
                    error = SyntaxError(line: line, reason: "unexpected character after a closing quote")
                    return nil
                }
            } else {
                let start = position
                while position < bytes.count {
                    let b = bytes[position]
                    if b == 0x2C || b == 0x0A || b == 0x0D { break }
                    position += 1
                }
                field.append(contentsOf: bytes[start..<position])
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            if position >= bytes.count { break }
            let b = bytes[position]
            if b == 0x2C {
                position += 1
                if position >= bytes.count { fields.append(""); break }
                continue
            }
            // End of record: CRLF or LF.
            if b == 0x0D { position += 1 }
            if position < bytes.count, bytes[position] == 0x0A {
                position += 1
                line += 1
            }
            break
        }
        return Record(line: startLine, fields: fields)
    }
}
