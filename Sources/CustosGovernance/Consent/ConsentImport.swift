import CustosBase
import CustosCrypto
import CustosSchema
import Foundation

/// A consent row that parsed and validated, waiting for the engine to resolve its customer
/// identifier to an internal subject id. The event's fields read directly on the row (`row.purpose`).
@dynamicMemberLookup
public struct ConsentImportRow: Sendable, Equatable {
    /// Line of the row in the imported file (1-based; the CSV header is line 1).
    public let line: Int
    /// The customer identifier as given (for example a customer number or an email address).
    /// Personal data: resolve it, do not log it.
    public let identifier: String
    /// What the row says was consented to or withdrawn, when and how.
    public let event: ConsentEvent

    /// A field of the event.
    public subscript<T>(dynamicMember field: KeyPath<ConsentEvent, T>) -> T { event[keyPath: field] }

    /// The consent record for the resolved subject.
    public func record(subject: String) -> ConsentRecord { ConsentRecord(subject: subject, event: event) }
}

/// A rejected consent row: its line and what is wrong, never its values.
public struct ConsentImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Line in the source file (1-based), for diagnostics.
    public let line: Int
    /// What is wrong and what to do.
    public let message: String

    /// Creates the value from its parts.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Rows that parsed and rows that did not. The engine decides whether to commit the good rows or
/// nothing (its documented batch rule).
public struct ConsentImportResult: Sendable {
    /// Rows that parsed, in file order.
    public let rows: [ConsentImportRow]
    /// Problems, each with its location.
    public let errors: [ConsentImportError]
}

/// Parses consent exports (from a consent-management platform, a shop backend or a paper form
/// scan) into consent rows. Fields, by name:
///
/// | field | required | meaning |
/// |---|---|---|
/// | *identifier column* (default `customer_id`) | yes | who consented; resolved by the engine |
/// | `purpose` | yes | purpose key |
/// | `action` | yes | `granted` or `withdrawn` (also `grant`, `given`, `opt_in`; `withdraw`, `revoked`, `opt_out`) |
/// | `notice_version` | yes | version of the notice shown |
/// | `time` | yes | ISO 8601 time of the consent event |
/// | `language` | yes | BCP 47 tag of the notice shown |
/// | `purpose_version` | no | defaults to the current version when `notice_version` is the current notice |
/// | `notice_sha256` | no | defaults to the current notice digest when `notice_version` is the current notice |
/// | `channel`, `collector` | no | default to the importer's defaults |
/// | `separate_consent` | no | `true`/`false`, default false |
public struct ConsentImporter: Sendable {
    /// The declared purposes.
    public let purposes: PurposeRegistry
    /// Name of the column holding the customer identifier.
    public let identifierField: String
    /// Channel recorded when a row gives none.
    public let defaultChannel: String
    /// Collector recorded when a row gives none.
    public let defaultCollector: String

    /// Creates the value from its parts.
    public init(purposes: PurposeRegistry, identifierField: String = "customer_id", defaultChannel: String = "import", defaultCollector: String = "consent-import") {
        self.purposes = purposes
        self.identifierField = identifierField.lowercased()
        self.defaultChannel = defaultChannel
        self.defaultCollector = defaultCollector
    }

    /// Parses a CSV export with a header row (text already in memory).
    public func parseCSV(_ text: String) -> ConsentImportResult { parseCSV(bytes: Array(text.utf8)) }

    /// Parses a CSV export with a header row, from the file's bytes (the one CSV reader of Custos:
    /// CRLF, BOM, invalid UTF-8, NUL and over-long fields handled there).
    /// `maxFieldBytes` bounds each field (a longer one is an error naming the limit).
    public func parseCSV(bytes: [UInt8], maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes) -> ConsentImportResult {
        var reader = CSVReader(bytes: bytes, maxFieldBytes: maxFieldBytes)
        var all: [CSVReader.Record] = []
        while let record = reader.next() { all.append(record) }
        if let error = reader.error {
            let hint = error.exceedsFieldLimit ? "; shorten it, or raise the limit with --max-field-kb" : ""
            return ConsentImportResult(rows: [], errors: [ConsentImportError(line: error.line, message: error.reason + hint)])
        }
        guard let first = all.first else {
            return ConsentImportResult(rows: [], errors: [ConsentImportError(line: 1, message: "the file is empty; it needs a header row")])
        }
        let table = (header: first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }, records: all.dropFirst())
        let missing = requiredFields.filter { !table.header.contains($0) }
        guard missing.isEmpty else {
            return ConsentImportResult(rows: [], errors: [ConsentImportError(line: 1, message: "the header lacks required column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")])
        }
        var rows: [ConsentImportRow] = []
        var errors: [ConsentImportError] = []
        for record in table.records {
            guard record.fields.count == table.header.count else {
                errors.append(ConsentImportError(line: record.line, message: "has \(record.fields.count) fields but the header has \(table.header.count)"))
                continue
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(table.header, record.fields) { fields[name] = CSVFormula.unescape(value.trimmingCharacters(in: .whitespaces)) }
            do { rows.append(try row(fields, line: record.line)) } catch let error as ConsentImportError { errors.append(error) } catch {
                errors.append(ConsentImportError(line: record.line, message: "\(error)"))
            }
        }
        return ConsentImportResult(rows: rows, errors: errors)
    }

    /// Parses JSON Lines (text already in memory).
    public func parseJSONLines(_ text: String) -> ConsentImportResult { parseJSONLines(bytes: Array(text.utf8)) }

    /// Parses JSON Lines: one JSON object per line; numbers and booleans may be JSON-typed. Lines are
    /// split on LF bytes with a trailing CR dropped, so CRLF files parse (a Swift `String` split on
    /// "\n" would not split "\r\n", which is one Character).
    /// `maxFieldBytes` bounds each field, as for CSV.
    public func parseJSONLines(bytes: [UInt8], maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes) -> ConsentImportResult {
        var rows: [ConsentImportRow] = []
        var errors: [ConsentImportError] = []
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        for (index, rawBytes) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let lineBytes = rawBytes.last == 0x0D ? rawBytes.dropLast() : rawBytes[...]
            guard let rawLine = String(bytes: lineBytes, encoding: .utf8), !rawLine.contains("\u{0}") else {
                errors.append(ConsentImportError(line: index + 1, message: "the line is not valid UTF-8 text (or contains NUL); save the file as UTF-8"))
                continue
            }
            let line = index + 1
            let trimmed = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(trimmed.utf8)) else {
                errors.append(ConsentImportError(line: line, message: "not a JSON object of text, number and true/false fields"))
                continue
            }
            if let key = object.first(where: { ($0.value.text?.utf8.count ?? 0) > maxFieldBytes })?.key {
                errors.append(ConsentImportError(
                    line: line, message: "field '\(key)' is longer than \(maxFieldBytes) bytes, the limit on one field: shorten it, or raise the limit with --max-field-kb"))
                continue
            }
            var fields: [String: String] = [:]
            for (key, value) in object {
                if let text = value.text { fields[key.lowercased()] = text.trimmingCharacters(in: .whitespaces) }
            }
            do { rows.append(try row(fields, line: line)) } catch let error as ConsentImportError { errors.append(error) } catch {
                errors.append(ConsentImportError(line: line, message: "\(error)"))
            }
        }
        return ConsentImportResult(rows: rows, errors: errors)
    }

    var requiredFields: [String] { [identifierField, "purpose", "action", "notice_version", "time", "language"] }

    static let granted: Set<String> = ["granted", "grant", "given", "opt_in", "opt-in"]
    static let withdrawn: Set<String> = ["withdrawn", "withdraw", "revoked", "opt_out", "opt-out"]

    func row(_ fields: [String: String], line: Int) throws -> ConsentImportRow {
        func fail(_ message: String) -> ConsentImportError { ConsentImportError(line: line, message: message) }
        func required(_ name: String) throws -> String {
            guard let value = fields[name], !value.isEmpty else { throw fail("\(name) is empty") }
            return value
        }
        let identifier = try required(identifierField)
        let key = try required("purpose")
        guard let purpose = purposes[key] else {
            throw fail("purpose '\(key)' is not declared in purposes.yaml")
        }
        let actionText = try required("action").lowercased()
        let action: ConsentAction
        if Self.granted.contains(actionText) {
            action = .granted
        } else if Self.withdrawn.contains(actionText) {
            action = .withdrawn
        } else {
            throw fail("action must be granted or withdrawn")
        }
        let noticeVersion = try required("notice_version")
        let isCurrentNotice = noticeVersion == purpose.notice.version
        let purposeVersion: Int
        if let text = fields["purpose_version"], !text.isEmpty {
            guard let v = Int(text), v >= 1, v <= purpose.version else {
                throw fail("purpose_version must be a whole number from 1 to \(purpose.version) (the current version of \(key))")
            }
            purposeVersion = v
        } else if isCurrentNotice {
            purposeVersion = purpose.version
        } else {
            throw fail("notice_version \(noticeVersion) is not the current notice of \(key) (\(purpose.notice.version)); give purpose_version and notice_sha256 for consents to older notices")
        }
        let digest: String
        if let text = fields["notice_sha256"], !text.isEmpty {
            guard let bytes = [UInt8](hexString: text), bytes.count == 32 else { throw fail("notice_sha256 must be 64 hex characters") }
            if isCurrentNotice && text.lowercased() != purpose.notice.sha256 {
                throw fail("notice_sha256 does not match the current notice text of \(key) (version \(noticeVersion)); check which text was shown")
            }
            digest = text.lowercased()
        } else if isCurrentNotice {
            digest = purpose.notice.sha256
        } else {
            throw fail("notice_sha256 is needed for notice_version \(noticeVersion), which is not the current notice of \(key)")
        }
        guard let time = ConsentTime.parse(try required("time")) else {
            throw fail("time is not an ISO 8601 time (expected YYYY-MM-DDThh:mm[:ss][Z|±hh:mm])")
        }
        let language = try required("language")
        guard language.range(of: #"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"#, options: .regularExpression) != nil else {
            throw fail("language must be a BCP 47 tag such as en, sv-SE or zh-Hans-CN")
        }
        var separate = false
        if let text = fields["separate_consent"], !text.isEmpty {
            switch text.lowercased() {
            case "true", "yes", "1": separate = true
            case "false", "no", "0": separate = false
            default: throw fail("separate_consent must be true or false")
            }
        }
        let channel = fields["channel"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultChannel
        let collector = fields["collector"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultCollector
        return ConsentImportRow(line: line, identifier: identifier, event: ConsentEvent(
            purpose: key, purposeVersion: purposeVersion, action: action, noticeVersion: noticeVersion, noticeSHA256: digest,
            language: language, time: time, channel: channel, collector: collector, separateConsent: separate))
    }
}

/// A JSON scalar field of a consent line, as text.
enum JSONScalar: Decodable {
    case text(String)
    case null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .text(b ? "true" : "false")
        } else if let i = try? c.decode(Int64.self) {
            self = .text(String(i))
        } else if let d = try? c.decode(Double.self) {
            self = .text(String(d))
        } else {
            self = .text(try c.decode(String.self))
        }
    }

    var text: String? {
        if case let .text(t) = self { return t }
        return nil
    }
}
