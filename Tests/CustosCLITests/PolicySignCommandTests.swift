import CustosCrypto
import CustosGovernance
import Foundation
import XCTest

/// The signed-policy workflow through the built binary: `init` hands out the officer's key outside
/// the workspace, an unsigned edit stops every command that opens the engine, `policy sign` with the
/// pinned key lets it through, and a key `init` did not pin does not.
final class PolicySignCommandTests: XCTestCase {
    func testAnUnsignedEditStopsTheEngineUntilThePinnedOfficerSigns() throws {
        let ws = try CLIWorkspace()
        let key = ws.officerKey
        XCTAssertTrue(FileManager.default.fileExists(atPath: key.path), "init wrote the officer's key beside the workspace")
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o077, 0, "owner-only")
        XCTAssertEqual(try ws.run(["budget", "show"]).status, 0)

        // The attack: raise a limit by editing the file.
        let rules = ws.root.appendingPathComponent("policies/rules/analytics.yaml")
        let text = try String(contentsOf: rules, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "epsilon_per_period: 8.0", with: "epsilon_per_period: 1000").utf8).write(to: rules)
        let refused = try ws.run(["budget", "show"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("the policies were not loaded: the policies changed after dana signed them"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("custos policy sign"), refused.stderr)

        // A key that was never pinned signs: still refused.
        let stranger = ws.root.deletingLastPathComponent().appendingPathComponent("\(ws.root.lastPathComponent)-stranger.pem")
        defer { try? FileManager.default.removeItem(at: stranger) }
        try Data(try Curve25519.Signing.PrivateKey().pemRepresentation.utf8).write(to: stranger)
        XCTAssertEqual(try ws.run(["policy", "sign", "--key", stranger.path, "--signer", "dana"]).status, 0)
        let unpinned = try ws.run(["budget", "show"])
        XCTAssertEqual(unpinned.status, 1)
        XCTAssertTrue(unpinned.stderr.contains("which is not a pinned policy signer"), unpinned.stderr)

        // The pinned officer reviews and signs: the engine opens on the new set.
        let signed = try ws.run(["policy", "sign", "--key", key.path, "--signer", "dana"])
        XCTAssertEqual(signed.status, 0, signed.stderr)
        XCTAssertTrue(signed.stdout.hasPrefix("signed policies version \(try PolicyVersion.digest(directory: ws.root.appendingPathComponent("policies"))) as dana (key "),
                      signed.stdout)
        XCTAssertEqual(try ws.run(["budget", "show"]).status, 0)
    }

    func testInitRefusesToWriteTheOfficerKeyInsideTheWorkspace() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try CustosProcess.run(["init", "--workspace", root.path, "--officer-key", root.appendingPathComponent("keys/officer.pem").path])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("--officer-key must be outside the workspace"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("keys").path), "nothing was created")
    }
}
