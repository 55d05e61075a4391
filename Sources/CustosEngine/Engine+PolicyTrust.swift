import CustosVault
import CustosAudit
import CustosGovernance
import Foundation

extension Engine {
    /// Settings that remember the policy set in force between opens.
    enum PolicySetting {
        static let summary = "policy_summary"
        static let signedAt = "policy_signed_at"
    }

    /// The verified signature of `policies`, or an audited refusal: a `policy.change` deny entry
    /// saying why, then the log is closed and the engine does not open.
    static func trustedSignature(of policies: PolicySet, in workspace: Workspace, previous: String?, log: AuditLog,
                                 clock: @Sendable () -> Date) throws -> PolicySignature {
        do {
            let signature = try workspace.verifyPolicies(version: policies.version)
            // A set signed before the one in force is an older bundle put back (a rollback).
            if previous != policies.version, let inForce = try workspace.settings.setting(PolicySetting.signedAt).flatMap(Int64.init),
               signature.timeMilliseconds < inForce {
                throw PolicyTrustError.olderThanInForce(signedAt: signature.timeMilliseconds, inForce: inForce)
            }
            return signature
        } catch let error as PolicyTrustError {
            let signer = (try? PolicySignature.read(directory: workspace.policiesDirectory)).flatMap { $0 }
            _ = try? log.append(AuditEntry(
                time: clock(), actor: Caller.localOperator.principal, role: "operator", action: .policyChange, decision: .deny,
                reason: error.description, policyVersion: policies.version,
                details: ["previous_version": previous ?? "none", "signer": signer?.signer ?? "none",
                          "signer_key": signer?.keyID ?? "none"]))
            try? log.close()
            throw EngineError.policiesUntrusted(error.description)
        }
    }

    /// Records a `policy.change` naming the signer and the rules, roles and principals added,
    /// removed or changed since the previous set, then remembers this set as the one in force.
    func recordPolicyChange(to policies: PolicySet, signedBy signature: PolicySignature, previous: String?) throws {
        let summary = try PolicySummary(policies, directory: workspace.policiesDirectory)
        let before = try workspace.settings.setting(PolicySetting.summary).map(PolicySummary.init(text:)) ?? PolicySummary()
        var details = summary.changes(since: before)
        details["previous_version"] = previous ?? "none"
        details["files"] = String(summary.files.count)
        details["signer_key"] = signature.keyID
        details["signed_at"] = String(signature.timeMilliseconds)
        details["recorded_by"] = Caller.localOperator.principal
        try record(AuditEntry(time: context.clock(), actor: signature.signer, role: "compliance_officer", action: .policyChange,
                              decision: .allow, reason: "policy set signed by \(signature.signer) (key \(signature.keyID)) came into force",
                              policyVersion: policies.version, details: details))
        try workspace.settings.setSetting("policy_version", policies.version)
        try workspace.settings.setSetting(PolicySetting.summary, summary.text)
        try workspace.settings.setSetting(PolicySetting.signedAt, String(signature.timeMilliseconds))
    }
}

extension Engine {
    /// Loads `policies/` again in a running service and puts it in force when it is signed by a
    /// pinned officer and not older than the set in force; audited like a change at open. Returns
    /// whether the version changed. A refused set leaves the one in force untouched (and audited).
    @discardableResult
    public func reloadPolicies() throws -> Bool {
        let policies = try PolicySet.load(directory: workspace.policiesDirectory)
        let previous = try workspace.settings.setting("policy_version")
        guard previous != policies.version else { return false }
        let signature: PolicySignature
        do {
            signature = try workspace.verifyPolicies(version: policies.version)
            if let inForce = try workspace.settings.setting(PolicySetting.signedAt).flatMap(Int64.init),
               signature.timeMilliseconds < inForce {
                throw PolicyTrustError.olderThanInForce(signedAt: signature.timeMilliseconds, inForce: inForce)
            }
        } catch let error as PolicyTrustError {
            try record(AuditEntry(time: context.clock(), actor: Caller.localOperator.principal, role: "operator", action: .policyChange,
                                  decision: .deny, reason: error.description, policyVersion: policies.version,
                                  details: ["previous_version": previous ?? "none", "in_force": previous ?? "none"]))
            throw EngineError.policiesUntrusted(error.description + "; the policies in force stay as they were")
        }
        try recordPolicyChange(to: policies, signedBy: signature, previous: previous)
        context.replacePolicies(with: policies)
        return true
    }
}
