import CustosAudit
import CustosClient
import Foundation
import XCTest

extension ServerFixture {
    /// Audit entries written for one request id.
    func entries(request id: String?) throws -> [AuditEntry] {
        guard let id else { return [] }
        return try auditEntries().filter { $0.details["request_id"] == id }
    }

    /// Asserts the refusal has `status` and left a deny entry carrying its request id.
    func assertAuditedRefusal(_ problem: APIProblem?, _ status: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(problem?.status, status, problem.map { "\($0)" } ?? "no refusal", file: file, line: line)
        let denials = try entries(request: problem?.instance).filter { $0.decision == .deny }
        XCTAssertFalse(denials.isEmpty, "the refusal \(problem?.slug ?? "-") is audited with its request id", file: file, line: line)
    }

    /// A file in the test's temporary folder (outside the workspace).
    func scratchFile(_ name: String, _ contents: String) throws -> URL {
        let url = root.deletingLastPathComponent().appendingPathComponent("\(root.lastPathComponent)-\(name)")
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// The service's upload folder is empty (every spool shredded).
    func assertNoSpoolLeft(file: StaticString = #filePath, line: UInt = #line) {
        let tmp = root.appendingPathComponent("tmp")
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).filter { $0.hasPrefix("upload-") }
        XCTAssertEqual(left, [], file: file, line: line)
    }
}
