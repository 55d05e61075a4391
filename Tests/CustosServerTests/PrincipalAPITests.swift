import CustosAudit
import CustosClient
import CustosCrypto
import CustosEngine
import CustosGovernance
import CustosServer
import Foundation
import XCTest

/// Principal administration under the signed-policy rule: stage, sign, apply; the token once.
final class PrincipalAPITests: XCTestCase {
    /// Stages `change` and returns (change id, signed text, time) for the initial officer's key.
    func stage(_ server: ServerFixture, _ change: String, officer: PolicyOfficer) async throws -> (String, String, Int64) {
        let key = Data(try officer.key.publicKey.rawRepresentation).base64EncodedString()
        let body = change.dropLast() + #","signer":"\#(officer.id)","public_key":"\#(key)"}"#
        let staged = try await server.client("dana").send("POST", "/v1/principals/changes", json: Data(body.utf8)).decode([String: AnyJSON].self)
        return (try XCTUnwrap(staged["change_id"]?.string), try XCTUnwrap(staged["signed_text"]?.string), Int64(try XCTUnwrap(staged["time_ms"]?.number)))
    }

    func apply(_ server: ServerFixture, _ id: String, officer: PolicyOfficer, text: String, time: Int64, signWith key: Curve25519.Signing.PrivateKey? = nil) async -> (APIResponse?, APIProblem?) {
        do {
            let signature = try (key ?? officer.key).signature(for: Array(text.utf8))
            let body = #"{"signer":"\#(officer.id)","public_key":"\#(Data(try officer.key.publicKey.rawRepresentation).base64EncodedString())","time_ms":\#(time),"signature":"\#(Data(signature).base64EncodedString())"}"#
            return (try await server.client("dana").send("POST", "/v1/principals/changes/\(id)/apply", json: Data(body.utf8)), nil)
        } catch let problem as APIProblem {
            return (nil, problem)
        } catch {
            return (nil, APIProblem.other("\(error)"))
        }
    }

    func testListingShowsNoTokenHashes() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let listing = try await server.client("oscar").send("GET", "/v1/principals")
        XCTAssertTrue(listing.text.contains("\"alice\""))
        XCTAssertFalse(listing.text.contains("token"), "no token hash is listed")
        try server.assertAuditedRefusal(await server.client("alice").problem("GET", "/v1/principals"), 403)
        await server.stop()
    }

    func testADisabledPrincipalsTokenStopsWorkingAtOnce() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let officer = try XCTUnwrap(server.service.engine.workspace.initialPolicyOfficer)
        _ = try await server.client("alice").send("GET", "/v1/session")
        let (id, text, time) = try await stage(server, #"{"action":"disable","principal":"alice"}"#, officer: officer)
        let (applied, problem) = await apply(server, id, officer: officer, text: text, time: time)
        XCTAssertNil(problem)
        XCTAssertEqual(try applied?.decode([String: AnyJSON].self)["policy_version"], .string(server.service.engine.policies.version))
        let refused = await server.client("alice").problem("GET", "/v1/session")
        XCTAssertEqual(refused?.status, 401)
        XCTAssertTrue(try server.auditEntries().contains { $0.action == .policyChange && $0.decision == .allow })
        await server.stop()
    }

    func testANewPrincipalsTokenIsShownOnceAndWorks() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let officer = try XCTUnwrap(server.service.engine.workspace.initialPolicyOfficer)
        let (id, text, time) = try await stage(server, #"{"action":"add","principal":"nora","name":"Nora (BI)","roles":["analyst"]}"#, officer: officer)
        let (applied, _) = await apply(server, id, officer: officer, text: text, time: time)
        let token = try XCTUnwrap(try applied?.decode([String: AnyJSON].self)["token"]?.string)
        let principals = try String(contentsOf: server.root.appendingPathComponent("policies/principals.yaml"), encoding: .utf8)
        XCTAssertFalse(principals.contains(token), "only the hash is written")
        let session = try await server.client(token: token).send("GET", "/v1/session").decode([String: AnyJSON].self)
        XCTAssertEqual(session["principal"], .string("nora"))
        // The change is gone once applied.
        let (_, again) = await apply(server, id, officer: officer, text: text, time: time)
        XCTAssertEqual(again?.status, 404)
        await server.stop()
    }

    func testAChangeWithoutAValidSignatureIsRefusedAndPoliciesStayUnchanged() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let officer = try XCTUnwrap(server.service.engine.workspace.initialPolicyOfficer)
        let policies = server.root.appendingPathComponent("policies")
        let before = try PolicyVersion.digest(directory: policies)
        let signatureBefore = try Data(contentsOf: policies.appendingPathComponent(".signature"))
        let (id, text, time) = try await stage(server, #"{"action":"grant","principal":"alice","role":"compliance_officer"}"#, officer: officer)
        // Signed by a key that is not pinned, claiming the officer's public key.
        let (_, forged) = await apply(server, id, officer: officer, text: text, time: time, signWith: Curve25519.Signing.PrivateKey())
        XCTAssertEqual(forged?.status, 409)
        // The pinned key over other text (a different version).
        let (_, other) = await apply(server, id, officer: officer, text: text.replacingOccurrences(of: "version ", with: "version 0"), time: time)
        XCTAssertEqual(other?.status, 409)
        // A stranger key and an unknown signer.
        let stranger = PolicyOfficer(id: "mallory")
        let (_, unpinned) = await apply(server, id, officer: stranger, text: text.replacingOccurrences(of: officer.id, with: "mallory"), time: time)
        XCTAssertNotNil(unpinned)
        XCTAssertEqual(try PolicyVersion.digest(directory: policies), before)
        XCTAssertEqual(try Data(contentsOf: policies.appendingPathComponent(".signature")), signatureBefore)
        let notGranted = await server.client("alice", role: "compliance_officer").problem("GET", "/v1/session")
        XCTAssertEqual(notGranted?.status, 403)
        XCTAssertTrue(try server.entries(request: forged?.instance).contains { $0.action == .policyChange && $0.decision == .deny })
        // Wrong role, malformed JSON.
        try server.assertAuditedRefusal(await server.client("alice").problem("POST", "/v1/principals/changes", json: #"{"action":"disable","principal":"sam"}"#), 403)
        try server.assertAuditedRefusal(await server.client("dana").problem("POST", "/v1/principals/changes/\(id)/apply", json: "{"), 400)
        await server.stop()
    }
}
