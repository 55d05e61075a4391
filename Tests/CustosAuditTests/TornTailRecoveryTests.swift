import CustosAudit
import Foundation
import XCTest

/// Issue "Robustness", item 3: recovery never removes an entry that a signed checkpoint covers. A
/// covered final entry that lost only its newline gets it back; only a torn tail beyond the last signed
/// checkpoint is cut, and that is recorded in the log.
final class TornTailRecoveryTests: XCTestCase {
    private func segmentBytes(_ dir: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: TestSupport.segmentURL(dir))) }

    private func setSegment(_ dir: URL, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: TestSupport.segmentURL(dir))
    }

    /// `truncate -s -1`: the final newline of a signed entry is gone.
    func testTruncatingTheFinalNewlineOfASignedEntryRestoresItAndDropsNothing() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 10, every: 5)
        let original = try segmentBytes(dir)
        try setSegment(dir, Array(original.dropLast()))

        let log = try TestSupport.open(dir)
        XCTAssertEqual(log.openReport.repairedSegment, AuditLayout.segmentName(1))
        XCTAssertEqual(log.openReport.truncatedBytes, 0)
        XCTAssertEqual(log.openReport.entryCount, 10)
        let recovery = try XCTUnwrap(log.openReport.recoveryEntryIndex)
        XCTAssertEqual(recovery, 10)
        try log.close()
        let after = try segmentBytes(dir)
        XCTAssertEqual(Array(after.prefix(original.count)), original, "every signed entry is still there, byte for byte")
        let entries = try AuditLogReader(directory: dir).entries()
        XCTAssertEqual(entries.count, 11)
        XCTAssertEqual(entries[10].action, .auditRecover)
        XCTAssertTrue(try TestSupport.verify(dir).isValid)
    }

    /// Cutting further into the signed last entry (fuzzed shapes: 2…n bytes, and into the entry before):
    /// nothing can be restored, so open refuses and leaves the file exactly as found.
    func testCuttingIntoASignedEntryIsRefusedAndLeavesTheFileAsFound() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 10, every: 5)
        let original = try segmentBytes(dir)
        let lastLine = original.dropLast().lastIndex(of: 0x0A).map { original.count - $0 - 1 } ?? original.count
        for cut in [2, 3, lastLine / 2, lastLine - 1, lastLine, lastLine + 1, lastLine + 7] {
            let damaged = Array(original.dropLast(cut))
            try setSegment(dir, damaged)
            XCTAssertThrowsError(try TestSupport.open(dir), "cut \(cut)") { error in
                guard let error = error as? AuditError else { return XCTFail("\(error)") }
                switch error {
                case .corruptSegment, .checkpointAheadOfLog, .checkpointMismatch: break
                default: XCTFail("cut \(cut): \(error)")
                }
            }
            XCTAssertEqual(try segmentBytes(dir), damaged, "cut \(cut): open changed the segment")
            XCTAssertFalse(try TestSupport.verify(dir).isValid)
        }
        try setSegment(dir, original)
        XCTAssertTrue(try TestSupport.verify(dir).isValid)
    }

    /// A line whose newline was lost but that was altered as well is not "repaired" into the log.
    func testAnAlteredUnterminatedSignedEntryIsRefused() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 6, every: 3)
        var bytes = Array(try segmentBytes(dir).dropLast())
        let digit = try XCTUnwrap(bytes.lastIndex(of: UInt8(ascii: "5")))
        bytes[digit] = UInt8(ascii: "4")
        try setSegment(dir, bytes)
        XCTAssertThrowsError(try TestSupport.open(dir)) { error in
            guard case .checkpointMismatch = error as? AuditError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try segmentBytes(dir), bytes)
    }

    /// A torn line after the last signed checkpoint is cut (it was never durable) and the cut is recorded.
    func testATornLineBeyondTheLastSignedCheckpointIsCutAndRecorded() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 10, every: 5)
        let original = try segmentBytes(dir)
        try setSegment(dir, original + Array("{\"action\":\"job.ru".utf8))
        let log = try TestSupport.open(dir)
        XCTAssertEqual(log.openReport.truncatedBytes, 17)
        XCTAssertNil(log.openReport.repairedSegment)
        XCTAssertEqual(log.openReport.entryCount, 10)
        try log.close()
        XCTAssertEqual(Array(try segmentBytes(dir).prefix(original.count)), original)
        XCTAssertEqual(try AuditLogReader(directory: dir).entries().last?.action, .auditRecover)
        XCTAssertTrue(try TestSupport.verify(dir).isValid)
    }

    /// The same repair when the signed size comes from the anchor (checkpoint files intact too).
    func testTheRepairAlsoWorksForAnAnchoredLogAndVerifyNeverRepairs() throws {
        let root = try TestSupport.temporaryDirectory(self, "workspace")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let dir = root.appendingPathComponent("audit")
        let anchor = FileCheckpointAnchor(url: root.appendingPathComponent("anchor.note"))
        func open() throws -> AuditLog {
            try AuditLog.open(directory: dir, signingKey: TestSupport.signingKey(), origin: TestSupport.origin,
                              options: .init(checkpointEvery: 4, lockTimeout: 2, anchor: anchor))
        }
        let log = try open()
        for i in 0..<9 { try log.append(TestSupport.entry(i)) }
        try log.close()
        let original = try segmentBytes(dir)
        try setSegment(dir, Array(original.dropLast()))
        // The read-only verifier reports and changes nothing.
        let verdict = try ReadOnlyAuditLog(directory: dir, publicKey: TestSupport.publicKey(), origin: TestSupport.origin,
                                           anchor: anchor).verify()
        XCTAssertFalse(verdict.isValid)
        XCTAssertEqual(try segmentBytes(dir), Array(original.dropLast()))
        let reopened = try open()
        XCTAssertEqual(reopened.openReport.repairedSegment, AuditLayout.segmentName(1))
        try reopened.close()
        XCTAssertEqual(Array(try segmentBytes(dir).prefix(original.count)), original)
    }
}
