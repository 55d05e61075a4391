import Foundation
import XCTest

/// `custos audit verify` and `custos audit witness` as an insider would attack them, through the binary
/// (issue "Trust hardening", audit section).
final class AuditTrustCommandTests: XCTestCase {
    private func fingerprint(_ directory: URL) throws -> [String: Data] {
        var out = [String: Data]()
        let base = directory.standardizedFileURL.path
        for case let relative as String in FileManager.default.enumerator(atPath: base) ?? FileManager.DirectoryEnumerator() {
            var isDirectory: ObjCBool = false
            let path = base + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return out
    }

    func testVerifyNeverSignsAForgedLogAndLeavesAuditByteIdentical() throws {
        let ws = try CLIWorkspace()
        let audit = ws.root.appendingPathComponent("audit")
        let good = try ws.run(["audit", "verify"])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        XCTAssertTrue(good.stdout.contains("anchored signed size (kept outside audit/): "), good.stdout)

        // The attack: delete every checkpoint and the saved state, then edit a line.
        let checkpoints = audit.appendingPathComponent("checkpoints")
        for name in try FileManager.default.contentsOfDirectory(atPath: checkpoints.path) {
            try FileManager.default.removeItem(at: checkpoints.appendingPathComponent(name))
        }
        try FileManager.default.removeItem(at: audit.appendingPathComponent("merkle-state.json"))
        let segment = audit.appendingPathComponent("segments/00000001.jsonl")
        var bytes = [UInt8](try Data(contentsOf: segment))
        let digit = try XCTUnwrap(bytes.firstIndex { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "8") })
        bytes[digit] += 1
        try Data(bytes).write(to: segment)
        let before = try fingerprint(audit)

        let verify = try ws.run(["audit", "verify"])
        XCTAssertEqual(verify.status, 1, verify.stdout)
        XCTAssertTrue(verify.stdout.hasPrefix("AUDIT LOG VERIFICATION FAILED"), verify.stdout)
        XCTAssertTrue(verify.stdout.contains("newer checkpoints were deleted or an older copy of audit/ was restored"),
                      verify.stdout)
        XCTAssertEqual(try fingerprint(audit), before, "audit verify wrote to audit/")

        // Any command that would write refuses and says what was lost and what to do.
        let write = try ws.run(["budget", "show"])
        XCTAssertEqual(write.status, 1)
        XCTAssertTrue(write.stderr.contains("records a signed checkpoint of"), write.stderr)
        XCTAssertTrue(write.stderr.contains("Restore audit/ from a backup"), write.stderr)
        XCTAssertEqual(try fingerprint(audit), before, "a refused open wrote to audit/")
    }

    func testWitnessCosignsThenRefusesARollbackAndVerifyReportsTheWitnessedPrefix() throws {
        let ws = try CLIWorkspace()
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("custos-witness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let key = outside.appendingPathComponent("w.key").path
        let state = outside.appendingPathComponent("state.json").path

        let inside = try ws.run(["audit", "witness-keygen", "--name", "dpo.example/w", "--key-file",
                                 ws.root.appendingPathComponent("w.key").path])
        XCTAssertEqual(inside.status, 64, inside.stderr)
        XCTAssertTrue(inside.stderr.contains("is inside the workspace"), inside.stderr)
        let keygen = try ws.run(["audit", "witness-keygen", "--name", "dpo.example/w", "--key-file", key])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        let audit = ws.root.appendingPathComponent("audit")
        let older = outside.appendingPathComponent("older-audit")
        try FileManager.default.copyItem(at: audit, to: older)
        XCTAssertEqual(try ws.run(["policy", "check"]).status, 0)
        XCTAssertEqual(try ws.run(["keys", "rotate", "--principal", "oscar", "--role", "operator"], as: "oscar").status, 0)
        let first = try ws.run(["audit", "witness", "--key-file", key, "--state", state])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.hasPrefix("witness dpo.example/w cosigned the checkpoint of "), first.stdout)

        let verify = try ws.run(["audit", "verify", "--witness-key", key + ".vkey", "--checkpoint", state])
        XCTAssertEqual(verify.status, 0, verify.stdout)
        XCTAssertTrue(verify.stdout.contains("witnessed by dpo.example/w: the first "), verify.stdout)

        // Restore the older audit/ : the witness refuses to go back, and verify shows the rollback.
        try FileManager.default.removeItem(at: audit)
        try FileManager.default.copyItem(at: older, to: audit)
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: state))
        let rollback = try ws.run(["audit", "witness", "--key-file", key, "--state", state])
        XCTAssertEqual(rollback.status, 1)
        XCTAssertTrue(rollback.stderr.contains("witness refuses"), rollback.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: state)), stateBefore)
        let after = try ws.run(["audit", "verify", "--witness-key", key + ".vkey", "--checkpoint", state])
        XCTAssertEqual(after.status, 1)
        XCTAssertTrue(after.stdout.contains("rolled back"), after.stdout)
    }
}
