import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// Witness cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1): a witness cosigns only what
/// extends what it cosigned last; verification checks every cosignature and reports the witnessed prefix.
final class WitnessTests: XCTestCase {
    static let witnessSeed: [UInt8] = (33...64).map { UInt8($0) }

    func cosigner() throws -> WitnessCosigner {
        try WitnessCosigner(name: "dpo.example.com/witness",
                            privateKey: Curve25519.Signing.PrivateKey(rawRepresentation: Self.witnessSeed))
    }

    func logKey() throws -> NoteVerifierKey { try NoteVerifierKey(name: TestSupport.origin, publicKey: TestSupport.publicKey()) }

    struct Setup {
        let dir: URL
        let witness: Witness
    }

    func setup() throws -> Setup {
        let dir = try TestSupport.temporaryDirectory(self)
        let state = dir.deletingLastPathComponent().appendingPathComponent("witness-state.json")
        return Setup(dir: dir, witness: Witness(cosigner: try cosigner(), stateFile: state))
    }

    /// What `custos audit witness` does: offer the latest checkpoint with a proof from the last one.
    @discardableResult
    func witnessLatest(_ s: Setup) throws -> String {
        let prover = try AuditProver(directory: s.dir, publicKey: TestSupport.publicKey(), origin: TestSupport.origin)
        let latest = try XCTUnwrap(try AuditLogReader(directory: s.dir).checkpoints(verifier: logKey()).last)
        var proof: ConsistencyProof?
        if let last = try s.witness.state()?.checkpoint, last.size > 0, latest.size > last.size {
            proof = try prover.consistencyProof(from: last.size, to: latest.size).proof
        }
        let note = try s.witness.cosign(checkpointNote: Array(latest.signedNote.utf8), logKey: logKey(), proof: proof,
                                        now: Date(timeIntervalSince1970: 1_767_225_600))
        _ = try AuditLog.attachCosignedCheckpoint(directory: s.dir, note: note, verifier: logKey(), lockTimeout: 2)
        return note
    }

    func verify(_ dir: URL, external: [[UInt8]] = []) throws -> AuditVerificationResult {
        try AuditVerifier.verify(directory: dir, publicKey: TestSupport.publicKey(), externalCheckpoints: external,
                                 witnesses: [try cosigner().key])
    }

    func testCosignatureFollowsTheC2SPFormatAndVerifies() throws {
        let key = try cosigner().key
        // Known answer for the key ID rule: SHA-256(name || 0x0A || 0x04 || key)[:4].
        let digest = SHA256.hash(Array("dpo.example.com/witness".utf8) + [0x0A, 0x04] + key.publicKey.rawRepresentation)
        XCTAssertEqual(key.keyID, digest[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        XCTAssertEqual(try CosignerKey(verifierKey: key.verifierKeyText), key)
        XCTAssertThrowsError(try CosignerKey(verifierKey: try logKey().verifierKeyText), "a log key (type 0x01) is not a cosigner key")

        let line = try cosigner().cosignatureLine(checkpointText: "o\n1\nAAAA\n", timestamp: 1_679_315_147)
        let blob = try XCTUnwrap(Data(base64Encoded: String(line.split(separator: " ")[2].dropLast())))
        XCTAssertEqual(blob.count, 4 + 8 + 64)
        XCTAssertEqual(blob[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, 1_679_315_147)
        let message = Array("cosignature/v1\ntime 1679315147\no\n1\nAAAA\n".utf8)
        XCTAssertTrue(key.publicKey.isValidSignature(Array(blob[12...]), for: message))
    }

    func testWitnessCosignsConsistentGrowthAndVerifyReportsTheWitnessedPrefix() throws {
        let s = try setup()
        try TestSupport.writeLog(s.dir, count: 7, every: 5)
        try witnessLatest(s)
        let log = try TestSupport.open(s.dir, every: 5)
        for i in 7..<19 { try log.append(TestSupport.entry(i)) }
        try log.close()
        let note = try witnessLatest(s)
        XCTAssertTrue(note.contains("\n\u{2014} dpo.example.com/witness "))
        let result = try verify(s.dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.witnessedSizes["dpo.example.com/witness"], 19)
        // Witnessing the same checkpoint again is fine (no growth, same root).
        try witnessLatest(s)
    }

    func testWitnessRefusesARollbackToAnOlderCopyOfTheLog() throws {
        let s = try setup()
        try TestSupport.writeLog(s.dir, count: 6, every: 5)
        let older = s.dir.deletingLastPathComponent().appendingPathComponent("older")
        try FileManager.default.copyItem(at: s.dir, to: older)
        let log = try TestSupport.open(s.dir, every: 5)
        for i in 6..<12 { try log.append(TestSupport.entry(i)) }
        try log.close()
        try witnessLatest(s)
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: s.witness.statePath))
        try FileManager.default.removeItem(at: s.dir)
        try FileManager.default.moveItem(at: older, to: s.dir)
        XCTAssertThrowsError(try witnessLatest(s)) { error in
            XCTAssertEqual(error as? AuditError, .witnessRollback(witnessedSize: 12, offeredSize: 6))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.witness.statePath)), stateBefore)
        // The witnessed checkpoint kept elsewhere (the witness's state file) shows the rollback too.
        let result = try verify(s.dir, external: [[UInt8](stateBefore)])
        XCTAssertTrue(result.problems.contains { $0.kind == .externalCheckpoint && $0.message.contains("rolled back") },
                      result.summary)
    }

    func testWitnessRefusesAForkedHistory() throws {
        let s = try setup()
        try TestSupport.writeLog(s.dir, count: 8, every: 4)
        try witnessLatest(s)
        // The insider holds the log key: rewrites entry 2, deletes every checkpoint and signs a longer history.
        let fork = s.dir.deletingLastPathComponent().appendingPathComponent("fork")
        let log = try TestSupport.open(fork, every: 100)
        for i in 0..<12 { try log.append(TestSupport.entry(i == 2 ? 222 : i)) }
        try log.close()
        try FileManager.default.removeItem(at: s.dir)
        try FileManager.default.moveItem(at: fork, to: s.dir)
        XCTAssertThrowsError(try witnessLatest(s)) { error in
            guard case .witnessFork(8, 12, let reason)? = error as? AuditError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("consistency proof"))
        }
        // Same size, different root.
        let same = s.dir.deletingLastPathComponent().appendingPathComponent("same")
        let sameLog = try TestSupport.open(same, every: 100)
        for i in 0..<8 { try sameLog.append(TestSupport.entry(i == 2 ? 222 : i)) }
        try sameLog.close()
        let checkpoint = try XCTUnwrap(try AuditLogReader(directory: same).checkpoints(verifier: logKey()).last)
        XCTAssertThrowsError(try s.witness.cosign(checkpointNote: Array(checkpoint.signedNote.utf8), logKey: logKey(),
                                                  proof: nil)) { error in
            guard case .witnessFork(8, 8, _)? = error as? AuditError else { return XCTFail("\(error)") }
        }
        // A checkpoint from another log key is refused: the witness pinned the first one.
        let otherSigner = try NoteSigner(name: TestSupport.origin, privateKey: .init())
        let other = try Checkpoint(size: 9, rootHash: checkpoint.rootHash, timeMilliseconds: 0, signer: otherSigner)
        XCTAssertThrowsError(try s.witness.cosign(checkpointNote: Array(other.signedNote.utf8),
                                                  logKey: otherSigner.verifierKey, proof: nil)) { error in
            guard case .witnessUnusable? = error as? AuditError else { return XCTFail("\(error)") }
        }
    }

    func testATamperedCosignatureIsDetected() throws {
        let s = try setup()
        try TestSupport.writeLog(s.dir, count: 5, every: 5)
        try witnessLatest(s)
        let file = s.dir.appendingPathComponent("checkpoints/" + Checkpoint.fileName(size: 5))
        let note = try String(contentsOf: file, encoding: .utf8)
        var lines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("\u{2014} dpo.example.com/witness ") })
        var blob = [UInt8](try XCTUnwrap(Data(base64Encoded: String(lines[index].split(separator: " ")[2]))))
        blob[20] ^= 0x01
        lines[index] = "\u{2014} dpo.example.com/witness " + Data(blob).base64EncodedString()
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let tampered = try verify(s.dir)
        XCTAssertFalse(tampered.isValid)
        XCTAssertTrue(tampered.problems.contains { $0.kind == .cosignature }, tampered.summary)
        XCTAssertTrue(tampered.problems.contains { $0.kind == .notWitnessed }, tampered.summary)

        // Dropping the cosignature line leaves the log unwitnessed, which a witness key makes a failure.
        lines.remove(at: index)
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let dropped = try verify(s.dir)
        XCTAssertEqual(dropped.problems.map(\.kind), [.notWitnessed], dropped.summary)
        XCTAssertTrue(try TestSupport.verify(s.dir).isValid, "without a witness key the log itself still verifies")
    }

    func testAnAlteredWitnessStateFileIsRefused() throws {
        let s = try setup()
        try TestSupport.writeLog(s.dir, count: 5, every: 5)
        try witnessLatest(s)
        let url = URL(fileURLWithPath: s.witness.statePath)
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\\n5\\n", with: "\\n4\\n")
        try text.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try s.witness.state())
    }
}
