import CustosVault
import CustosAudit
import CustosCrypto
@testable import CustosEngine
import Foundation
import XCTest

/// The engine anchors its audit log in the store's settings, and read-only commands never write to
/// `audit/` (issue "Trust hardening", audit section).
final class AuditAnchorTests: XCTestCase {
    private func fingerprint(_ directory: URL) throws -> [String: String] {
        var out = [String: String]()
        let base = directory.standardizedFileURL.path
        for case let relative as String in FileManager.default.enumerator(atPath: base) ?? FileManager.DirectoryEnumerator() {
            var isDirectory: ObjCBool = false
            let path = base + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                out[relative + "/"] = "dir"
                continue
            }
            out[relative] = SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).hexString
        }
        return out
    }

    private func workspaceWithEntries(_ count: Int) throws -> Workspace {
        let ws = try makeWorkspace()
        addTeardownBlock { try? FileManager.default.removeItem(at: ws.root) }
        let engine = try Engine.open(ws)
        for i in 0..<count {
            try engine.record(AuditEntry(actor: "os:operator", role: "operator", action: .keyRotate, details: ["n": String(i)]))
        }
        try engine.close()
        return ws
    }

    func testTheEngineRecordsTheLatestSignedCheckpointOutsideAudit() throws {
        let ws = try workspaceWithEntries(4)
        let anchored = try XCTUnwrap(try ws.settings.setting(SettingsCheckpointAnchor.settingName))
        let latest = try XCTUnwrap(try Engine.readOnlyAudit(ws).latestCheckpoint())
        XCTAssertEqual(anchored, latest.signedNote)
        let result = try Engine.readOnlyAudit(ws).verify()
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.anchoredSize, latest.size)
    }

    func testVerifyAndReportLeaveTheAuditDirectoryByteIdentical() throws {
        let ws = try workspaceWithEntries(3)
        let before = try fingerprint(ws.auditDirectory)
        let engine = try Engine.open(ws)
        let opened = try fingerprint(ws.auditDirectory)
        XCTAssertTrue(try engine.verifyAudit().isValid)
        _ = try ReportService.auditReport(ws, from: nil, to: nil, format: "json")
        _ = try Engine.readOnlyAudit(ws).prover()
        XCTAssertEqual(try fingerprint(ws.auditDirectory), opened, "verify, report or prove wrote to audit/")
        try engine.close()
        XCTAssertTrue(try Engine.readOnlyAudit(ws).verify().isValid)
        XCTAssertEqual(try fingerprint(ws.auditDirectory).keys.sorted(), before.keys.sorted())
    }

    func testDeletingCheckpointsAndStateThenEditingALineIsRefusedByTheEngineAndNothingIsSigned() throws {
        let ws = try workspaceWithEntries(5)
        let audit = ws.auditDirectory
        let checkpoints = audit.appendingPathComponent("checkpoints")
        for name in try FileManager.default.contentsOfDirectory(atPath: checkpoints.path) {
            try FileManager.default.removeItem(at: checkpoints.appendingPathComponent(name))
        }
        try FileManager.default.removeItem(at: audit.appendingPathComponent("merkle-state.json"))
        let segment = audit.appendingPathComponent("segments/00000001.jsonl")
        let text = try String(contentsOf: segment, encoding: .utf8)
        try text.replacingOccurrences(of: "\"n\":\"2\"", with: "\"n\":\"7\"").write(to: segment, atomically: true, encoding: .utf8)
        let before = try fingerprint(audit)

        XCTAssertThrowsError(try Engine.open(ws)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("data/vault.sqlite setting audit_anchor"), message)
            XCTAssertTrue(message.contains("Nothing was written or signed"), message)
        }
        let result = try Engine.readOnlyAudit(ws).verify()
        XCTAssertFalse(result.isValid)
        XCTAssertTrue(result.problems.contains { $0.kind == .anchor }, result.summary)
        let report = try ReportService.auditReport(ws, from: nil, to: nil, format: "json")
        XCTAssertTrue(report.contains("\"valid\":false"), "the report shows the failed verification")
        XCTAssertEqual(try fingerprint(audit), before, "the refused open or the verifier wrote to audit/")
    }
}
