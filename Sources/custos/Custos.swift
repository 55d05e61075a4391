import ArgumentParser
import CustosEngine
import Foundation

@main
struct Custos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custos",
        abstract: "Privacy-first customer-data mining: encrypted at rest, policy-checked, audited.",
        discussion: """
            With --server URL (or $CUSTOS_SERVER) the CLI is a client of `custos serve`: data commands call its /v1 API \
            with the bearer token from $CUSTOS_TOKEN (or --token) and never open keys/ or data/; output formats are the \
            same. Without a server configured, commands act on the workspace in the current folder, --workspace DIR or \
            $CUSTOS_WORKSPACE, as before. With a server configured, --local is the audited break-glass: it opens the \
            workspace directly, needs the KEK passphrase (--passphrase-file or $CUSTOS_PASSPHRASE) and is recorded as \
            breakglass.access naming your OS account and the command. init, serve and demo are always local.

            Commands that read or change data name a principal and role (--principal, --role). Start with `custos demo` \
            for the whole story: it serves a fresh workspace on a loopback port and drives it through the API.

            Shell completion: custos --generate-completion-script bash|zsh|fish
            """,
        version: CustosVersion.current,
        subcommands: [InitCommand.self, GenerateCommand.self, IngestCommand.self, ConsentCommand.self, StatsCommand.self, CubeCommand.self, MineCommand.self, PolicyCommand.self,
                      AuditCommand.self, BudgetCommand.self, DSRCommand.self, ReportCommand.self, KeysCommand.self, BackupCommand.self, RestoreCommand.self, PrincipalCommand.self, DemoCommand.self,
                      ServeCommand.self]
    )

    /// `--server URL` and `--token T` are global: given before the command (`custos --server URL mine …`)
    /// they apply to it as $CUSTOS_SERVER and $CUSTOS_TOKEN would; after it they are the command's own.
    static func main() async {
        await main(GlobalOptions.extract(Array(CommandLine.arguments.dropFirst())))
    }
}

/// The options that may come before the command name.
enum GlobalOptions {
    static let variables = ["--server": "CUSTOS_SERVER", "--token": "CUSTOS_TOKEN"]

    /// The arguments without the leading global options, whose values go to the environment.
    static func extract(_ arguments: [String]) -> [String] {
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--") {
            let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
            guard let variable = variables[parts[0]] else { break }
            let value: String
            if parts.count == 2 {
                value = parts[1]
                rest = rest.dropFirst()
            } else {
                // Without a value, leave it for the parser to report.
                guard rest.count >= 2 else { break }
                value = rest[rest.startIndex + 1]
                rest = rest.dropFirst(2)
            }
            setenv(variable, value, 1)
        }
        return Array(rest)
    }
}

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace folder (default: $CUSTOS_WORKSPACE or the current directory).", completion: .directory)
    var workspace: String?

    @Option(name: .long, help: "File holding the passphrase of a passphrase-protected key (default: $CUSTOS_PASSPHRASE).", completion: .file())
    var passphraseFile: String?

    @Option(help: ArgumentHelp("Call this Custos service instead of opening the workspace (default: $CUSTOS_SERVER).",
                               valueName: "url"))
    var server: String?

    @Flag(help: "Break-glass: open the workspace directly although a server is configured (needs the KEK passphrase; audited).")
    var local = false

    var url: URL { Workspace.resolve(workspace) }

    /// The service commands call: --server, else a non-empty $CUSTOS_SERVER, else none (local mode).
    var configuredServer: String? {
        if let server, !server.isEmpty { return server }
        if let server = ProcessInfo.processInfo.environment["CUSTOS_SERVER"], !server.isEmpty { return server }
        return nil
    }

    func passphrase() throws -> String? {
        if let passphraseFile {
            guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8) else {
                throw ValidationError("cannot read the passphrase file \(passphraseFile)")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        return ProcessInfo.processInfo.environment["CUSTOS_PASSPHRASE"]
    }

    /// Opens the workspace in this process: refused while a server is configured unless `--local`.
    func open() throws -> Workspace {
        _ = try authorizeLocalAccess()
        return try Workspace.open(at: url, passphrase: passphrase())
    }
}
