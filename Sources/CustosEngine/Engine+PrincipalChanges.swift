import CustosAudit
import CustosBase
import CustosCrypto
import CustosGovernance
import CustosVault
import Foundation

/// A change to `principals.yaml`. Under the signed-policy rule it comes into force only once a
/// pinned compliance officer signed the policy set it produces.
public enum PrincipalChange: Sendable, Equatable {
    case add(id: String, displayName: String, roles: [String], subject: String?)
    case disable(id: String)
    case enable(id: String)
    case grant(id: String, role: String)
    case revoke(id: String, role: String)
    case rotateToken(id: String)

    /// The principal the change is about.
    public var principal: String {
        switch self {
        case let .add(id, _, _, _), let .disable(id), let .enable(id), let .grant(id, _), let .revoke(id, _), let .rotateToken(id): return id
        }
    }

    /// Its kind, as the API names it.
    public var kind: String {
        switch self {
        case .add: return "add"
        case .disable: return "disable"
        case .enable: return "enable"
        case .grant: return "grant"
        case .revoke: return "revoke"
        case .rotateToken: return "rotate_token"
        }
    }
}

/// A principal change computed in a staging copy of `policies/`, waiting for an officer's signature.
/// A new token (add, rotate) lives only in this value, in memory: the staged file holds its hash.
public struct StagedPolicyChange: Sendable {
    public let id: String
    public let change: PrincipalChange
    /// The version of `policies/` the change was computed from; apply refuses if it moved since.
    public let baseVersion: String
    /// The version the change produces: what the officer signs.
    public let version: String
    /// The staging copy of `policies/`.
    public let folder: URL
    /// The new token, for `add` and `rotate_token` (shown once, after the change is applied).
    public let token: String?
}

extension Engine {
    /// Where staging copies of `policies/` wait for a signature (inside the service's private `tmp/`).
    var policyStagingDirectory: URL { workspace.root.appendingPathComponent("tmp").appendingPathComponent("policy-changes") }

    /// Computes `change` in a staging copy of `policies/` (owner-only), checks the staged set loads,
    /// and returns the version to sign. `policies/` itself is not touched.
    public func stagePrincipalChange(_ change: PrincipalChange) throws -> StagedPolicyChange {
        let fm = FileManager.default
        let id = "chg-" + SecureRandom.bytes(count: 16).hexString
        for folder in [policyStagingDirectory.deletingLastPathComponent(), policyStagingDirectory] {
            if mkdir(folder.path, 0o700) != 0 && errno != EEXIST {
                throw EngineError.invalidRequest("cannot create the policy staging folder; check the service may write its workspace")
            }
            chmod(folder.path, 0o700)
        }
        let folder = policyStagingDirectory.appendingPathComponent(id)
        let base = try PolicyVersion.digest(directory: workspace.policiesDirectory)
        try fm.copyItem(at: workspace.policiesDirectory, to: folder)
        do {
            let file = folder.appendingPathComponent("principals.yaml")
            var directory = try PrincipalDirectory.load(file)
            var token: String?
            switch change {
            case let .add(pid, name, roles, subject):
                token = try directory.add(id: pid, displayName: name, roles: roles, subject: subject, knownRoles: policies.roles)
            case let .disable(pid): try directory.disable(id: pid)
            case let .enable(pid): try directory.enable(id: pid)
            case let .grant(pid, role): try directory.grant(role: role, to: pid, knownRoles: policies.roles)
            case let .revoke(pid, role): try directory.revoke(role: role, from: pid)
            case let .rotateToken(pid): token = try directory.rotateToken(id: pid)
            }
            try directory.write(to: file)
            // The staged set must load as the service would load it, or no officer should be asked to sign it.
            _ = try PolicySet.load(directory: folder)
            return StagedPolicyChange(id: id, change: change, baseVersion: base, version: try PolicyVersion.digest(directory: folder),
                                      folder: folder, token: token)
        } catch {
            try? fm.removeItem(at: folder)
            if error is GovernanceError { throw EngineError.invalidRequest("\(error)") }
            throw error
        }
    }

    /// Puts a staged change in force: the signature must be valid, over the staged version, by a
    /// pinned signer, and `policies/` must not have moved since staging. Then `principals.yaml` and
    /// `.signature` are written (each atomically) and the set is reloaded (audited as
    /// `policy.change`). A refused signature is audited and leaves `policies/` untouched.
    public func applyStagedChange(_ staged: StagedPolicyChange, signature: PolicySignature, actor: Caller) throws {
        let current = try PolicyVersion.digest(directory: workspace.policiesDirectory)
        guard current == staged.baseVersion else {
            throw EngineError.invalidRequest("policies/ changed since this change was staged; stage it again and sign the new version")
        }
        do {
            guard signature.version == staged.version else {
                throw PolicyTrustError.malformedSignature("it signs version \(signature.version.prefix(12))…, not the staged \(staged.version.prefix(12))…")
            }
            guard signature.isValid else { throw PolicyTrustError.malformedSignature("the Ed25519 signature does not verify over the signed text") }
            guard try workspace.pinnedPolicySigners().signer(for: signature.publicKey)?.id == signature.signer else {
                throw PolicyTrustError.malformedSignature("key \(signature.keyID) is not pinned for signer '\(signature.signer)'")
            }
            if let inForce = try workspace.settings.setting(PolicySetting.signedAt).flatMap(Int64.init), signature.timeMilliseconds < inForce {
                throw PolicyTrustError.olderThanInForce(signedAt: signature.timeMilliseconds, inForce: inForce)
            }
        } catch let error as PolicyTrustError {
            try record(AuditEntry(time: context.clock(), actor: actor.principal, role: actor.role, action: .policyChange, decision: .deny,
                                  reason: error.description, policyVersion: policies.version,
                                  details: ["change": staged.change.kind, "principal": staged.change.principal, "staged_version": staged.version,
                                            "signer": signature.signer, "signer_key": signature.keyID]))
            throw EngineError.policiesUntrusted(error.description + "; policies/ is unchanged")
        }
        let bytes = [UInt8](try Data(contentsOf: staged.folder.appendingPathComponent("principals.yaml")))
        do {
            try AtomicFile.write(bytes, to: workspace.policiesDirectory.appendingPathComponent("principals.yaml").path, permissions: .exactly(0o640))
        } catch {
            throw EngineError.invalidRequest("cannot write policies/principals.yaml (\(error.operation) failed); check the service owns policies/")
        }
        try signature.write(to: workspace.policiesDirectory)
        discardStagedChange(staged)
        try reloadPolicies()
    }

    /// Removes a staging copy (applied, abandoned or expired).
    public func discardStagedChange(_ staged: StagedPolicyChange) {
        try? FileManager.default.removeItem(at: staged.folder)
    }
}
