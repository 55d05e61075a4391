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
            let text = try await withService {
                let started = try await client.upload("/v1/datasets/\(Remote.segment(dataset))/ingest" + Remote.query([("skip_invalid", skipInvalid ? "true" : nil)]),
                                                      file: url, contentType: mediaType, headers: [("Prefer", "wait=120")])
                return try await RemoteJob.finish(started, client: client, mediaType: "text/plain")
            }
            return print(text)
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
