import Foundation

/// An RFC 4180 CSV reader over UTF-8 bytes: quoted fields with embedded commas, quotes ("") and
/// line breaks; CRLF or LF line ends; a UTF-8 byte-order mark is skipped. Each record carries the
/// line number where it starts, for error reports.
///
/// Hostile input stops the reader with a ``SyntaxError`` naming the line (never the value): bytes
/// that are not UTF-8, NUL and other control characters (tab is allowed anywhere, CR and LF only
/// inside quotes), and fields longer than ``maxFieldBytes``. Every CSV file Custos reads (ingest,
/// consent imports) goes through this one reader.
public struct CSVReader: Sequence, IteratorProtocol {
    public struct Record {
        public let line: Int
        public let fields: [String]
    }

    /// A structural error (unterminated quote, stray quote) at a line.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        /// Whether the error is a field longer than ``maxFieldBytes`` (a limit a caller may raise).
        public var exceedsFieldLimit = false
        public var description: String { "line \(line): \(reason)" }
    }

    /// The default limit on one field: far above any real name, address or item list.
    public static let defaultMaxFieldBytes = 64 * 1024

    private let bytes: [UInt8]
    private var position: Int
    private var line = 1
    /// Longest field accepted, in bytes.
    public let maxFieldBytes: Int
    public private(set) var error: SyntaxError?

    public init(bytes: [UInt8], maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes) {
        self.bytes = bytes
        self.maxFieldBytes = maxFieldBytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Why a field's bytes are refused, or nil. Tab is allowed; CR and LF only inside quotes.
    static func problem(in field: [UInt8], quoted: Bool, limit: Int) -> String? {
        if field.count > limit { return "a field is longer than \(limit) bytes (the limit on one field)" }
        for b in field where b < 0x20 || b == 0x7F {
            if b == 0x09 || (quoted && (b == 0x0A || b == 0x0D)) { continue }
            return b == 0 ? "a field contains a NUL byte" : String(format: "a field contains the control character 0x%02X", b)
        }
        if String(bytes: field, encoding: .utf8) == nil { return "a field is not valid UTF-8; save the file as UTF-8" }
        return nil
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
            let quoted = position < bytes.count && bytes[position] == 0x22
            if quoted {  // quoted field
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
                    error = SyntaxError(line: startLine, reason: "a quoted field starting on this line is never closed")
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
            if let problem = Self.problem(in: field, quoted: quoted, limit: maxFieldBytes) {
                error = SyntaxError(line: startLine, reason: "field \(fields.count + 1): \(problem)", exceedsFieldLimit: field.count > maxFieldBytes)
                return nil
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
