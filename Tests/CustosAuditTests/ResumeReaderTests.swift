import CustosAudit
import Foundation
import XCTest

/// `AuditLogReader.forEachLine(from:)`: a follower (the erasure ledger) reads only what was appended
/// since it last looked, across segment files, and starts over when its point no longer fits the log.
final class ResumeReaderTests: XCTestCase {
    func seqs(_ reader: AuditLogReader, from point: AuditLogReader.ResumePoint) throws -> (seen: [String], next: AuditLogReader.ResumePoint) {
        var seen: [String] = []
        let next = try reader.forEachLine(from: point) { (location, line) throws(AuditError) in
            let entry = try AuditEntry(line: line.assumingMemoryBound(to: UInt8.self), location: location.description)
            seen.append(entry.details["seq"] ?? "?")
            XCTAssertEqual(entry.details["seq"], String(location.index), "the index follows the log")
        }
        return (seen, next)
    }

    func testResumesAfterTheLastLineReadAcrossSegments() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        // Small segments: 25 entries span several files.
        try TestSupport.writeLog(dir, count: 25, segmentBytes: 2_000)
        let reader = AuditLogReader(directory: dir)
        let first = try seqs(reader, from: .start)
        XCTAssertEqual(first.seen, (0..<25).map(String.init))
        XCTAssertEqual(first.next.index, 25)
        XCTAssertGreaterThan(first.next.segment, 1, "the log rolled over into several segments")
        XCTAssertEqual(try seqs(reader, from: first.next).seen, [], "nothing new, nothing read")

        let log = try TestSupport.open(dir, segmentBytes: 2_000)
        for i in 25..<31 { try log.append(TestSupport.entry(i)) }
        try log.close()
        let second = try seqs(reader, from: first.next)
        XCTAssertEqual(second.seen, (25..<31).map(String.init))
        XCTAssertEqual(second.next.index, 31)
    }

    func testAPointThatNoLongerFitsTheLogStartsOver() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        try TestSupport.writeLog(dir, count: 5)
        let reader = AuditLogReader(directory: dir)
        let beyond = AuditLogReader.ResumePoint(index: 900, segment: 1, offset: 1_000_000)
        XCTAssertEqual(try seqs(reader, from: beyond).seen, (0..<5).map(String.init))
        let missingSegment = AuditLogReader.ResumePoint(index: 900, segment: 7, offset: 0)
        XCTAssertEqual(try seqs(reader, from: missingSegment).seen.count, 5)
    }
}
