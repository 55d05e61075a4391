import ArgumentParser
import CustosEngine
import Foundation

@main
struct Custos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custos",
        abstract: "Privacy-first customer-data mining: encrypted at rest, policy-checked, audited.",
        discussion: """
            Every command acts on the workspace in the current folder, --workspace DIR or $CUSTOS_WORKSPACE. \
            Commands that read or change data name a principal and role (--principal, --role) and take the bearer token \
            from $CUSTOS_TOKEN. Start with `custos demo` for the whole story in a fresh workspace.

            Shell completion: custos --generate-completion-script bash|zsh|fish
            """,
        version: CustosVersion.current,
        subcommands: [InitCommand.self, GenerateCommand.self, IngestCommand.self, ConsentCommand.self, StatsCommand.self, CubeCommand.self, MineCommand.self, PolicyCommand.self,
                      AuditCommand.self, BudgetCommand.self, DSRCommand.self, ReportCommand.self, KeysCommand.self, BackupCommand.self, RestoreCommand.self, DemoCommand.self,
                      ServeCommand.self]
    )
}

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace folder (default: $CUSTOS_WORKSPACE or the current directory).", completion: .directory)
    var workspace: String?

    @Option(name: .long, help: "File holding the passphrase of a passphrase-protected key (default: $CUSTOS_PASSPHRASE).", completion: .file())
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
