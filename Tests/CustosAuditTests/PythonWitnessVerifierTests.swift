import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// The independent verifier (tools/audit-verify/verify.py) on the attacks of "Trust hardening":
/// witness cosignatures, checkpoints kept elsewhere (anchor, witness state), repaired torn tails.
/// Skipped when python3 or cryptography is missing.
final class PythonWitnessVerifierTests: XCTestCase {
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

    /// A workspace-like folder with keys/audit.pub, an anchored log of `count` entries, cosigned by a witness.
    private func witnessedWorkspace(count: Int) throws -> (root: URL, audit: URL, anchor: FileCheckpointAnchor,
                                                          witness: Witness) {
        let root = try TestSupport.temporaryDirectory(self, "workspace")
        let keys = root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        let audit = root.appendingPathComponent("audit")
        let anchor = FileCheckpointAnchor(url: root.appendingPathComponent("anchor.note"))
        let log = try AuditLog.open(directory: audit, signingKey: TestSupport.signingKey(), origin: TestSupport.origin,
                                    options: .init(checkpointEvery: 5, lockTimeout: 2, anchor: anchor))
        try log.publicKeyPEM.write(to: keys.appendingPathComponent("audit.pub"), atomically: true, encoding: .utf8)
        for i in 0..<count { try log.append(TestSupport.entry(i)) }
        try log.close()
        let cosigner = try WitnessCosigner(name: "dpo.example.com/witness",
                                           privateKey: Curve25519.Signing.PrivateKey(rawRepresentation: WitnessTests.witnessSeed))
        let witness = Witness(cosigner: cosigner, stateFile: root.deletingLastPathComponent().appendingPathComponent("state.json"))
        let key = try NoteVerifierKey(name: TestSupport.origin, publicKey: TestSupport.publicKey())
        let latest = try XCTUnwrap(try AuditLogReader(directory: audit).checkpoints(verifier: key).last)
        let note = try witness.cosign(checkpointNote: Array(latest.signedNote.utf8), logKey: key, proof: nil)
        _ = try AuditLog.attachCosignedCheckpoint(directory: audit, note: note, verifier: key, lockTimeout: 2)
        return (root, audit, anchor, witness)
    }

    func testIndependentVerifierChecksCosignaturesAndReportsTheWitnessedPrefix() throws {
        let python = try python()
        let w = try witnessedWorkspace(count: 12)
        let vkey = w.witness.cosigner.key.verifierKeyText
        let good = try run(python, [Self.script.path, w.audit.path, "--witness-key", vkey, "--checkpoint",
                                    w.anchor.path, "--checkpoint", w.witness.statePath, "--json"])
        XCTAssertEqual(good.status, 0, good.output)
        let json = try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any]
        XCTAssertEqual((json?["witnessed"] as? [String: Int])?["dpo.example.com/witness"], 12)

        // Flip one bit of the cosignature: detected.
        let file = w.audit.appendingPathComponent("checkpoints/" + Checkpoint.fileName(size: 12))
        var lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        let index = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("\u{2014} dpo.example.com/witness ") })
        var blob = [UInt8](try XCTUnwrap(Data(base64Encoded: String(lines[index].split(separator: " ")[2]))))
        blob[30] ^= 0x80
        lines[index] = "\u{2014} dpo.example.com/witness " + Data(blob).base64EncodedString()
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let bad = try run(python, [Self.script.path, w.audit.path, "--witness-key", vkey])
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.output.contains("cosignature by 'dpo.example.com/witness' does not verify"), bad.output)
        XCTAssertFalse(try AuditVerifier.verify(directory: w.audit, publicKey: TestSupport.publicKey(),
                                                witnesses: [w.witness.cosigner.key]).isValid)
    }

    /// Checkpoints deleted, a line edited: the verifier fails when given the anchored or witnessed checkpoint.
    func testIndependentVerifierCatchesDeletedCheckpointsAndAnEditedLineAgainstCheckpointsKeptElsewhere() throws {
        let python = try python()
        let w = try witnessedWorkspace(count: 10)
        for name in try FileManager.default.contentsOfDirectory(atPath: w.audit.appendingPathComponent("checkpoints").path) {
            try FileManager.default.removeItem(at: w.audit.appendingPathComponent("checkpoints/" + name))
        }
        try FileManager.default.removeItem(at: w.audit.appendingPathComponent("merkle-state.json"))
        try AnchorAttackTests.rewriteLine(w.audit, 3, with: TestSupport.entry(333))
        for external in [w.anchor.path, w.witness.statePath] {
            let result = try run(python, [Self.script.path, w.audit.path, "--checkpoint", external])
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.output.contains("the log was rewritten"), result.output)
        }
    }

    /// A log restored from an older copy: the witness state (kept elsewhere) shows the rollback.
    func testIndependentVerifierCatchesARollbackAgainstTheWitnessState() throws {
        let python = try python()
        let w = try witnessedWorkspace(count: 10)
        let older = w.root.appendingPathComponent("older")
        try TestSupport.writeLog(older, count: 6, every: 5)
        try FileManager.default.removeItem(at: w.audit)
        try FileManager.default.moveItem(at: older, to: w.audit)
        let result = try run(python, [Self.script.path, w.audit.path, "--checkpoint", w.witness.statePath,
                                      "--witness-key", w.witness.cosigner.key.verifierKeyText])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("rolled back or truncated"), result.output)
    }

    /// After the writer restored a lost final newline, the independent verifier accepts the log whole.
    func testIndependentVerifierAcceptsALogWhoseSignedFinalNewlineWasRestored() throws {
        let python = try python()
        let w = try witnessedWorkspace(count: 10)
        let segment = TestSupport.segmentURL(w.audit)
        let original = [UInt8](try Data(contentsOf: segment))
        try Data(original.dropLast()).write(to: segment)
        XCTAssertEqual(try run(python, [Self.script.path, w.audit.path]).status, 1)
        let log = try AuditLog.open(directory: w.audit, signingKey: TestSupport.signingKey(), origin: TestSupport.origin,
                                    options: .init(checkpointEvery: 5, lockTimeout: 2, anchor: w.anchor))
        try log.close()
        let result = try run(python, [Self.script.path, w.audit.path, "--checkpoint", w.anchor.path, "--json"])
        XCTAssertEqual(result.status, 0, result.output)
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        XCTAssertEqual(json?["entries"] as? Int, 11)
    }
}
