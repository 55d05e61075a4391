import CustosAudit
import CustosCrypto
import CustosVault
import CustosEngine
import CustosSchema
import Foundation
import XCTest

/// SIGKILL in the middle of an ingest: the batch is either absent or whole, and re-running the
/// ingest completes it. The child is this test binary re-invoked on `ChildProcessTests`.
final class CrashTests: XCTestCase {
    static let rows = 60_000

    func testOrphanDataKeysOfAnIngestThatNeverCommittedAreRemovedOnOpen() throws {
        // The attack (or accident): kill -9 between creating a batch's data keys and committing the
        // batch left thousands of orphan wrapped keys per run.
        let f = try EngineFixture(customers: 20)
        let ws = f.engine.workspace
        let before = try ws.keys.dataKeyCount()
        XCTAssertEqual(before, try ws.records.allSubjects().count, "one key per stored subject")
        let ghosts = (0..<25).compactMap { _ in SubjectID(bytes: SecureRandom.bytes(count: 16)) }
        _ = try ws.keys.createDataKeys(for: ghosts)  // what a killed ingest leaves behind
        XCTAssertEqual(try ws.keys.dataKeyCount(), before + ghosts.count)
        try f.engine.close()
        let reopened = try Engine.open(ws)
        defer { try? reopened.close() }
        XCTAssertEqual(try ws.keys.dataKeyCount(), before, "orphans removed, every stored subject keeps its key")
        let entry = try XCTUnwrap(try reopened.audit.entries().last { $0.action == .keyShred })
        XCTAssertEqual(entry.details["orphan_keys"], String(ghosts.count))
        // Nothing stored was harmed: every subject's records still open.
        XCTAssertNoThrow(try reopened.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: MiningParameters()))
    }

    func testKilledIngestLeavesBatchAbsentOrWhole() throws {
        try killedIngest(root: try makeWorkspace().root)
    }

    /// The parent keeps no connection open while children run, as separate CLI processes would.
    private func killedIngest(root: URL) throws {
        var csv = "customer_id,order_id,order_time,amount,item_count,items,channel,country\n"
        for n in 0..<Self.rows {
            csv += "K\(n / 3),o\(n),2026-01-\(String(format: "%02d", 1 + n % 28))T10:00:00Z,\(n % 400).50,1,p\(n % 50),web,SE\n"
        }
        let file = root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + "-orders.csv")
        try Data(csv.utf8).write(to: file)
        // Time one uninterrupted child run on a copy, then kill others at fractions of that time so that
        // kills land in parsing, sealing and the commit itself.
        let copy = root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + "-timing")
        try FileManager.default.copyItem(at: root, to: copy)
        let timing = try runChild(workspace: copy, file: file)
        let started = Date()
        timing.waitUntilExit()
        let duration = Date().timeIntervalSince(started)
        XCTAssertEqual(try Workspace.open(at: copy).records.counts(dataset: "orders").rows, Self.rows)
        var outcomes: [Int] = []
        for fraction in [0.3, 0.8, 0.95, 1.05, 1.3, 2.0] {
            let child = try runChild(workspace: root, file: file)
            Thread.sleep(forTimeInterval: duration * fraction)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let reopened = try Workspace.open(at: root)
            let rows = try reopened.records.counts(dataset: "orders").rows
            XCTAssertTrue(rows == 0 || rows == Self.rows, "after SIGKILL at \(fraction) of the run the store holds \(rows) rows: neither absent nor whole")
            outcomes.append(rows)
        }
        // Re-running the ingest completes the batch exactly once.
        let reopened = try Workspace.open(at: root)
        _ = try IngestService(vault: reopened.vault).ingest(file: file, dataset: try reopened.catalog.dataset("orders"))
        XCTAssertEqual(try reopened.records.counts(dataset: "orders").rows, Self.rows)
        print("rows present after each SIGKILL: \(outcomes)")
    }

    private func runChild(workspace: URL, file: URL) throws -> Process {
        let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["CustosEngineTests.ChildProcessTests/testIngestUntilKilled"]
            child.environment = ProcessInfo.processInfo.environment.merging(
                ["CUSTOS_CRASH_WORKSPACE": workspace.path, "CUSTOS_CRASH_FILE": file.path]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        return child
    }
}

/// Runs only as the child of `CrashTests` (skipped otherwise).
final class ChildProcessTests: XCTestCase {
    func testIngestUntilKilled() throws {
        let env = ProcessInfo.processInfo.environment
        guard let root = env["CUSTOS_CRASH_WORKSPACE"], let file = env["CUSTOS_CRASH_FILE"] else {
            throw XCTSkip("runs only as the child process of CrashTests")
        }
        let ws = try Workspace.open(at: URL(fileURLWithPath: root))
        _ = try IngestService(vault: ws.vault).ingest(file: URL(fileURLWithPath: file), dataset: try ws.catalog.dataset("orders"))
    }
}
