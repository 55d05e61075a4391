import CustosAudit
import CustosClient
import CustosServer
import Foundation
import XCTest

/// ROPA, key rotation and backups over HTTP.
final class OperationsAPITests: XCTestCase {
    func testROPAInEachRepresentation() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let json = try await server.client("dana").send("GET", "/v1/reports/ropa").decode([String: AnyJSON].self)
        XCTAssertNotNil(json["activities"])
        let text = try await server.client("oscar").send("GET", "/v1/reports/ropa", accept: "text/plain").text
        XCTAssertTrue(text.hasPrefix("Record of processing activities"), text)
        let html = try await server.client("dana").send("GET", "/v1/reports/ropa", accept: "text/html").text
        XCTAssertTrue(html.lowercased().contains("<html"))
        try server.assertAuditedRefusal(await server.client("alice").problem("GET", "/v1/reports/ropa"), 403)
        await server.stop()
    }

    func testAnOperatorRotatesKeysAndOthersAreRefused() async throws {
        let server = try await ServerFixture.start(customers: 3)
        try server.assertAuditedRefusal(await server.client("dana").problem("POST", "/v1/keys/rotate"), 403)
        try server.assertAuditedRefusal(await server.client(token: nil).problem("POST", "/v1/keys/rotate"), 401)
        let rotated = try await server.client("oscar").send("POST", "/v1/keys/rotate")
        XCTAssertEqual(try rotated.decode([String: Int].self)["kek_version"], 2)
        XCTAssertTrue(try server.entries(request: rotated.header("x-request-id")).contains { $0.action == .keyRotate })
        await server.stop()
    }

    func testABackupGoesOnlyOutsideTheWorkspace() async throws {
        let server = try await ServerFixture.start(customers: 3)
        let outside = server.root.deletingLastPathComponent().appendingPathComponent("\(server.root.lastPathComponent)-backup").path
        defer { try? FileManager.default.removeItem(atPath: outside) }
        for inside in [server.root.appendingPathComponent("keys/b").path, server.root.appendingPathComponent("b").path] {
            let refused = await server.client("oscar").problem("POST", "/v1/backup", json: #"{"destination":"\#(inside)"}"#)
            XCTAssertEqual(refused?.status, 400)
        }
        let relative = await server.client("oscar").problem("POST", "/v1/backup", json: #"{"destination":"relative/b"}"#)
        XCTAssertEqual(relative?.status, 400)
        try server.assertAuditedRefusal(await server.client("dana").problem("POST", "/v1/backup", json: #"{"destination":"\#(outside)"}"#), 403)
        try server.assertAuditedRefusal(await server.client("oscar").problem("POST", "/v1/backup", json: #"{"to":1}"#), 400)
        let done = try await server.client("oscar").send("POST", "/v1/backup", json: Data(#"{"destination":"\#(outside)"}"#.utf8))
        XCTAssertNotNil(try done.decode([String: AnyJSON].self)["audit_size"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside + "/manifest.json"))
        await server.stop()
    }
}
