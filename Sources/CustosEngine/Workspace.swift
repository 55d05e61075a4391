import CustosCrypto
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation
import Synchronization

/// A Custos workspace: `policies/`, `keys/`, `audit/`, `data/` (the encrypted store), `outbox/`
/// and `exports/` under one folder. Every command acts on one workspace. Open a workspace once per
/// process: several processes may share it, but two open handles in one process on the same SQLite
/// files defeat SQLite's per-process file locking.
public final class Workspace: Sendable {
    public let root: URL
    public let keys: KeyHierarchy
    /// The one SQLite database behind every store concern; the engine uses it only through the
    /// protocol views below (the seam for another backend).
    private let store: SQLiteRecordStore
    /// The sealed per-subject records.
    public var records: any RecordStore { store }
    /// The privacy-budget ledger (per principal and population).
    public var ledger: any BudgetLedgerStore { store }
    /// Workspace settings (id, policy version, audit anchor).
    public var settings: any SettingsStore { store }
    /// Registers of data-subject requests and their artefacts.
    public var registers: any RegisterStore { store }
    public let vault: Vault
    public let catalog: DatasetCatalog
    /// Mints and checks access grants; held only in memory, new for every process.
    let authority: GrantAuthority
    /// The policy officer `initialize` pinned and signed the policies with, in memory only (nil for
    /// a workspace opened later): `custos init` hands its key to the compliance officer.
    public var initialPolicyOfficer: PolicyOfficer? { policyOfficer.withLock { $0 } }
    /// Set once by `initialize`, after the workspace exists.
    private let policyOfficer = Mutex<PolicyOfficer?>(nil)

    public var policiesDirectory: URL { root.appendingPathComponent("policies") }
    public var keysDirectory: URL { root.appendingPathComponent("keys") }
    public var auditDirectory: URL { root.appendingPathComponent("audit") }
    public var dataDirectory: URL { root.appendingPathComponent("data") }
    public var outboxDirectory: URL { root.appendingPathComponent("outbox") }
    public var exportsDirectory: URL { root.appendingPathComponent("exports") }

    private init(root: URL, keys: KeyHierarchy) throws {
        self.root = root
        self.keys = keys
        catalog = try DatasetCatalog.load(directory: root.appendingPathComponent("policies/datasets"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // Created 0600 before SQLite opens it, so the store (and its WAL, which copies its mode) never is wider.
        let database = root.appendingPathComponent("data/vault.sqlite").path
        let fd = Foundation.open(database, O_WRONLY | O_CREAT, 0o600)
        if fd >= 0 { close(fd) }
        store = try SQLiteRecordStore(path: database)
        authority = GrantAuthority()
        vault = try Vault(store: store, keys: keys, authority: authority)
    }

    /// A consistent copy of the store at `path` (see `BackupManifest`).
    func backupStore(to path: String) throws { try store.snapshot(to: path) }

    /// The workspace folder named by `--workspace`, else `CUSTOS_WORKSPACE`, else the current directory.
    public static func resolve(_ explicit: String?) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit).standardizedFileURL }
        if let env = ProcessInfo.processInfo.environment["CUSTOS_WORKSPACE"], !env.isEmpty {
            return URL(fileURLWithPath: env).standardizedFileURL
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The example policies shipped with Custos (the repository's `policies/` folder).
    public static var bundledPolicies: URL? {
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("policies"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("policies"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("datasets").path) }
    }

    /// Creates a workspace: key hierarchy, data store, audit folder; copies example policies when
    /// the folder has none. Every folder and file gets an explicit mode whatever the umask
    /// (``WorkspacePermissions``): the folder itself first, 0700, so nothing inside is ever reachable
    /// by others while it is being made. Pins `policyOfficer` (default: a new key for the first
    /// compliance officer in `principals.yaml`) as the only policy signer and signs the policies with it.
    public static func initialize(at root: URL, passphrase: String? = nil, policiesFrom: URL? = nil,
                                  policyOfficer: PolicyOfficer? = nil) throws -> Workspace {
        let fm = FileManager.default
        try WorkspacePermissions.prepareRoot(root)
        let policies = root.appendingPathComponent("policies")
        if !fm.fileExists(atPath: policies.appendingPathComponent("datasets").path) {
            guard let source = policiesFrom ?? bundledPolicies else {
                throw VaultError.storage("no policies/ folder in the workspace and no example policies found; pass --policies DIR")
            }
            if fm.fileExists(atPath: policies.path) { try fm.removeItem(at: policies) }
            try fm.copyItem(at: source, to: policies)
        }
        let organisation = root.appendingPathComponent("organisation.yaml")
        if !fm.fileExists(atPath: organisation.path), let bundled = Organisation.bundled { try fm.copyItem(at: bundled, to: organisation) }
        for folder in ["audit", "outbox", "exports"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
        }
        let keys = try KeyHierarchy.create(in: root.appendingPathComponent("keys"), passphrase: passphrase)
        let workspace = try Workspace(root: root, keys: keys)
        try WorkspacePermissions.apply(to: root)
        let officer = policyOfficer ?? PolicyOfficer(id: initialOfficerID(policies: policies))
        try workspace.pinPolicySigners(try PolicySigners([.init(id: officer.id, publicKey: try officer.key.publicKey)]))
        try workspace.signPolicies(as: officer)
        workspace.policyOfficer.withLock { $0 = officer }
        return workspace
    }

    /// Opens an existing workspace; refuses one whose key files others can read, or whose folder,
    /// keys, policies, store or audit log another account could write (``WorkspacePermissionError``).
    public static func open(at root: URL, passphrase: String? = nil) throws -> Workspace {
        let keysURL = root.appendingPathComponent("keys")
        guard FileManager.default.fileExists(atPath: keysURL.appendingPathComponent("keystore.sqlite").path) else {
            throw VaultError.workspaceMissing(path: root.path)
        }
        try WorkspacePermissions.check(root: root)
        let keys = try KeyHierarchy.open(in: keysURL, passphrase: passphrase)
        let workspace = try Workspace(root: root, keys: keys)
        _ = try workspace.vault.resolveInterruptedRectifications()
        return workspace
    }
}

extension Workspace {
    /// Gives every enabled principal in the workspace's `policies/principals.yaml` a fresh random
    /// token (only its hash is written) and returns the tokens, once. `custos init` does this so
    /// that the example tokens documented in the repository never work in a real workspace. Right
    /// after `initialize`, the policies are signed again with the initial officer's key; otherwise
    /// the changed `principals.yaml` must be signed by an officer before the engine opens.
    public func issueFreshTokens() throws -> [(principal: String, roles: [String], token: String)] {
        let file = policiesDirectory.appendingPathComponent("principals.yaml")
        var directory = try PrincipalDirectory.load(file, displayName: "principals.yaml")
        var issued: [(String, [String], String)] = []
        for principal in directory.entries.values.sorted(by: { $0.id < $1.id }) where !principal.disabled {
            issued.append((principal.id, principal.roles, try directory.rotateToken(id: principal.id)))
        }
        try directory.write(to: file)
        if let officer = initialPolicyOfficer { try signPolicies(as: officer) }
        return issued
    }
}
