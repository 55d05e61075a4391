import CustosBase
import CustosCrypto
import CustosSchema
import CustosVault
import Foundation

/// One rejected input row: where it is and why, never its values.
public struct RowProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { "\(file):\(line): \(reason)" }
}

/// What happens to a batch that has bad rows.
public enum BadRowPolicy: Sendable {
    /// The whole batch is rejected and nothing is stored (the default).
    case rejectBatch
    /// Good rows are stored; bad rows are skipped and reported.
    case skipAndReport
}

/// The result of ingesting one file.
public struct IngestReport: Sendable {
    public let dataset: String
    public let file: String
    public let outcome: IngestOutcome
    public let skipped: [RowProblem]
    /// Count of values outside the declared public bounds, per column (flagged, kept).
    public let outOfBounds: [String: Int]
    public let missingValues: Int
    public let sourceDigest: String
}

/// Ingest failures.
public enum IngestError: Error, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case badHeader(file: String, reason: String)
    case rejected(file: String, problems: [RowProblem], totalRows: Int)
    /// The file breaks one of the ``InputLimits`` (its size); nothing was read or stored.
    case tooLarge(file: String, reason: String)
    /// A consent import with invalid rows. It has no `--skip-invalid`: skipping a malformed
    /// withdrawal while storing the grant before it would leave consent in force that was withdrawn.
    case consentRejected(file: String, problems: [RowProblem], totalRows: Int)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .badHeader(file, reason): return "\(file): \(reason)"
        case let .tooLarge(file, reason): return "\(file): \(reason); nothing was stored"
        case let .rejected(file, problems, total):
            return """
                \(file): \(problems.count) of \(total) rows are invalid; nothing was stored (the batch commits whole or not at all).
                \(Self.list(problems))
                Fix the rows and run the ingest again, or pass --skip-invalid to store the valid rows and skip these.
                """
        case let .consentRejected(file, problems, total):
            return """
                \(file): \(problems.count) of \(total) consent records are invalid; nothing was stored (a consent import commits whole or not at all, so no withdrawal is ever skipped).
                \(Self.list(problems))
                Fix these rows (or remove them from the file) and import it again.
                """
        }
    }

    static func list(_ problems: [RowProblem]) -> String {
        let shown = problems.prefix(20).map { "  \($0)" }.joined(separator: "\n")
        return shown + (problems.count > 20 ? "\n  … and \(problems.count - 20) more" : "")
    }
}

/// Reads CSV or JSON Lines into typed rows, cleaning on the way, and seals them into the vault.
public struct IngestService {
    let vault: Vault

    public init(vault: Vault) { self.vault = vault }

    /// Parses `fileURL` (`.csv` or `.jsonl`/`.ndjson`) for `dataset` and stores it, within `limits`.
    public func ingest(
        file fileURL: URL, dataset: DatasetSchema, badRows: BadRowPolicy = .rejectBatch, limits: InputLimits = .standard,
        progress: ((Double) -> Void)? = nil
    ) throws -> IngestReport {
        let name = fileURL.lastPathComponent
        let format = fileURL.pathExtension.lowercased()
        guard ["jsonl", "ndjson", "csv", "txt"].contains(format) else {
            throw IngestError.unreadable(file: name, reason: "unknown format; use .csv or .jsonl")
        }
        let bytes = try limits.readFile(fileURL)
        var parsed: ParsedBatch
        if format == "csv" || format == "txt" {
            parsed = try parseCSV(bytes, dataset: dataset, file: name, limits: limits, progress: progress)
        } else {
            parsed = try parseJSONLines(bytes, dataset: dataset, file: name, limits: limits, progress: progress)
        }
        parsed.limitRowsPerCustomer(dataset: dataset, file: name, limits: limits)
        if !parsed.problems.isEmpty, badRows == .rejectBatch {
            throw IngestError.rejected(file: name, problems: parsed.problems, totalRows: parsed.rows.count + parsed.problems.count)
        }
        let digest = SHA256.hash(bytes)
        let outcome = try vault.ingest(parsed.rows, dataset: dataset, sourceDigest: digest)
        return IngestReport(dataset: dataset.name, file: name, outcome: outcome, skipped: parsed.problems,
                            outOfBounds: parsed.outOfBounds, missingValues: parsed.missing, sourceDigest: digest.hexString)
    }

    struct ParsedBatch {
        var rows: [IngestRow] = []
        var problems: [RowProblem] = []
        var outOfBounds: [String: Int] = [:]
        var missing = 0

        /// Moves every row beyond `maxRowsPerCustomer` for one identifier value (of any subject
        /// key column) to the problems, so the batch is rejected, or those rows skipped.
        mutating func limitRowsPerCustomer(dataset: DatasetSchema, file: String, limits: InputLimits) {
            let keys = dataset.subjectKeys.compactMap { dataset.index(of: $0) }
            var counts: [Int: [String: Int]] = [:]
            var kept: [IngestRow] = []
            kept.reserveCapacity(rows.count)
            var over: [RowProblem] = []
            for row in rows {
                var exceeds = false
                for key in keys {
                    guard case let .string(value) = row.values[key] else { continue }
                    let n = (counts[key]?[value] ?? 0) + 1
                    counts[key, default: [:]][value] = n
                    if n > limits.maxRowsPerCustomer { exceeds = true }
                }
                if exceeds {
                    over.append(RowProblem(file: file, line: row.line, reason: limits.rowsMessage))
                } else {
                    kept.append(row)
                }
            }
            guard !over.isEmpty else { return }
            rows = kept
            problems = (problems + over).sorted { $0.line < $1.line }
        }
    }

    /// Types and checks one row's raw fields (nil = absent column).
    func typeRow(_ raw: [String?], line: Int, dataset: DatasetSchema, file: String, into batch: inout ParsedBatch) {
        var values = [Value](repeating: .missing, count: dataset.columns.count)
        var reasons: [String] = []
        for (i, column) in dataset.columns.enumerated() {
            guard let text = raw[i] else { batch.missing += 1; continue }
            switch ValueParser.parse(text, column: column) {
            case let .success(value):
                values[i] = value
                if value.isMissing { batch.missing += 1 }
                if ValueParser.isOutOfBounds(value, column: column) { batch.outOfBounds[column.name, default: 0] += 1 }
            case let .failure(error):
                reasons.append(error.description)
            }
        }
        if reasons.isEmpty, !dataset.subjectKeys.contains(where: { key in dataset.index(of: key).map { !values[$0].isMissing } ?? false }) {
            reasons.append("no subject identifier: the row needs at least one of \(dataset.subjectKeys.joined(separator: ", "))")
        }
        if reasons.isEmpty {
            batch.rows.append(IngestRow(line: line, values: values))
        } else {
            batch.problems.append(RowProblem(file: file, line: line, reason: reasons.joined(separator: "; ")))
        }
    }

    func parseCSV(_ bytes: [UInt8], dataset: DatasetSchema, file: String, limits: InputLimits = .standard, progress: ((Double) -> Void)?) throws -> ParsedBatch {
        var reader = CSVReader(bytes: bytes, maxFieldBytes: limits.maxFieldBytes)
        guard let header = reader.next() else {
            if let error = reader.error { throw IngestError.badHeader(file: file, reason: "line \(error.line): \(limits.explain(error))") }
            throw IngestError.badHeader(file: file, reason: "the file is empty; expected a header row naming the columns")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var positions = [Int?](repeating: nil, count: dataset.columns.count)
        for (i, name) in names.enumerated() {
            guard let index = dataset.index(of: name) else {
                throw IngestError.badHeader(
                    file: file,
                    reason: "line 1: unknown column '\(name)'; dataset '\(dataset.name)' declares: \(dataset.columns.map(\.name).joined(separator: ", "))")
            }
            guard positions[index] == nil else { throw IngestError.badHeader(file: file, reason: "line 1: column '\(name)' appears twice") }
            positions[index] = i
        }
        var batch = ParsedBatch()
        var count = 0
        var raw = [String?](repeating: nil, count: dataset.columns.count)
        while let record = reader.next() {
            count += 1
            if count % 50_000 == 0 { progress?(reader.progress) }
            guard record.fields.count == names.count else {
                batch.problems.append(RowProblem(file: file, line: record.line,
                                                 reason: "expected \(names.count) fields, found \(record.fields.count)"))
                continue
            }
            // Undo the formula neutralisation Custos applies to every CSV it writes (lossless round trip).
            for c in 0..<raw.count { raw[c] = positions[c].map { CSVFormula.unescape(record.fields[$0]) } }
            typeRow(raw, line: record.line, dataset: dataset, file: file, into: &batch)
        }
        if let error = reader.error {
            batch.problems.append(RowProblem(file: file, line: error.line, reason: limits.explain(error)))
        }
        progress?(1)
        return batch
    }

    func parseJSONLines(_ bytes: [UInt8], dataset: DatasetSchema, file: String, limits: InputLimits = .standard, progress: ((Double) -> Void)?) throws -> ParsedBatch {
        var batch = ParsedBatch()
        var line = 0
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            line += 1
            defer { start = end + 1 }
            let slice = bytes[start..<end]
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            if line % 50_000 == 0 { progress?(Double(end) / Double(bytes.count)) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any] else {
                batch.problems.append(RowProblem(file: file, line: line, reason: "not a JSON object"))
                continue
            }
            if let unknown = object.keys.first(where: { dataset.index(of: $0) == nil }) {
                batch.problems.append(RowProblem(file: file, line: line, reason: "unknown field '\(unknown)' for dataset '\(dataset.name)'"))
                continue
            }
            var raw = [String?](repeating: nil, count: dataset.columns.count)
            var bad: String?
            for (key, value) in object {
                guard let index = dataset.index(of: key) else { continue }
                switch value {
                case is NSNull: raw[index] = ""
                case let s as String: raw[index] = s
                case let n as NSNumber:
                    if String(cString: n.objCType) == "c" { bad = "field '\(key)' is a boolean" } else { raw[index] = n.stringValue }
                case let list as [Any]:
                    let items = list.compactMap { item -> String? in
                        if let s = item as? String { return s }
                        if let n = item as? NSNumber { return n.stringValue }
                        return nil
                    }
                    if items.count != list.count { bad = "field '\(key)' must be a list of strings or numbers" }
                    raw[index] = items.joined(separator: ";")
                default: bad = "field '\(key)' has an unsupported JSON type"
                }
            }
            if bad == nil, let index = raw.indices.first(where: { (raw[$0]?.utf8.count ?? 0) > limits.maxFieldBytes }) {
                bad = limits.fieldProblem(dataset.columns[index].name, bytes: raw[index]?.utf8.count ?? 0)
            }
            if let bad {
                batch.problems.append(RowProblem(file: file, line: line, reason: bad))
                continue
            }
            typeRow(raw, line: line, dataset: dataset, file: file, into: &batch)
        }
        progress?(1)
        return batch
    }
}
