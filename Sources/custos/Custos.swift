import ArgumentParser
import CustosEngine
import Foundation

@main
struct Custos: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custos",
        abstract: "Privacy-first customer-data mining: encrypted at rest, policy-checked, audited.",
        subcommands: [InitCommand.self, GenerateCommand.self, IngestCommand.self, ConsentCommand.self, StatsCommand.self, CubeCommand.self, MineCommand.self, PolicyCommand.self,
                      AuditCommand.self, BudgetCommand.self, DSRCommand.self, ReportCommand.self, KeysCommand.self, DemoCommand.self]
    )
}

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace folder (default: $CUSTOS_WORKSPACE or the current directory).")
    var workspace: String?

    @Option(name: .long, help: "File holding the passphrase of a passphrase-protected key (default: $CUSTOS_PASSPHRASE).")
    var passphraseFile: String?

    var url: URL { Workspace.resolve(workspace) }

    func passphrase() throws -> String? {
        if let passphraseFile {
            guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8) else {
                throw ValidationError("cannot read the passphrase file \(passphraseFile)")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        return ProcessInfo.processInfo.environment["CUSTOS_PASSPHRASE"]
    }

    func open() throws -> Workspace { try Workspace.open(at: url, passphrase: passphrase()) }
}

/// Prints a failure the way users should see it: what went wrong and what to do, then exits 1.
func fail(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode.failure
}
