import CustosAudit
import CustosCrypto
import Foundation
import XCTest

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
