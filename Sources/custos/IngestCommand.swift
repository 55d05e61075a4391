import ArgumentParser
import CustosEngine
import Foundation

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Clean, de-duplicate, resolve identities and seal a CSV or JSON Lines file into a dataset.",
        discussion: """
            By default a file is one batch: if any row is invalid nothing is stored. --skip-invalid stores the valid rows. \
            A file larger than --max-file-mb, a field longer than --max-field-kb or more than --max-rows-per-customer rows \
            for one customer is refused (the limits can be raised for one run). \
            Needs a principal whose role may ingest (e.g. --principal oscar --role operator, token in $CUSTOS_TOKEN).
            """)

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "Dataset name (declared in policies/datasets/).") var dataset: String
    @Argument(help: "CSV or JSON Lines file.", completion: .file()) var file: String
    @Flag(help: "Store valid rows and report the invalid ones instead of rejecting the batch.") var skipInvalid = false
    @OptionGroup var limits: InputLimitOptions

    func run() throws {
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
