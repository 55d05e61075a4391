import Foundation
import XCTest

/// The size limits on the command line: a refused file says which option raises the limit, the
/// option raises it for one run, and a nonsensical value is a usage error (exit 64).
final class InputLimitCommandTests: XCTestCase {
    func testAFieldOverTheLimitIsRefusedAndTheOptionRaisesIt() throws {
        let ws = try CLIWorkspace()
        let file = ws.root.deletingLastPathComponent().appendingPathComponent("\(ws.root.lastPathComponent)-big.csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let big = String(repeating: "x", count: 1 << 20)
        try Data("customer_id,full_name\r\nC1,\(big)\r\n".utf8).write(to: file)
        let operatorArgs = ["--principal", "oscar", "--role", "operator"]

        let refused = try ws.run(["ingest", "customers", file.path] + operatorArgs, as: "oscar")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("longer than 65536 bytes") && refused.stderr.contains("--max-field-kb"), refused.stderr)

        let usage = try ws.run(["ingest", "customers", file.path, "--max-field-kb", "0"] + operatorArgs, as: "oscar")
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("--max-field-kb must be at least 1"), usage.stderr)

        let small = try ws.run(["ingest", "customers", file.path, "--max-file-mb", "1"] + operatorArgs, as: "oscar")
        XCTAssertEqual(small.status, 1)
        XCTAssertTrue(small.stderr.contains("the limit for one batch is 1 MB") && small.stderr.contains("--max-file-mb"), small.stderr)

        let raised = try ws.run(["ingest", "customers", file.path, "--max-field-kb", "2048"] + operatorArgs, as: "oscar")
        XCTAssertEqual(raised.status, 0, raised.stderr)

        let consent = try ws.run(["consent", "import", file.path, "--max-rows-per-customer", "0", "--principal", "prefs", "--role", "consent_collector"],
                                 as: "prefs")
        XCTAssertEqual(consent.status, 64)
        XCTAssertTrue(consent.stderr.contains("--max-rows-per-customer must be at least 1"), consent.stderr)
    }
}
