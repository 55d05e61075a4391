import CustosCrypto
import CustosAudit
import Foundation
import XCTest

/// Runs the independent verifier (tools/audit-verify/verify.py, Python + cryptography, no shared code)
/// on a log written here and on a tampered copy. Skipped when python3 or cryptography is missing.
final class PythonVerifierTests: XCTestCase {
    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/audit-verify/verify.py")

    private func python() throws -> URL {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            let url = URL(fileURLWithPath: candidate)
            if (try? run(url, ["-c", "import cryptography.hazmat.primitives.asymmetric.ed25519"]))?.status == 0 {
                return url
            }
        }
        throw XCTSkip("python3 with the cryptography package is not installed")
    }

    private func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testIndependentVerifierAcceptsTheLogAndRejectsATamperedCopy() throws {
        let python = try python()
        let workspace = try TestSupport.temporaryDirectory(self, "workspace")
        let audit = workspace.appendingPathComponent("audit")
        let keys = workspace.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)

        let log = try TestSupport.open(audit, every: 7, segmentBytes: 2500)
        try log.publicKeyPEM.write(to: keys.appendingPathComponent("audit.pub"), atomically: true, encoding: .utf8)
        for i in 0..<40 { try log.append(TestSupport.entry(i)) }
        // Strings that exercise escaping and UTF-16 key order; decimals of several shapes.
        try log.append(AuditEntry(
            actor: "ops \"quoted\" \\ \u{1}\u{1F}", role: "operator", action: .policyChange,
            reason: "<script>alert(1)</script> é 中 😀", epsilon: 0.00001, rho: 12.5, subjects: ["ps_ab12", "ps_cd34"],
            details: ["\u{E000}": "private use", "😀": "emoji", "z": "\n\t\r\u{8}\u{C}"]))
        try log.append(AuditEntry(actor: "x", role: "r", action: AuditAction(rawValue: "export.bundle")!, epsilon: 3))
        try log.close()
        let swiftResult = try TestSupport.verify(audit)
        XCTAssertTrue(swiftResult.isValid, swiftResult.summary)

        let good = try run(python, [Self.script.path, audit.path, "--json"])
        XCTAssertEqual(good.status, 0, good.output)
        let json = try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any]
        XCTAssertEqual(json?["entries"] as? Int, 42)
        XCTAssertEqual(json?["rootHash"] as? String, swiftResult.rootHash.base64)
        XCTAssertEqual(json?["checkpoints"] as? Int, swiftResult.checkpointCount)
        XCTAssertEqual(json?["checkpointsMatching"] as? Int, swiftResult.checkpointCount)
        XCTAssertEqual(json?["consistencyProofsVerified"] as? Int, swiftResult.checkpointCount - 1)

        // Tampered copy: one digit of one entry changed (still canonical JSON, so only the tree shows it).
        let tampered = try TestSupport.temporaryDirectory(self, "tampered")
        try FileManager.default.copyItem(at: workspace, to: tampered)
        let segment = TestSupport.segmentURL(tampered.appendingPathComponent("audit"), 2)
        var bytes = [UInt8](try Data(contentsOf: segment))
        let digit = bytes.firstIndex(of: UInt8(ascii: "1"))!
        bytes[digit] = UInt8(ascii: "2")
        try Data(bytes).write(to: segment)
        let bad = try run(python, [Self.script.path, tampered.appendingPathComponent("audit").path])
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.output.contains("do not reproduce its signed root"), bad.output)
        XCTAssertFalse(try TestSupport.verify(tampered.appendingPathComponent("audit")).isValid)

        // A checkpoint signed by another key is rejected too.
        let forged = try TestSupport.temporaryDirectory(self, "forged")
        try FileManager.default.copyItem(at: workspace, to: forged)
        let otherKey = try NoteSigner(name: TestSupport.origin, privateKey: .init())
        let checkpoint = forged.appendingPathComponent("audit/checkpoints/00000000000000000042.checkpoint")
        let note = try String(contentsOf: checkpoint, encoding: .utf8)
        let body = String(note[..<note.range(of: "\n\n")!.lowerBound]) + "\n"
        try otherKey.sign(body).write(to: checkpoint, atomically: true, encoding: .utf8)
        let forgedRun = try run(python, [Self.script.path, forged.appendingPathComponent("audit").path])
        XCTAssertEqual(forgedRun.status, 1, forgedRun.output)
        XCTAssertTrue(forgedRun.output.contains("00000000000000000042.checkpoint"), forgedRun.output)
    }
}
