import CustosSchema
import Foundation

/// The data the subject provided, in a structured, machine-readable form (GDPR art. 20, PIPL
/// art. 45(3)): only columns with `providedBySubject`, per dataset as CSV and JSON Lines that
/// `custos ingest` (and other controllers) can read back.
///
/// - CSV (`<dataset>.csv`): RFC 4180, CRLF, header = the dataset's column names, values rendered
///   with `Value.rendered(scale:)` (ISO 8601 dates and timestamps, exact decimals, `;`-joined
///   items), which `ValueParser` parses back to the same values.
/// - JSON Lines (`<dataset>.jsonl`): one object per record, keys = column names in schema order,
///   values as the same rendered strings (item lists as arrays of strings, missing as null).
/// - `manifest.json`: datasets, columns, record counts, file digests, and datasets left out.
///
/// Rows whose provided columns are all empty are left out. Item lists whose items contain `;` or
/// `|` do not survive the round trip (the list separator); other text does, including commas,
/// quotes and line breaks. A dataset re-ingests only if its provided columns include one of its
/// subject keys; the manifest says when they do not.
public struct PortabilityExport: Sendable {
    /// The portability request answered.
    public let requestID: DataSubjectRequestID
    /// When the export was produced.
    public let generatedAt: Date
    /// The subject's data (all columns), sorted by dataset name.
    public let datasets: [SubjectDataset]

    /// An export of `datasets` (all columns given; the export keeps the provided ones).
    public init(requestID: DataSubjectRequestID, generatedAt: Date, datasets: [SubjectDataset]) throws {
        self.requestID = requestID
        self.generatedAt = generatedAt
        self.datasets = try SubjectDataset.ordered(datasets)
    }

    /// The columns of `schema` the subject provided.
    public static func portableColumns(of schema: DatasetSchema) -> [Column] {
        schema.columns.filter(\.providedBySubject)
    }

    struct Portion {
        let schema: DatasetSchema
        let columns: [Column]
        let rows: [[Value]]
    }

    /// Per dataset with provided columns: those columns and the non-empty projected rows.
    var portions: [Portion] {
        datasets.compactMap { dataset in
            let indices = dataset.schema.columns.indices.filter { dataset.schema.columns[$0].providedBySubject }
            guard !indices.isEmpty else { return nil }
            let rows = dataset.rows.map { row in indices.map { row[$0] } }.filter { !$0.allSatisfy(\.isMissing) }
            guard !rows.isEmpty else { return nil }
            return Portion(schema: dataset.schema, columns: indices.map { dataset.schema.columns[$0] }, rows: rows)
        }
    }

    /// `<dataset>.csv` for each dataset with provided data.
    public func csvFiles() -> [ExportFile] {
        portions.map { portion in
            ExportFile(name: "\(portion.schema.name).csv", mediaType: "text/csv; charset=utf-8",
                       text: CSVText.table(columns: portion.columns, rows: portion.rows))
        }
    }

    /// `<dataset>.jsonl` for each dataset with provided data.
    public func jsonLinesFiles() -> [ExportFile] {
        portions.map { portion in
            let text = portion.rows.map { JSONText.object(columns: portion.columns, row: $0) + "\n" }.joined()
            return ExportFile(name: "\(portion.schema.name).jsonl", mediaType: "application/x-ndjson", text: text)
        }
    }

    /// `manifest.json` describing `files` (pass the CSV and JSON Lines files).
    public func manifest(for files: [ExportFile]) throws -> ExportFile {
        struct Entry: Encodable {
            let dataset: String
            let columns: [String]
            let records: Int
            let reingestable: Bool
            let files: [String: String]
        }
        struct Manifest: Encodable {
            let kind = "data_portability_export"
            let request_id: String
            let generated_at: String
            let legal_basis = "GDPR art. 20; PIPL art. 45(3)"
            let formats = "CSV (RFC 4180, UTF-8, header = column names) and JSON Lines (UTF-8, one object per record)"
            let datasets: [Entry]
            let not_included: [String: String]
        }
        let digests = Dictionary(files.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        let portions = self.portions
        let included = Set(portions.map(\.schema.name))
        var notIncluded: [String: String] = [:]
        for dataset in datasets where !included.contains(dataset.schema.name) {
            notIncluded[dataset.schema.name] = Self.portableColumns(of: dataset.schema).isEmpty
                ? "holds no data you provided (observed or derived data is outside portability)"
                : "holds no records of data you provided"
        }
        let manifest = Manifest(
            request_id: requestID.rawValue, generated_at: VerificationResult.timestamp(generatedAt),
            datasets: portions.map { portion in
                let columnNames = portion.columns.map(\.name)
                let names = ["\(portion.schema.name).csv", "\(portion.schema.name).jsonl"]
                return Entry(
                    dataset: portion.schema.name, columns: columnNames, records: portion.rows.count,
                    reingestable: portion.schema.subjectKeys.contains(where: columnNames.contains),
                    files: Dictionary(names.compactMap { name in digests[name].map { (name, "sha256:" + $0) } }, uniquingKeysWith: { a, _ in a }))
            },
            not_included: notIncluded)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ExportFile(name: "manifest.json", mediaType: "application/json", contents: try encoder.encode(manifest))
    }

    /// The CSV files, the JSON Lines files and the manifest.
    public func allFiles() throws -> [ExportFile] {
        let data = csvFiles() + jsonLinesFiles()
        return data + [try manifest(for: data)]
    }
}
