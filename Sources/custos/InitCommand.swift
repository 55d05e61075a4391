import CustosSchema
import ArgumentParser
import CustosEngine
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a workspace: key hierarchy, audit key pair, data store, example policies.",
        discussion: "Prints a fresh bearer token per principal once; only their SHA-256 is stored. Keep keys/ apart from data backups.")

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Protect the key-encryption key with a passphrase (from --passphrase-file or $CUSTOS_PASSPHRASE).")
    var withPassphrase = false

    @Option(help: "Copy policies from this folder when the workspace has none (default: the shipped examples).", completion: .directory)
    var policies: String?

    @Option(help: ArgumentHelp(
        "Where to write the initial compliance officer's policy-signing key (PEM, mode 0600, outside the workspace; default: <workspace>-policy-officer.pem beside it).",
        valueName: "file"), completion: .file())
    var officerKey: String?

    func run() throws {
        let passphrase = try options.passphrase()
        if withPassphrase && passphrase == nil {
            throw ValidationError("--with-passphrase needs --passphrase-file or $CUSTOS_PASSPHRASE")
        }
        let keyFile = officerKey.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? options.url.deletingLastPathComponent().appendingPathComponent(options.url.lastPathComponent + "-policy-officer.pem")
        try OfficerKeyFile.checkDestination(keyFile, workspace: options.url)
        do {
            let workspace = try Workspace.initialize(at: options.url, passphrase: withPassphrase ? passphrase : nil,
                                                     policiesFrom: policies.map { URL(fileURLWithPath: $0) })
            let tokens = try workspace.issueFreshTokens()
            guard let officer = workspace.initialPolicyOfficer else { throw CommandFailure("init did not pin a policy signer") }
            try OfficerKeyFile.write(officer.key, to: keyFile)
            let engine = try Engine.open(workspace)
            try engine.recordInitialisation()
            try engine.close()
            print("Initialised Custos workspace at \(workspace.root.path)")
            print("  keys/      key-encryption key, wrapped data keys, audit key pair (mode 0600; back up separately from data/)")
            print("  policies/  \(workspace.catalog.datasets.count) datasets declared")
            print("  data/      encrypted record store (SQLite, WAL)")
            print("  audit/     tamper-evident log; verify with `custos audit verify` (public key: keys/audit.pub)")
            print("\nPolicies are signed by '\(officer.id)', the only pinned policy signer (keys/policy-signers). Their signing key is")
            print("  \(keyFile.path)")
            print("Hand it to that compliance officer and remove it from this host. After any policy edit, the engine refuses to")
            print("open until the officer signs: custos policy sign --key <that file> --signer \(officer.id)")
            print("\nFresh bearer tokens (shown once; only their SHA-256 is stored in policies/principals.yaml):")
            for entry in tokens { print("  \(entry.principal.padding(toLength: 16, withPad: " ", startingAt: 0)) \(entry.roles.joined(separator: ",").padding(toLength: 34, withPad: " ", startingAt: 0)) \(entry.token)") }
        } catch {
            throw fail(error)
        }
    }
}
