import CustosCrypto
import CustosGovernance
import CustosVault
import Foundation

/// A compliance officer's policy-signing key (Ed25519) and principal id.
public struct PolicyOfficer: Sendable {
    public let id: String
    public let key: Curve25519.Signing.PrivateKey

    public init(id: String, key: Curve25519.Signing.PrivateKey = Curve25519.Signing.PrivateKey()) {
        self.id = id
        self.key = key
    }
}

extension Workspace {
    /// The label of the key that authenticates `keys/policy-signers`.
    static let policySignersKeyLabel = "custos/policy-signers/v1"

    /// The pinned policy signers from `keys/policy-signers`, authenticated under this workspace's keys.
    public func pinnedPolicySigners() throws -> PolicySigners {
        guard let bytes = try keys.readKeyFile(named: PolicySigners.fileName) else { throw PolicyTrustError.noSignersPinned }
        return try PolicySigners.parse(bytes, macKey: try keys.derivedKey(label: Self.policySignersKeyLabel))
    }

    /// Pins `signers` as the only keys whose signature makes a policy set loadable (replacing any
    /// pinned before). Needs the key hierarchy, so only someone holding the KEK can do it.
    public func pinPolicySigners(_ signers: PolicySigners) throws {
        let text = signers.rendered(macKey: try keys.derivedKey(label: Self.policySignersKeyLabel))
        try keys.writeKeyFile(named: PolicySigners.fileName, Array(text.utf8))
    }

    /// Signs the policies as they are now and writes `policies/.signature`.
    @discardableResult
    public func signPolicies(as officer: PolicyOfficer, time: Date = Date()) throws -> PolicySignature {
        let signature = try PolicySignature.sign(directory: policiesDirectory, signer: officer.id, key: officer.key, time: time)
        try signature.write(to: policiesDirectory)
        return signature
    }

    /// The signature of the policies, once it verifies under a pinned key for exactly `version`.
    public func verifyPolicies(version: String) throws -> PolicySignature {
        try PolicyTrust.verify(directory: policiesDirectory, currentVersion: version, signers: try pinnedPolicySigners())
    }

    /// The principal `init` pins as the first policy signer: the first enabled compliance officer
    /// in `policies/principals.yaml` (by id), else `initial-officer`.
    static func initialOfficerID(policies: URL) -> String {
        let directory = try? PrincipalDirectory.load(policies.appendingPathComponent("principals.yaml"))
        let officers = (directory.map { Array($0.entries.values) } ?? []).filter { !$0.disabled && $0.holds(StandardRole.complianceOfficer) }
        return officers.map(\.id).sorted().first { PolicySigners.isValidSignerID($0) } ?? "initial-officer"
    }
}
