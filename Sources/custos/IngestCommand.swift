import ArgumentParser
import CustosClient
import CustosEngine
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Clean, de-duplicate, resolve identities and seal a CSV or JSON Lines file into a dataset.",
        discussion: """
            By default a file is one batch: if any row is invalid nothing is stored. --skip-invalid stores the valid rows. \
            A file larger than --max-file-mb, a field longer than --max-field-kb or more than --max-rows-per-customer rows \
            for one customer is refused (the limits can be raised for one run). \
            Needs a principal whose role may ingest (e.g. --principal oscar --role operator, token in $CUSTOS_TOKEN). \
            With --server the file is streamed to POST /v1/datasets/{name}/ingest (.csv or .jsonl, \
            waiting for the ingest job) and the service's upload limit applies instead of the --max-* options.
            """)

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "Dataset name (declared in policies/datasets/).") var dataset: String
    @Argument(help: "CSV or JSON Lines file.", completion: .file()) var file: String
    @Flag(help: "Store valid rows and report the invalid ones instead of rejecting the batch.") var skipInvalid = false
    @OptionGroup var limits: InputLimitOptions

    func run() async throws {
        if let client = options.client(actor) {
            if limits.isSet {
                throw fail(CommandFailure("--max-file-mb, --max-field-kb and --max-rows-per-customer are local limits; with --server the "
                    + "service's limits apply (`custos serve --max-upload-mib`): drop them, or ask the operator"))
            }
            let url = URL(fileURLWithPath: file)
            guard FileManager.default.isReadableFile(atPath: url.path) else { throw fail(CommandFailure("cannot read \(file); check the path")) }
            let mediaType = try Self.mediaType(of: url)
            let json = try await withService {
                let started = try await client.upload("/v1/datasets/\(Remote.segment(dataset))/ingest" + Remote.query([("skip_invalid", skipInvalid ? "true" : nil)]),
                                                      file: url, contentType: mediaType, headers: [("Prefer", "wait=120")])
                return try await RemoteJob.finish(started, client: client, mediaType: "application/json")
            }
            guard let report = try? JSONDecoder().decode(RemoteReport.self, from: Data(json.utf8)) else {
                throw fail(CommandFailure("the service's ingest report is not the JSON this CLI reads; is it a Custos service of this version?"))
            }
            return print(report.summary(file: url.lastPathComponent))
        }
        try withEngine(options) { engine in
            let bar = ProgressBar(label: "ingest \(dataset)")
            defer { bar.finish() }
            let report = try engine.ingest(file: URL(fileURLWithPath: file), dataset: dataset,
                                           badRows: skipInvalid ? .skipAndReport : .rejectBatch, limits: limits.limits, actor: actor.actor,
                                           progress: bar.update)
            bar.finish()
            print(IngestSummary.text(report))
        }
    }
}

extension IngestCommand {
    /// The ingest job's JSON result (counts and reasons, never values).
    struct RemoteReport: Decodable {
        let dataset: String
        let rowsRead: Int, rowsAdded: Int, duplicates: Int, newSubjects: Int, mergedSubjects: Int, subjectsTouched: Int
        let skipped: [String]
        let outOfBounds: [String: Int]
        enum CodingKeys: String, CodingKey {
            case dataset, rowsRead = "rows_read", rowsAdded = "rows_added", duplicates, newSubjects = "new_subjects",
                 mergedSubjects = "merged_subjects", subjectsTouched = "subjects_touched", skipped, outOfBounds = "out_of_bounds"
        }

        /// The summary local mode prints, naming `file` as given (the service only saw its spool file);
        /// a skipped row's `line N: reason` becomes `file:N: reason` as locally.
        func summary(file: String) -> String {
            let rows = skipped.map { row -> String in
                guard row.hasPrefix("line "), let colon = row.firstIndex(of: ":") else { return row }
                return file + ":" + row[row.index(row.startIndex, offsetBy: 5)..<colon] + row[colon...]
            }
            return IngestSummary.text(dataset: dataset, file: file, rowsRead: rowsRead, rowsAdded: rowsAdded, duplicates: duplicates,
                                      newSubjects: newSubjects, subjectsTouched: subjectsTouched, mergedSubjects: mergedSubjects,
                                      outOfBounds: outOfBounds, skipped: rows)
        }
    }

    /// The upload's media type by extension, as local ingest reads it (.csv/.txt or .jsonl/.ndjson).
    static func mediaType(of file: URL) throws -> String {
        switch file.pathExtension.lowercased() {
        case "jsonl", "ndjson": return "application/x-ndjson"
        case "csv", "txt": return "text/csv"
        default: throw fail(CommandFailure("\(file.lastPathComponent): unknown format; use .csv or .jsonl"))
        }
    }
}

/// A progress bar on standard error, shown only when it is a terminal.
final class ProgressBar {
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1
    init(label: String) { self.label = label }

    func update(_ fraction: Double) {
        guard enabled else { return }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(fraction * 100))%".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
