import CustosAudit
import CustosClient
import CustosEngine
import CustosServer
import Foundation
import XCTest

/// The audit log over HTTP, read-only: verify, report, checkpoint, proofs; for officers and operators.
final class AuditAPITests: XCTestCase {
    func testAnOfficerVerifiesReportsAndProves() async throws {
        let server = try await ServerFixture.start(customers: 5)
        let dana = server.client("dana")
        _ = try server.service.engine.audit.checkpoint()
        let before = try server.auditEntries().count
        let verified = try await dana.send("POST", "/v1/audit/verify").decode([String: AnyJSON].self)
        XCTAssertEqual(verified["valid"], .bool(true))
        let report = try await dana.send("GET", "/v1/audit/report").decode([String: AnyJSON].self)
        XCTAssertNotNil(report["entryCount"])
        let html = try await dana.send("GET", "/v1/audit/report?from=2000-01-01&to=2999-12-31", accept: "text/html")
        XCTAssertTrue(html.text.lowercased().contains("<html"))
        let text = try await dana.send("GET", "/v1/audit/report", accept: "text/plain")
        XCTAssertTrue(text.text.contains("accesses:"), text.text)
        let checkpoint = try await dana.send("GET", "/v1/audit/checkpoint").decode([String: AnyJSON].self)
        let size = try XCTUnwrap(checkpoint["size"]?.number)
        XCTAssertTrue(checkpoint["note"]?.string?.contains("\n\n— ") ?? false)
        let inclusion = try await dana.send("POST", "/v1/audit/prove", json: Data(#"{"entry":0}"#.utf8)).decode([String: AnyJSON].self)
        XCTAssertNotNil(inclusion)
        let tlog = try await dana.send("POST", "/v1/audit/prove", json: Data(#"{"entry":0,"format":"tlog"}"#.utf8), accept: "text/plain")
        XCTAssertTrue(tlog.text.hasPrefix("c2sp.org/tlog-proof@v1"), tlog.text)
        _ = try await dana.send("POST", "/v1/audit/prove", json: Data(#"{"old_size":1,"size":\#(Int(size))}"#.utf8))
        XCTAssertEqual(try server.auditEntries().count, before, "reading the log appends nothing")
        await server.stop()
    }

    func testAuditRefusalsAreAudited() async throws {
        let server = try await ServerFixture.start(customers: 0)
        try server.assertAuditedRefusal(await server.client(token: nil).problem("POST", "/v1/audit/verify"), 401)
        for (method, path) in [("POST", "/v1/audit/verify"), ("GET", "/v1/audit/report"), ("GET", "/v1/audit/checkpoint")] {
            try server.assertAuditedRefusal(await server.client("alice").problem(method, path), 403)
        }
        try server.assertAuditedRefusal(await server.client("mika").problem("POST", "/v1/audit/prove", json: #"{"entry":0}"#), 403)
        try server.assertAuditedRefusal(await server.client("dana").problem("POST", "/v1/audit/prove", json: "{entry"), 400)
        let both = await server.client("dana").problem("POST", "/v1/audit/prove", json: #"{"entry":0,"old_size":1}"#)
        XCTAssertEqual(both?.status, 400)
        let badDate = await server.client("dana").problem("GET", "/v1/audit/report?from=yesterday")
        XCTAssertEqual(badDate?.status, 400)
        await server.stop()
    }
}
