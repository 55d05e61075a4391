import ArgumentParser
import CustosClient
import CustosEngine
import Foundation

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the store and the key store, consistently, into a new folder outside the workspace.",
        discussion: """
            A backup holds data/vault.sqlite and keys/keystore.sqlite (data keys wrapped by the KEK) and a manifest \
            with their SHA-256 and the signed audit size. It holds no KEK, no signing key and no audit log: escrow \
            keys/kek-v*.key apart, and keep audit/ (with its witness) as the record that outlives every restore. \
            `custos restore` applies again every erasure the audit log recorded after the backup. Needs a principal \
            whose role may `backup` (e.g. --principal oscar --role operator, token in $CUSTOS_TOKEN). With --server \
            (POST /v1/backup) --to is an absolute folder on the service's host, written by the service.
            """)
    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: ArgumentHelp("New or empty folder outside the workspace.", valueName: "folder"), completion: .directory) var to: String

    /// What `POST /v1/backup` answers.
    struct Written: Decodable {
        let auditSize: UInt64
        let kekVersions: [Int]
        enum CodingKeys: String, CodingKey { case auditSize = "audit_size", kekVersions = "kek_versions" }
    }

    func run() async throws {
        if let client = options.client(actor) {
            guard to.hasPrefix("/") else {
                throw fail(CommandFailure("with --server, --to is a folder on the service's host: give its absolute path (outside the workspace)"))
            }
            let written = try await withService { try await client.post("/v1/backup", ["destination": to]).decode(Written.self) }
            return print("backup written to \(to): store and key store at audit size \(written.auditSize); KEK v\(written.kekVersions.map(String.init).joined(separator: ", v")) not included")
        }
        let manifest = try withEngine(options) { try $0.backup(to: URL(fileURLWithPath: to), actor: actor.actor) }
        print("backup written to \(to): store and key store at audit size \(manifest.auditSize); KEK v\(manifest.kekVersions.map(String.init).joined(separator: ", v")) not included")
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Put a backup back; erasures made since it was taken are applied again.",
        discussion: """
            Checks the files against the manifest, that the backup belongs to this workspace, is no newer than its \
            audit log and that its KEK version is here; then replaces data/vault.sqlite and keys/keystore.sqlite and \
            opens the workspace, which shreds again every customer erased after the backup. Stop every other \
            Custos process on the workspace first. Needs a principal whose role may `backup` (the operator).
            """)
    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: ArgumentHelp("Folder written by `custos backup`.", valueName: "folder"), completion: .directory) var from: String

    func run() throws {
        let outcome: RestoreOutcome
        _ = try options.authorizeLocalAccess()
        do {
            outcome = try Engine.restore(workspace: options.url, from: URL(fileURLWithPath: from), passphrase: options.passphrase(), actor: actor.actor)
        } catch {
            throw fail(error)
        }
        print("restored the backup taken at audit size \(outcome.manifest.auditSize); \(outcome.erasuresReapplied) erasures made since were applied again")
    }
}
