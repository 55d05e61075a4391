import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// The attacks of issue "Trust hardening" (audit section): an insider who can edit `audit/` deletes
/// checkpoints and the saved Merkle state, then edits, deletes or rewrites entries, or restores an older
/// copy. With the anchor kept outside `audit/`, opening refuses and signs nothing; verification reports it.
final class AnchorAttackTests: XCTestCase {
    /// A workspace-like folder: `audit/` and an anchor file beside it (standing in for the store).
    struct Site {
        let root: URL
        var audit: URL { root.appendingPathComponent("audit") }
        var anchor: FileCheckpointAnchor { FileCheckpointAnchor(url: root.appendingPathComponent("anchor.note")) }

        func open(every: UInt64 = 5) throws -> AuditLog {
            try AuditLog.open(directory: audit, signingKey: TestSupport.signingKey(), origin: TestSupport.origin,
                              options: .init(checkpointEvery: every, lockTimeout: 2, anchor: anchor))
        }

        func write(_ range: Range<Int>, every: UInt64 = 5) throws {
            let log = try open(every: every)
            for i in range { try log.append(TestSupport.entry(i)) }
            try log.close()
        }

        func verify() throws -> AuditVerificationResult {
            try ReadOnlyAuditLog(directory: audit, publicKey: TestSupport.publicKey(), origin: TestSupport.origin,
                                 anchor: anchor).verify()
        }

        func remove(_ relative: String) throws {
            try FileManager.default.removeItem(at: audit.appendingPathComponent(relative))
        }

        func checkpointNames() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: audit.appendingPathComponent("checkpoints").path).sorted()
        }
    }

    func site() throws -> Site {
        let root = try TestSupport.temporaryDirectory(self, "workspace")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return Site(root: root)
    }

    /// SHA-256 of every file under `directory`, by relative path.
    static func fingerprint(_ directory: URL) throws -> [String: String] {
        var out = [String: String]()
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return out }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let path = base + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { out[relative + "/"] = "dir"; continue }
            out[relative] = SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).hexString
        }
        return out
    }

    /// Replaces line `number` (1-based) of segment 1 with `entry`'s canonical line.
    static func rewriteLine(_ audit: URL, _ number: Int, with entry: AuditEntry) throws {
        let url = TestSupport.segmentURL(audit)
        var lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
        lines[number - 1] = String(decoding: try entry.canonicalLine(), as: UTF8.self)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    func assertRefused(_ site: Site, file: StaticString = #filePath, line: UInt = #line,
                       _ check: (AuditError) -> Bool) throws {
        let before = try Self.fingerprint(site.audit)
        XCTAssertThrowsError(try site.open(), file: file, line: line) { error in
            guard let error = error as? AuditError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(check(error), "\(error)", file: file, line: line)
        }
        XCTAssertEqual(try Self.fingerprint(site.audit), before, "a refused open changed audit/", file: file, line: line)
    }

    func testDeletingAllCheckpointsAndStateThenEditingALineIsRefusedOnOpenAndVerify() throws {
        let site = try site()
        try site.write(0..<20)
        try site.remove("checkpoints")
        try FileManager.default.createDirectory(at: site.audit.appendingPathComponent("checkpoints"),
                                                withIntermediateDirectories: true)
        try site.remove("merkle-state.json")
        try Self.rewriteLine(site.audit, 7, with: TestSupport.entry(99))
        try assertRefused(site) { error in
            guard case .signedCheckpointsMissing(20, _, nil, let location) = error else { return false }
            return location == site.anchor.location && error.description.contains("Restore audit/")
        }
        XCTAssertEqual(try site.checkpointNames(), [], "nothing was re-signed")
        let result = try site.verify()
        XCTAssertFalse(result.isValid)
        XCTAssertEqual(result.anchoredSize, 20)
        XCTAssertTrue(result.problems.contains { $0.kind == .anchor && $0.message.contains("deleted") }, result.summary)
        XCTAssertTrue(result.problems.contains { $0.kind == .anchor && $0.message.contains("do not reproduce") },
                      result.summary)
    }

    func testDeletingAllCheckpointsAndStateThenDeletingALineIsRefused() throws {
        let site = try site()
        try site.write(0..<12)
        for name in try site.checkpointNames() { try site.remove("checkpoints/" + name) }
        try site.remove("merkle-state.json")
        let url = TestSupport.segmentURL(site.audit)
        var lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n")
        lines.remove(at: 3)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        try assertRefused(site) { if case .signedCheckpointsMissing(12, _, nil, _) = $0 { return true } else { return false } }
        XCTAssertFalse(try site.verify().isValid)
    }

    func testDeletingTheNewestCheckpointsThenRewritingTheTailIsRefused() throws {
        let site = try site()
        try site.write(0..<30)
        XCTAssertEqual(try site.checkpointNames().count, 6)
        try site.remove("checkpoints/" + Checkpoint.fileName(size: 30))
        try site.remove("checkpoints/" + Checkpoint.fileName(size: 25))
        try site.remove("merkle-state.json")
        for line in 22...30 { try Self.rewriteLine(site.audit, line, with: TestSupport.entry(1000 + line)) }
        try assertRefused(site) { error in
            if case .signedCheckpointsMissing(30, _, 20, _) = error { return true } else { return false }
        }
        let result = try site.verify()
        XCTAssertFalse(result.isValid)
        XCTAssertTrue(result.problems.contains { $0.kind == .anchor && $0.message.contains("reaches only size 20") },
                      result.summary)
    }

    /// The hole the anchor closes: without one, the same attack is re-sealed and verifies.
    func testWithoutAnAnchorTheRewrittenTailWouldBeResealed() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 30, every: 5)
        for size: UInt64 in [25, 30] {
            try FileManager.default.removeItem(at: dir.appendingPathComponent("checkpoints/" + Checkpoint.fileName(size: size)))
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("merkle-state.json"))
        for line in 22...30 { try Self.rewriteLine(dir, line, with: TestSupport.entry(1000 + line)) }
        try TestSupport.open(dir, every: 5).close()
        XCTAssertTrue(try TestSupport.verify(dir).isValid, "an unanchored log cannot tell; this is why the engine anchors")
    }

    func testRestoringAnOlderCopyOfTheAuditDirectoryIsRefused() throws {
        let site = try site()
        try site.write(0..<10)
        let older = site.root.appendingPathComponent("audit-backup")
        try FileManager.default.copyItem(at: site.audit, to: older)
        try site.write(10..<17)
        try FileManager.default.removeItem(at: site.audit)
        try FileManager.default.moveItem(at: older, to: site.audit)
        try assertRefused(site) { error in
            if case .signedCheckpointsMissing(17, _, 10, _) = error { return true } else { return false }
        }
        XCTAssertTrue(try site.verify().problems.contains { $0.kind == .anchor })
    }

    /// An insider holding the signing key (but not the anchor) re-signs a same-size checkpoint over an
    /// edited log: the anchored root differs.
    func testResigningAnEditedLogWithTheLogKeyIsRefusedByTheAnchoredRoot() throws {
        let site = try site()
        try site.write(0..<10)
        for name in try site.checkpointNames() { try site.remove("checkpoints/" + name) }
        try site.remove("merkle-state.json")
        try Self.rewriteLine(site.audit, 4, with: TestSupport.entry(444))
        let tree = try AuditLogReader(directory: site.audit).merkleTree()
        let forged = try Checkpoint(size: 10, rootHash: tree.rootHash, timeMilliseconds: 0,
                                    signer: NoteSigner(name: TestSupport.origin, privateKey: TestSupport.signingKey()))
        try Data(forged.signedNote.utf8).write(to: site.audit.appendingPathComponent("checkpoints/" + Checkpoint.fileName(size: 10)))
        try assertRefused(site) { if case .anchorMismatch(10, _, _) = $0 { return true } else { return false } }
        XCTAssertTrue(try site.verify().problems.contains { $0.kind == .anchor && $0.message.contains("do not reproduce") })
    }

    func testEntriesWithoutAnyCheckpointOrAnchorAreNotResealed() throws {
        let site = try site()
        try site.write(0..<6)
        for name in try site.checkpointNames() { try site.remove("checkpoints/" + name) }
        try site.remove("merkle-state.json")
        try FileManager.default.removeItem(atPath: site.anchor.path)
        try assertRefused(site) { if case .unsignedLog(6, _) = $0 { return true } else { return false } }
    }

    func testAWorkspaceThatPredatesAnchoringAdoptsItsLatestCheckpoint() throws {
        let site = try site()
        try TestSupport.writeLog(site.audit, count: 8, every: 5)
        let log = try site.open()
        XCTAssertTrue(log.openReport.anchorAdopted)
        try log.close()
        XCTAssertEqual(try site.verify().anchoredSize, 8)
        XCTAssertTrue(try site.verify().isValid)
    }

    /// A crash before the first checkpoint: the anchor says nothing was signed yet (size 0), so the
    /// entries are sealed on the next open.
    func testEntriesWrittenBeforeTheFirstCheckpointAreSealedAfterACrash() throws {
        let site = try site()
        do {
            let log = try site.open(every: 100)
            for i in 0..<3 { try log.append(TestSupport.entry(i)) }
            // Dropped without close(): no checkpoint, as after a crash.
        }
        XCTAssertEqual(try site.checkpointNames(), [])
        let log = try site.open()
        XCTAssertEqual(log.size, 3)
        try log.close()
        XCTAssertTrue(try site.verify().isValid)
        XCTAssertEqual(try site.verify().anchoredSize, 3)
    }

    func testVerifyLeavesTheDirectoryByteIdentical() throws {
        let site = try site()
        try site.write(0..<13)
        let log = try site.open(every: 100)
        try log.append(TestSupport.entry(13))  // uncovered entry, writer still open
        var before = try Self.fingerprint(site.audit)
        XCTAssertTrue(try site.verify().isValid)
        XCTAssertEqual(try Self.fingerprint(site.audit), before)
        try log.close()

        // Damaged shapes too: no checkpoints, no state, a torn final line.
        for name in try site.checkpointNames() { try site.remove("checkpoints/" + name) }
        try site.remove("merkle-state.json")
        let handle = try FileHandle(forWritingTo: TestSupport.segmentURL(site.audit))
        handle.seekToEndOfFile()
        handle.write(Data("{\"torn\":".utf8))
        try handle.close()
        before = try Self.fingerprint(site.audit)
        XCTAssertFalse(try site.verify().isValid)
        XCTAssertFalse(try AuditVerifier.verify(directory: site.audit, publicKey: TestSupport.publicKey()).isValid)
        XCTAssertEqual(try Self.fingerprint(site.audit), before, "verification wrote to audit/")
    }

    func testOpeningAnchoredLogWithIntactCheckpointsWorksAndKeepsTheAnchorCurrent() throws {
        let site = try site()
        try site.write(0..<7)
        try site.write(7..<9)
        let result = try site.verify()
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.anchoredSize, 9)
        XCTAssertTrue(try XCTUnwrap(site.anchor.load()).hasPrefix(TestSupport.origin + "\n9\n"))
    }
}
