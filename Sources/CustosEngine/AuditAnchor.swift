import CustosAudit
import CustosCrypto
import CustosVault
import Foundation

/// The audit log's checkpoint anchor in the vault store's settings table: the latest signed
/// checkpoint, kept outside `audit/` so that deleting checkpoints or restoring an older `audit/` is
/// refused on open. (Whoever can also edit the store and holds the signing key can still forge an
/// unwitnessed tail; witness cosignatures close that gap.)
struct SettingsCheckpointAnchor: CheckpointAnchor {
    static let settingName = "audit_anchor"
    let settings: any SettingsStore

    var location: String { "data/vault.sqlite setting \(Self.settingName)" }

    func load() throws -> String? { try settings.setting(Self.settingName) }

    func store(_ signedNote: String) throws { try settings.setSetting(Self.settingName, signedNote) }
}

extension Engine {
    /// The audit log's origin for `workspace` (`custos.local/audit/<workspace id>`).
    static func auditOrigin(_ workspace: Workspace) throws -> String {
        "custos.local/audit/\(try workspace.settings.setting("workspace_id") ?? "workspace")"
    }

    /// The audit log of `workspace` for verification and other read-only commands: no signing key, no
    /// lock, nothing written; checked against the anchor in the store.
    public static func readOnlyAudit(_ workspace: Workspace) throws -> ReadOnlyAuditLog {
        let pem = try String(contentsOf: workspace.keysDirectory.appendingPathComponent("audit.pub"), encoding: .utf8)
        let key: Curve25519.Signing.PublicKey
        do {
            key = try Curve25519.Signing.PublicKey(pemRepresentation: pem)
        } catch {
            throw EngineError.auditUnavailable("keys/audit.pub is not a PEM Ed25519 public key")
        }
        return try ReadOnlyAuditLog(directory: workspace.auditDirectory, publicKey: key, origin: auditOrigin(workspace),
                                    anchor: SettingsCheckpointAnchor(settings: workspace.settings))
    }
}
