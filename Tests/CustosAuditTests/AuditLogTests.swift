import CustosAudit
import CustosCrypto
import Foundation
import XCTest
import Synchronization

final class AuditLogTests: XCTestCase {
    func testAppendCheckpointReopenAndVerify() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir, every: 10)
        for i in 0..<25 { XCTAssertEqual(try log.append(TestSupport.entry(i)), UInt64(i)) }
        XCTAssertEqual(log.size, 25)
        XCTAssertEqual(log.latestCheckpoint?.size, 20)
        try log.close()
        XCTAssertThrowsError(try log.append(TestSupport.entry(99))) { XCTAssertEqual($0 as? AuditError, .logClosed) }

        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.entryCount, 25)
        XCTAssertEqual(result.checkpointCount, 3)  // 10, 20, 25 (close)
        XCTAssertEqual(result.checkpointsMatchingEntries, 3)
        XCTAssertEqual(result.consistencyProofsVerified, 2)
        XCTAssertEqual(result.entriesNotCheckpointed, 0)

        let reopened = try TestSupport.open(dir)
        XCTAssertTrue(reopened.openReport.resumedFromSavedState)
        XCTAssertEqual(reopened.openReport.entriesRehashed, 0)
        XCTAssertEqual(try reopened.append(TestSupport.entry(25)), 25)
        try reopened.close()
        let entries = try AuditLogReader(directory: dir).entries()
        XCTAssertEqual(entries.count, 26)
        XCTAssertEqual(entries[7], TestSupport.entry(7))
        XCTAssertTrue(try TestSupport.verify(dir).isValid)
    }
}

final class AuditLogBehaviourTests: XCTestCase {
    func testConcurrentAppendsGetDistinctIndicesAndAllLand() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir, every: 100, segmentBytes: 20_000)
        let threads = 24, perThread = 60
        let indices = LockedList()
        TestSupport.runThreads(threads) { t in
            for i in 0..<perThread {
                do {
                    let index = try log.append(TestSupport.entry(t * perThread + i))
                    indices.add(index)
                } catch {
                    XCTFail("append failed: \(error)")
                }
            }
        }
        try log.close()
        XCTAssertEqual(indices.sorted, (0..<UInt64(threads * perThread)).map { $0 })
        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.entryCount, UInt64(threads * perThread))
        XCTAssertGreaterThan(result.segmentCount, 5)
        // Each entry landed exactly once, at the index its append returned.
        let stored = try AuditLogReader(directory: dir).entries()
        XCTAssertEqual(Set(stored.compactMap { $0.details["seq"] }).count, threads * perThread)
    }

    /// Checkpoints and close racing with appenders: nothing is lost, every checkpoint verifies.
    func testCheckpointAndCloseWhileAppending() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir, every: 1000)
        let accepted = LockedList()
        TestSupport.runThreads(10) { t in
            for i in 0..<200 {
                if t == 0 {
                    if i % 20 == 0 { _ = try? log.checkpoint() }
                    continue
                }
                if t == 1 && i == 150 {
                    do throws(AuditError) { try log.close() } catch { XCTFail("close failed: \(error)") }
                    continue
                }
                do throws(AuditError) {
                    accepted.add(try log.append(TestSupport.entry(t * 1000 + i)))
                } catch {
                    XCTAssertEqual(error, .logClosed)
                }
            }
        }
        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.entriesNotCheckpointed, 0)
        XCTAssertEqual(accepted.sorted, (0..<result.entryCount).map { $0 }, "every acknowledged entry is stored")
    }

    func testBatchAppendReturnsContiguousRange() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir, every: 1000)
        try log.append(TestSupport.entry(0))
        let range = try log.append(contentsOf: (1..<51).map { TestSupport.entry($0) })
        XCTAssertEqual(range, 1..<51)
        let checkpoint = try log.checkpoint()
        XCTAssertEqual(checkpoint.size, 51)
        XCTAssertEqual(try log.checkpoint(), checkpoint, "no new entries, no new checkpoint")
        try log.close()
        let result = try TestSupport.verify(dir)
        XCTAssertEqual(result.checkpointCount, 1)
        XCTAssertTrue(result.isValid)
    }

    func testLargeBatchGetsCheckpointsInside() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir, every: 1000, segmentBytes: 200_000)
        try log.append(contentsOf: (0..<2550).map { TestSupport.entry($0) })
        XCTAssertEqual(log.latestCheckpoint?.size, 2550)
        try log.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("checkpoints").path)
        XCTAssertEqual(names.compactMap(AuditLayout.checkpointSize).sorted(), [1000, 2000, 2550])
        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.consistencyProofsVerified, 2)
        let reopened = try TestSupport.open(dir, every: 1000)
        XCTAssertTrue(reopened.openReport.resumedFromSavedState)
        try reopened.close()
    }

    func testInvalidEntryIsRejectedWithoutHarm() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir)
        XCTAssertThrowsError(try log.append(AuditEntry(actor: "a", role: "r", action: .jobRun, epsilon: .nan))) {
            guard case .invalidEntry = $0 as? AuditError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try log.append(TestSupport.entry(1)), 0)
        try log.close()
        XCTAssertEqual(try TestSupport.verify(dir).entryCount, 1)
    }

    func testSecondWriterIsLockedOut() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir)
        XCTAssertThrowsError(try AuditLog.open(directory: dir, signingKey: TestSupport.signingKey(),
                                               origin: TestSupport.origin,
                                               options: .init(lockTimeout: 0.2))) {
            guard case .logLocked = $0 as? AuditError else { return XCTFail("\($0)") }
        }
        try log.close()
        let again = try TestSupport.open(dir)
        try again.close()
    }

    func testTornFinalLineIsTruncatedAndRecorded() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 12, every: 5)
        let segment = TestSupport.segmentURL(dir)
        let handle = try FileHandle(forWritingTo: segment)
        try handle.seekToEnd()
        let torn = Array(#"{"action":"job.run","actor":"ana"#.utf8)
        try handle.write(contentsOf: torn)
        try handle.close()
        XCTAssertTrue(try TestSupport.verify(dir).notices.contains { $0.contains("incomplete line") })

        let log = try TestSupport.open(dir, every: 5)
        XCTAssertEqual(log.openReport.truncatedBytes, UInt64(torn.count))
        XCTAssertEqual(log.openReport.truncatedSegment, "00000001.jsonl")
        XCTAssertEqual(log.openReport.recoveryEntryIndex, 12)
        XCTAssertEqual(log.latestCheckpoint?.size, 13, "recovery is sealed by a checkpoint at once")
        try log.close()
        let entries = try AuditLogReader(directory: dir).entries()
        XCTAssertEqual(entries.count, 13)
        XCTAssertEqual(entries[12].action, .auditRecover)
        XCTAssertEqual(entries[12].details["truncatedBytes"], String(torn.count))
        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertTrue(result.notices.isEmpty, result.summary)
    }

    func testReopenWithoutSavedStateRehashesAndChecksTheCheckpoint() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 30, every: 10, segmentBytes: 3000)
        try FileManager.default.removeItem(at: dir.appendingPathComponent(AuditLayout.stateFile))
        let log = try TestSupport.open(dir)
        XCTAssertFalse(log.openReport.resumedFromSavedState)
        XCTAssertEqual(log.openReport.entriesRehashed, 30)
        try log.append(TestSupport.entry(30))
        try log.close()
        XCTAssertTrue(try TestSupport.verify(dir).isValid)

        // A saved state that does not match the checkpoint is ignored, never trusted.
        let statePath = dir.appendingPathComponent(AuditLayout.stateFile)
        var state = try String(contentsOf: statePath, encoding: .utf8)
        state = state.replacingOccurrences(of: "\"size\":31", with: "\"size\":30")
        try state.write(to: statePath, atomically: true, encoding: .utf8)
        let reopened = try TestSupport.open(dir)
        XCTAssertFalse(reopened.openReport.resumedFromSavedState)
        XCTAssertEqual(reopened.size, 31)
        try reopened.close()
    }

    func testAlteredEntryCoveredByLatestCheckpointStopsASlowOpen() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 20, every: 10)
        try FileManager.default.removeItem(at: dir.appendingPathComponent(AuditLayout.stateFile))
        let segment = TestSupport.segmentURL(dir)
        var bytes = [UInt8](try Data(contentsOf: segment))
        let i = bytes.firstIndex(of: UInt8(ascii: "7"))!
        bytes[i] = UInt8(ascii: "8")
        try Data(bytes).write(to: segment)
        XCTAssertThrowsError(try TestSupport.open(dir)) {
            guard case .checkpointMismatch = $0 as? AuditError else { return XCTFail("\($0)") }
        }
    }

    func testEntriesInTimeRange() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 30)
        let start = Date(timeIntervalSince1970: 1_740_787_200 + 10 * 60)
        let log = try TestSupport.open(dir)
        let selected = try log.entries(in: DateInterval(start: start, duration: 5 * 60))
        XCTAssertEqual(selected.map { $0.details["seq"] }, ["10", "11", "12", "13", "14"])
        try log.close()
    }

    func testProofsFromTheLog() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 37, every: 10)
        let prover = try AuditProver(directory: dir, publicKey: TestSupport.publicKey(), origin: TestSupport.origin)
        XCTAssertEqual(prover.size, 37)
        let inclusion = try prover.inclusionProof(entry: 13)
        XCTAssertEqual(inclusion.proof.treeSize, 37)
        XCTAssertTrue(inclusion.isValid)
        XCTAssertEqual(try AuditEntry(line: inclusion.entryLine), TestSupport.entry(13))
        let text = try XCTUnwrap(inclusion.tlogProofText)
        XCTAssertTrue(text.hasPrefix("c2sp.org/tlog-proof@v1\nextra "))
        let parsed = try TlogProof(parsing: text)
        let key = try NoteVerifierKey(name: TestSupport.origin, publicKey: TestSupport.publicKey())
        XCTAssertEqual(try parsed.verify(key: key).size, 37)
        XCTAssertThrowsError(try parsed.verify(key: key, entryLine: try TestSupport.entry(14).canonicalLine()))

        let older = try prover.inclusionProof(entry: 3, treeSize: 10)
        XCTAssertEqual(older.checkpoint?.size, 10)
        XCTAssertTrue(older.isValid)

        let consistency = try prover.consistencyProof(from: 10)
        XCTAssertEqual(consistency.proof.toSize, 37)
        XCTAssertTrue(consistency.isValid)
        XCTAssertEqual(consistency.fromCheckpoint?.size, 10)
        XCTAssertEqual(consistency.toCheckpoint?.size, 37)
        XCTAssertTrue(consistency.proof.verify(fromRoot: consistency.fromCheckpoint!.rootHash,
                                               toRoot: consistency.toCheckpoint!.rootHash))
        XCTAssertThrowsError(try prover.inclusionProof(entry: 37))
        XCTAssertThrowsError(try prover.consistencyProof(from: 20, to: 10))
    }
}

/// A thread-safe collector for test results.
final class LockedList: Sendable {
    private let items = Mutex([UInt64]())
    func add(_ item: UInt64) { items.withLock { $0.append(item) } }
    var sorted: [UInt64] { items.withLock { $0.sorted() } }
}

final class CheckpointRetentionTests: XCTestCase {
    func testShortCommandsKeepABoundedSetOfCheckpointsAndTheLogStillVerifies() throws {
        // The finding: a workspace had 215 checkpoint files for 345 entries, one per command.
        let dir = try TestSupport.temporaryDirectory(self)
        for command in 0..<60 {
            let log = try AuditLog.open(directory: dir, signingKey: TestSupport.signingKey(), origin: TestSupport.origin,
                                        options: .init(checkpointEvery: 1000, keepCheckpointEvery: 50))
            for i in 0..<5 { _ = try log.append(TestSupport.entry(command * 5 + i)) }
            try log.close()  // signs a checkpoint, like every CLI command
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("checkpoints").path).sorted()
        // 300 entries in runs of 50: the newest of each of runs 0…5 plus the newest overall.
        XCTAssertEqual(files.count, 7, "\(files)")
        XCTAssertTrue(files.last?.hasPrefix("00000000000000000300") ?? false, "\(files)")
        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.entryCount, 300)
        XCTAssertEqual(result.entriesNotCheckpointed, 0)
    }
}
