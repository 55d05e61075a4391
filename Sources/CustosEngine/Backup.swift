import CustosAudit
import CustosGovernance
import CustosCrypto
import CustosVault
import Foundation

/// What a Custos backup is: consistent copies of `data/vault.sqlite` (sealed records, registers,
/// settings) and `keys/keystore.sqlite` (data keys wrapped by the KEK), plus this manifest. It never
/// holds the KEK, the audit signing key or `audit/`: the KEK is escrowed apart (a backup opens only
/// where its KEK version exists), and the audit log is the record that outlives every restore — it
/// carries the erasure ledger, so erasures made after the backup are applied again on restore.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let formatName = "custos-backup 1"
    public var format = BackupManifest.formatName
    /// The workspace the backup belongs to (its settings' `workspace_id`).
    public var workspaceID: String
    /// When it was taken (ms since 1970).
    public var createdAt: Int64
    /// Audit tree size and root (base64) signed just before the copy.
    public var auditSize: UInt64
    public var auditRoot: String
    /// KEK versions the key store copy needs.
    public var kekVersions: [Int]
    /// Hex SHA-256 of each file, by name.
    public var files: [String: String]

    enum CodingKeys: String, CodingKey {
        case format, files
        case workspaceID = "workspace_id"
        case createdAt = "created_at"
        case auditSize = "audit_size"
        case auditRoot = "audit_root"
        case kekVersions = "kek_versions"
    }

    static let vaultFile = "vault.sqlite"
    static let keyStoreFile = "keystore.sqlite"
    static let manifestFile = "manifest.json"
}

/// What a restore did.
public struct RestoreOutcome: Sendable {
    public var manifest: BackupManifest
    /// Erasures made after the backup was taken, shredded again on open.
    public var erasuresReapplied: Int
}

extension Engine {
    static let backupCreate = AuditAction(rawValue: "backup.create") ?? .keyInit
    static let backupRestore = AuditAction(rawValue: "backup.restore") ?? .keyInit

    /// Writes a backup into `folder` (new or empty; outside the workspace), audited. `actor` must be
    /// an authenticated principal whose role may `backup` (the operator); refusals are audited.
    public func backup(to folder: URL, actor: Caller) throws -> BackupManifest {
        try authorize(actor, .backup, audited: Self.backupCreate)
        let fm = FileManager.default
        let target = folder.standardizedFileURL.resolvingSymlinksInPath()
        let root = workspace.root.standardizedFileURL.resolvingSymlinksInPath()
        guard !(target.path + "/").hasPrefix(root.path + "/") else {
            throw EngineError.invalidRequest("a backup inside the workspace would travel with what it backs up; choose a folder outside \(workspace.root.path)")
        }
        if fm.fileExists(atPath: target.path) {
            guard (try fm.contentsOfDirectory(atPath: target.path)).isEmpty else {
                throw EngineError.invalidRequest("\(target.path) is not empty; back up into a new or empty folder")
            }
            chmod(target.path, 0o700)
        } else {
            try fm.createDirectory(at: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let signed = try audit.checkpoint()
        try workspace.backupStore(to: target.appendingPathComponent(BackupManifest.vaultFile).path)
        try workspace.keys.snapshot(to: target.appendingPathComponent(BackupManifest.keyStoreFile).path)
        var files: [String: String] = [:]
        for name in [BackupManifest.vaultFile, BackupManifest.keyStoreFile] {
            files[name] = SHA256.hash([UInt8](try Data(contentsOf: target.appendingPathComponent(name)))).hexString
        }
        let manifest = BackupManifest(
            workspaceID: try workspace.settings.setting("workspace_id") ?? "", createdAt: AuditTimestamp.milliseconds(of: context.clock()),
            auditSize: signed.size, auditRoot: signed.rootHash.base64,
            kekVersions: try KeyHierarchy.kekVersions(ofKeyStoreAt: target.appendingPathComponent(BackupManifest.keyStoreFile).path), files: files)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(manifest).write(to: target.appendingPathComponent(BackupManifest.manifestFile))
        chmod(target.appendingPathComponent(BackupManifest.manifestFile).path, 0o600)
        try record(AuditEntry(time: context.clock(), actor: actor.principal, role: actor.role, action: Self.backupCreate, decision: .allow,
                              reason: "backup of the store and the key store (no KEK, no audit log)", policyVersion: policies.version,
                              details: ["audit_size": String(manifest.auditSize), "vault_sha256": files[BackupManifest.vaultFile] ?? "",
                                        "keystore_sha256": files[BackupManifest.keyStoreFile] ?? ""]))
        return manifest
    }

    /// Puts a backup of this workspace back and opens it: the files are checked against the manifest,
    /// the backup must belong to this workspace and be no newer than its audit log, and its KEK must be
    /// here. On open, every erasure recorded in the audit log since the backup is applied again.
    /// Nothing may hold the workspace open meanwhile.
    public static func restore(workspace root: URL, from folder: URL, passphrase: String? = nil, actor: Caller) throws -> RestoreOutcome {
        let fm = FileManager.default
        guard let data = fm.contents(atPath: folder.appendingPathComponent(BackupManifest.manifestFile).path),
              let manifest = try? JSONDecoder().decode(BackupManifest.self, from: data), manifest.format == BackupManifest.formatName
        else { throw EngineError.invalidRequest("\(folder.path) has no readable \(BackupManifest.manifestFile); it is not a Custos backup") }
        for (name, digest) in manifest.files {
            guard let bytes = fm.contents(atPath: folder.appendingPathComponent(name).path),
                  SHA256.hash([UInt8](bytes)).hexString == digest
            else { throw EngineError.invalidRequest("\(name) in the backup does not match its manifest (altered or incomplete); nothing was restored") }
        }
        // Belongs here, not newer than the log, and its KEK versions are present.
        do {
            let current = try Workspace.open(at: root, passphrase: passphrase)
            // Who restores is authenticated (and a refusal audited) before anything is replaced.
            let engine = try Engine.open(current)
            defer { try? engine.close() }
            try engine.authorize(actor, .backup, audited: backupRestore)
            guard try current.settings.setting("workspace_id") == manifest.workspaceID else {
                throw EngineError.invalidRequest("the backup belongs to another workspace; nothing was restored")
            }
            let size = try readOnlyAudit(current).latestCheckpoint()?.size ?? 0
            guard size >= manifest.auditSize else {
                throw EngineError.invalidRequest("the backup is newer than this audit log (\(manifest.auditSize) > \(size) entries); restore audit/ from its own copy first")
            }
        }
        for version in manifest.kekVersions where !fm.fileExists(atPath: root.appendingPathComponent("keys/kek-v\(version).key").path) {
            throw EngineError.invalidRequest("the backup's keys are wrapped under KEK v\(version), which this workspace no longer has (rotated away or not escrowed here); nothing was restored")
        }
        // Stage beside the live files, then rename over them (each rename is atomic).
        let placements = [(BackupManifest.vaultFile, "data/vault.sqlite", ["-wal", "-shm"]),
                          (BackupManifest.keyStoreFile, "keys/keystore.sqlite", ["-journal"])]
        for (name, path, sidecars) in placements {
            let live = root.appendingPathComponent(path)
            let staged = live.deletingLastPathComponent().appendingPathComponent(".\(live.lastPathComponent).restore")
            try? fm.removeItem(at: staged)
            try fm.copyItem(at: folder.appendingPathComponent(name), to: staged)
            chmod(staged.path, 0o600)
            for suffix in sidecars { try? fm.removeItem(at: URL(fileURLWithPath: live.path + suffix)) }
            guard rename(staged.path, live.path) == 0 else { throw EngineError.invalidRequest("cannot replace \(path) (errno \(errno))") }
        }
        let engine = try Engine.open(try Workspace.open(at: root, passphrase: passphrase))
        defer { try? engine.close() }
        let reapplied = engine.erasuresReappliedOnOpen
        try engine.record(AuditEntry(time: engine.context.clock(), actor: actor.principal, role: actor.role, action: backupRestore, decision: .allow,
                                     reason: "store and key store restored from a backup; later erasures re-applied", policyVersion: engine.policies.version,
                                     details: ["backup_audit_size": String(manifest.auditSize), "backup_created_at": String(manifest.createdAt),
                                               "erasures_reapplied": String(reapplied)]))
        return RestoreOutcome(manifest: manifest, erasuresReapplied: reapplied)
    }
}
