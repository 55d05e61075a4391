import ArgumentParser
import CustosEngine
import Foundation

/// How a result or report is written.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Plain text for a terminal: tables for job results, a short summary for reports.
    case text
    /// Machine-readable JSON.
    case json
    /// A self-contained HTML page.
    case html

    /// Accepts `table`, the name job results used for text before there was one `--format`.
    init?(argument: String) {
        self.init(rawValue: argument == "table" ? "text" : argument)
    }

    /// The format a file name asks for: `.json` and `.txt` as named, anything else is a page.
    init(fileName: String) {
        switch URL(fileURLWithPath: fileName).pathExtension.lowercased() {
        case "json": self = .json
        case "txt", "text": self = .text
        default: self = .html
        }
    }
}

/// The one `--format` / `--output` pair of every command that produces a result or report.
///
/// A terminal gets text by default; HTML is written only when asked for with `--format html` or
/// when `--output FILE` names a file (whose extension picks the format unless `--format` does).
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Output format (default: text, or as the --output file's extension says: .json, .txt, otherwise html).",
        valueName: "format"))
    var format: OutputFormat?

    @Option(help: ArgumentHelp("Write the result to this file instead of standard output.", valueName: "file"),
            completion: .file())
    var output: String?

    @Flag(help: "Overwrite the --output file if it exists.")
    var force = false

    func validate() throws {
        if let output, output.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--output needs a file name")
        }
    }

    /// The format to render: `--format`, else the output file's extension, else text.
    var resolvedFormat: OutputFormat {
        format ?? output.map(OutputFormat.init(fileName:)) ?? .text
    }

    /// Refuses a bad --output before any work is done (a DP job's budget is spent once it runs).
    func checkDestination(workspace: URL) throws {
        guard let output else { return }
        do { try OutputPathGuard.check(URL(fileURLWithPath: output), workspace: workspace, force: force) } catch { throw fail(error) }
    }

    /// Writes `text` to the output file (saying so), or prints it. The file may not be inside the
    /// workspace's keys/, data/, audit/ or policies/, and an existing file is overwritten only with --force.
    func emit(_ text: String, workspace: URL) throws {
        guard let output else { return print(text) }
        let url = URL(fileURLWithPath: output)
        do {
            try OutputPathGuard.check(url, workspace: workspace, force: force)
        } catch {
            throw fail(error)
        }
        do {
            try Data(text.utf8).write(to: url)
        } catch {
            throw fail(CommandFailure("cannot write \(output) (\(error.localizedDescription)); check that its folder exists and is writable"))
        }
        print("wrote \(output)")
    }
}
