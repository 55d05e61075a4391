import CustosAudit
import Foundation
import XCTest

/// Kills a writer process with SIGKILL in the middle of heavy concurrent logging, then reopens the log.
final class CrashRecoveryTests: XCTestCase {
    static let childVariable = "CUSTOS_AUDIT_CRASH_CHILD"

    /// The child side: runs only when re-invoked by `testRecoveryAfterSIGKILL` (skipped otherwise).
    /// Twelve threads append until the process is killed; after each append returns (entry durable) the
    /// thread records "index seq" in an acknowledgement file.
    func testCrashChildWriter() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childVariable] else {
            throw XCTSkip("helper process for testRecoveryAfterSIGKILL; runs only when re-invoked by it")
        }
        let dir = URL(fileURLWithPath: path)
        let log = try TestSupport.open(dir, every: 64, segmentBytes: 48_000)
        let ackPath = dir.deletingLastPathComponent().appendingPathComponent("acks.txt").path
        let ackFD = open(ackPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        TestSupport.runThreads(12) { thread in
            var seq = thread * 10_000_000
            while true {
                seq += 1
                guard let index = try? log.append(TestSupport.entry(seq)) else { continue }
                let line = Array("\(index) \(seq)\n".utf8)
                _ = line.withUnsafeBytes { write(ackFD, $0.baseAddress, $0.count) }
            }
        }
    }

    func testRecoveryAfterSIGKILL() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let ackURL = dir.deletingLastPathComponent().appendingPathComponent("acks.txt")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        child.arguments = ["CustosAuditTests.CrashRecoveryTests/testCrashChildWriter"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = dir.path
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Let it log until it has acknowledged a few thousand entries (at most 120 s).
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let data = try? Data(contentsOf: ackURL), data.filter({ $0 == 0x0A }).count >= 3000 { break }
            usleep(20_000)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)

        let checkpointNames = try FileManager.default.contentsOfDirectory(
            atPath: dir.appendingPathComponent("checkpoints").path)
        let signedSizes = checkpointNames.compactMap(AuditLayout.checkpointSize)
        let largestSigned = try XCTUnwrap(signedSizes.max(), "the child signed no checkpoint")
        XCTAssertGreaterThan(largestSigned, 0)

        // If the kill did not happen to tear a line, tear one the way an interrupted write would. (The last
        // segment may also be empty when the kill came right after a roll.)
        var lastSegment = 1
        while FileManager.default.fileExists(atPath: TestSupport.segmentURL(dir, lastSegment + 1).path) { lastSegment += 1 }
        let segmentURL = TestSupport.segmentURL(dir, lastSegment)
        let tail = try Data(contentsOf: segmentURL).last
        if tail == nil || tail == 0x0A {
            let handle = try FileHandle(forWritingTo: segmentURL)
            try handle.seekToEnd()
            try handle.write(contentsOf: Array(try TestSupport.entry(-1).canonicalLine().prefix(40)))
            try handle.close()
        }

        let log = try TestSupport.open(dir)
        XCTAssertGreaterThan(log.openReport.truncatedBytes, 0)
        XCTAssertNotNil(log.openReport.recoveryEntryIndex)
        XCTAssertGreaterThanOrEqual(log.openReport.entryCount, largestSigned, "a signed entry went missing")
        try log.close()

        let result = try TestSupport.verify(dir)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.entriesNotCheckpointed, 0)
        XCTAssertEqual(result.checkpointsMatchingEntries, result.checkpointCount)

        // Every acknowledged append is present, at the index it was given.
        let entries = try AuditLogReader(directory: dir).entries()
        let acks = String(decoding: try Data(contentsOf: ackURL), as: UTF8.self).split(separator: "\n")
        var checked = 0
        for ack in acks {
            let parts = ack.split(separator: " ")
            guard parts.count == 2, let index = Int(parts[0]) else { continue }  // a torn last ack line
            XCTAssertLessThan(index, entries.count)
            if index < entries.count { XCTAssertEqual(entries[index].details["seq"], String(parts[1])) }
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3000)
        XCTAssertEqual(entries.last?.action, .auditRecover)
    }
}
