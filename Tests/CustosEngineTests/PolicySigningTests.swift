import CustosAudit
import CustosCrypto
@testable import CustosEngine
import CustosGovernance
import Foundation
import XCTest

extension Workspace {
    /// Signs the policies again with the officer `initialize` pinned: what a compliance officer does
    /// after reviewing an edit (test fixtures that rewrite policy files call this).
    func resignPoliciesForTests(time: Date = Date()) throws {
        guard let officer = initialPolicyOfficer else { throw EngineError.invalidRequest("no initial policy officer in this process") }
        try signPolicies(as: officer, time: time)
    }
}

/// Attacks on the policies by someone who can edit files in the workspace: the engine loads only a
/// policy set signed, unchanged since, by a compliance officer whose key was pinned at `init`.
final class PolicySigningTests: XCTestCase {
    func policies(_ ws: Workspace) -> URL { ws.policiesDirectory }

    /// Replaces `old` with `new` in a policy file.
    func edit(_ ws: Workspace, _ file: String, replacing old: String, with new: String) throws {
        let url = ws.policiesDirectory.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains(old), "\(file) contains \(old)")
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
    }

    /// The attack on principals.yaml: alice (an analyst) gains compliance_officer.
    func makeAliceAnOfficer(_ ws: Workspace) throws {
        try edit(ws, "principals.yaml", replacing: "name: Alice Andersson (BI team)\n    roles: [analyst]\n",
                 with: "name: Alice Andersson (BI team)\n    roles: [analyst, compliance_officer]\n")
    }

    /// Opening the engine is refused with `text` in the error, and the refusal is in the audit log.
    func assertOpenRefused(_ ws: Workspace, saying text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try AuditLogReader(directory: ws.auditDirectory).entries().count
        XCTAssertThrowsError(try Engine.open(ws), file: file, line: line) { error in
            guard case let EngineError.policiesUntrusted(reason) = error else { return XCTFail("expected untrusted policies, got \(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), reason, file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix("the policies were not loaded: "), "\(error)", file: file, line: line)
        }
        let entries = try AuditLogReader(directory: ws.auditDirectory).entries()
        XCTAssertEqual(entries.count, before + 1, "exactly the refusal was recorded", file: file, line: line)
        let refusal = try XCTUnwrap(entries.last, file: file, line: line)
        XCTAssertEqual(refusal.action, .policyChange, file: file, line: line)
        XCTAssertEqual(refusal.decision, .deny, file: file, line: line)
        XCTAssertTrue((refusal.reason ?? "").contains(text), refusal.reason ?? "", file: file, line: line)
    }

    /// A workspace whose engine opened once on the signed example policies.
    func openedWorkspace() throws -> Workspace {
        let ws = try makeWorkspace()
        try Engine.open(ws).close()
        return ws
    }

    // MARK: Edits without a signature

    func testRaisingEpsilonPerPeriodWithoutResigningIsRefusedAndAudited() throws {
        let ws = try openedWorkspace()
        try edit(ws, "rules/analytics.yaml", replacing: "epsilon_per_period: 8.0", with: "epsilon_per_period: 1000")
        try assertOpenRefused(ws, saying: "the policies changed after dana signed them")
        try assertOpenRefused(ws, saying: "custos policy sign")
    }

    func testAddingComplianceOfficerToAPrincipalWithoutResigningIsRefused() throws {
        let ws = try openedWorkspace()
        try makeAliceAnOfficer(ws)
        try assertOpenRefused(ws, saying: "changed after dana signed them")
    }

    func testDeletingTheSignatureIsRefused() throws {
        let ws = try openedWorkspace()
        try FileManager.default.removeItem(at: ws.policiesDirectory.appendingPathComponent(".signature"))
        try assertOpenRefused(ws, saying: "are not signed (policies/.signature is missing)")
    }

    func testAHiddenRuleFileOrASymlinkedRuleFileIsRefused() throws {
        let ws = try openedWorkspace()
        let rules = ws.policiesDirectory.appendingPathComponent("rules")
        // The loader reads rules/*.yaml, hidden ones too, while the manifest skips hidden files.
        try Data("rules: []\n".utf8).write(to: rules.appendingPathComponent(".extra.yaml"))
        try assertOpenRefused(ws, saying: "policies/rules/.extra.yaml is hidden or a symbolic link")
        XCTAssertThrowsError(try ws.resignPoliciesForTests(), "nor will it be signed")
        try FileManager.default.removeItem(at: rules.appendingPathComponent(".extra.yaml"))
        // A link to a file outside policies/, which the manifest does not follow.
        let outside = ws.root.deletingLastPathComponent().appendingPathComponent("\(ws.root.lastPathComponent)-outside.yaml")
        defer { try? FileManager.default.removeItem(at: outside) }
        try Data("rules: []\n".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(at: rules.appendingPathComponent("zz-linked.yaml"), withDestinationURL: outside)
        try assertOpenRefused(ws, saying: "policies/rules/zz-linked.yaml is hidden or a symbolic link")
    }

    // MARK: Signatures that must not count

    func testSigningWithAKeyThatIsNotPinnedIsRefused() throws {
        let ws = try openedWorkspace()
        try edit(ws, "rules/analytics.yaml", replacing: "epsilon_per_period: 8.0", with: "epsilon_per_period: 1000")
        // The attacker signs with their own key, claiming to be the pinned officer, then as themselves.
        for name in ["dana", "mallory"] {
            try PolicySignature.sign(directory: ws.policiesDirectory, signer: name, key: Curve25519.Signing.PrivateKey()).write(to: ws.policiesDirectory)
            try assertOpenRefused(ws, saying: "signed as '\(name)' with key")
            try assertOpenRefused(ws, saying: "which is not a pinned policy signer")
        }
    }

    func testAForgedSignatureUnderThePinnedKeyIsRefused() throws {
        let ws = try openedWorkspace()
        let genuine = try XCTUnwrap(try PolicySignature.read(directory: ws.policiesDirectory))
        try makeAliceAnOfficer(ws)
        // The pinned key and signer with the new version, but the old signature bytes.
        let forged = PolicySignature(version: try PolicyVersion.digest(directory: ws.policiesDirectory), signer: genuine.signer,
                                     publicKey: genuine.publicKey, timeMilliseconds: genuine.timeMilliseconds, signature: genuine.signature)
        try forged.write(to: ws.policiesDirectory)
        try assertOpenRefused(ws, saying: "does not verify")
    }

    func testPinningOnesOwnKeyByEditingThePinnedSignersIsRefused() throws {
        let ws = try openedWorkspace()
        let file = ws.keysDirectory.appendingPathComponent("policy-signers")
        let attacker = Curve25519.Signing.PrivateKey()
        var text = try String(contentsOf: file, encoding: .utf8)
        let mac = try XCTUnwrap(text.range(of: "mac "))
        text.insert(contentsOf: "signer mallory \(Data(try attacker.publicKey.rawRepresentation).base64EncodedString())\n", at: mac.lowerBound)
        try Data(text.utf8).write(to: file)
        try PolicySignature.sign(directory: ws.policiesDirectory, signer: "mallory", key: attacker).write(to: ws.policiesDirectory)
        try assertOpenRefused(ws, saying: "keys/policy-signers does not authenticate")
        try FileManager.default.removeItem(at: file)
        try assertOpenRefused(ws, saying: "no policy signers are pinned")
    }

    func testAnOlderSignedPolicySetPutBackIsRefused() throws {
        let ws = try openedWorkspace()
        let backup = ws.root.appendingPathComponent("exports/policies-backup")
        try FileManager.default.copyItem(at: ws.policiesDirectory, to: backup)
        // The officer lowers a limit and signs; the engine accepts the new set.
        try edit(ws, "rules/analytics.yaml", replacing: "epsilon_per_period: 8.0", with: "epsilon_per_period: 2.0")
        try ws.resignPoliciesForTests(time: Date().addingTimeInterval(60))
        try Engine.open(ws).close()
        // The attacker puts the earlier, validly signed set back.
        try FileManager.default.removeItem(at: ws.policiesDirectory)
        try FileManager.default.copyItem(at: backup, to: ws.policiesDirectory)
        try assertOpenRefused(ws, saying: "an older policy set was put back")
    }

    // MARK: A proper change

    func testAProperlySignedChangeIsAcceptedAndAuditedNamingTheSignerAndWhatChanged() throws {
        let ws = try openedWorkspace()
        try edit(ws, "rules/analytics.yaml", replacing: "epsilon_per_period: 8.0", with: "epsilon_per_period: 6.0")
        try makeAliceAnOfficer(ws)
        try ws.resignPoliciesForTests()
        let engine = try Engine.open(ws)
        defer { try? engine.close() }
        let change = try XCTUnwrap(try engine.audit.entries().last { $0.action == .policyChange })
        XCTAssertEqual(change.decision, .allow)
        XCTAssertEqual(change.actor, "dana", "the entry names the signer, not the operator who opened the engine")
        XCTAssertEqual(change.role, "compliance_officer")
        XCTAssertEqual(change.policyVersion, engine.policies.version)
        XCTAssertEqual(change.details["principals_changed"], "alice")
        XCTAssertEqual(change.details["rules_changed"], "analytics-dp-baseline,analytics-orders-dp", "the two rules whose text changed")
        XCTAssertEqual(change.details["files_changed"], "principals.yaml,rules/analytics.yaml")
        XCTAssertNil(change.details["rules_added"])
        XCTAssertEqual(change.details["signer_key"], try XCTUnwrap(try PolicySignature.read(directory: ws.policiesDirectory)).keyID)
        XCTAssertTrue(engine.policies.principals["alice"]?.holds("compliance_officer") ?? false, "the signed change is in force")
    }

    func testAnOfficerPinnedBesideTheFirstCanSign() throws {
        let ws = try openedWorkspace()
        let second = PolicyOfficer(id: "erin")
        let first = try XCTUnwrap(ws.initialPolicyOfficer)
        try ws.pinPolicySigners(try PolicySigners([.init(id: first.id, publicKey: try first.key.publicKey),
                                                   .init(id: second.id, publicKey: try second.key.publicKey)]))
        try edit(ws, "rules/analytics.yaml", replacing: "epsilon_per_period: 8.0", with: "epsilon_per_period: 7.0")
        try ws.signPolicies(as: second)
        let engine = try Engine.open(ws)
        XCTAssertEqual(try engine.audit.entries().last { $0.action == .policyChange }?.actor, "erin")
        try engine.close()
        XCTAssertEqual(try ws.pinnedPolicySigners().signers.map(\.id), ["dana", "erin"])
    }
}
