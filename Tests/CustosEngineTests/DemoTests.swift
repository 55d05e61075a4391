import CustosDemo
import CustosEngine
import Foundation
import XCTest

/// The demo end to end on a small population: it passes its own checks, and it leaves no customer
/// data outside the workspace (the plaintext sources used to sit beside it, 0644, including the
/// customer it then erased and reported as "in no file").
final class DemoTests: XCTestCase {
    func testTheDemoLeavesNoPlaintextCustomerDataAnywhere() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("custos-demo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        var options = Demo.Options()
        options.workspace = parent.appendingPathComponent("ws")
        options.customers = 300
        var lines: [String] = []
        let result = try Demo(options: options) { lines.append($0) }.run()
        XCTAssertTrue(result.auditVerified, lines.joined(separator: "\n"))
        XCTAssertEqual(result.plaintextFindings, [], "nothing readable in the workspace")
        // Nothing but the workspace (and the officer's key, which holds no customer data) was written beside it.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
        XCTAssertFalse(siblings.contains { $0.hasSuffix("-sources") }, "\(siblings)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: parent.appendingPathComponent("ws/staging").path), "staged sources are shredded")
        let text = lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("overwritten and deleted after ingest"), text)
    }
}
