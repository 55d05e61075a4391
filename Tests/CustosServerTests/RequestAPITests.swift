import CustosAudit
import CustosClient
import CustosServer
import Foundation
import XCTest

/// Data-subject requests over HTTP: every step the CLI's `dsr` has, ids in paths, people only in bodies.
final class RequestAPITests: XCTestCase {
    func file(_ server: ServerFixture, _ json: String = #"{"type":"access","email":"someone@example.com","customer":"C0000001"}"#) async throws -> String {
        let filed = try await server.client("dana").send("POST", "/v1/requests", json: Data(json.utf8)).decode([String: AnyJSON].self)
        return try XCTUnwrap(filed["id"]?.string)
    }

    func testAnOfficerWalksARequestThroughItsSteps() async throws {
        let server = try await ServerFixture.start(customers: 10)
        let dana = server.client("dana")
        let id = try await file(server)
        XCTAssertTrue(id.hasPrefix("DSR-"))
        let register = try await dana.send("GET", "/v1/requests").decode([String: AnyJSON].self)
        guard case let .array(list)? = register["requests"] else { return XCTFail("no register") }
        XCTAssertTrue(list.contains { $0["id"] == .string(id) })
        let shown = try await dana.send("GET", "/v1/requests/\(id)")
        XCTAssertEqual(try shown.decode([String: AnyJSON].self)["state"], .string("received"))
        XCTAssertFalse(shown.text.contains("someone@example.com"), "no contact in the view")
        let sent = try await dana.send("POST", "/v1/requests/\(id)/send-code").decode([String: AnyJSON].self)
        XCTAssertNotNil(sent["outcome"]?.string)
        let wrong = try await dana.send("POST", "/v1/requests/\(id)/verify", json: Data(#"{"code":"000000"}"#.utf8)).decode([String: AnyJSON].self)
        XCTAssertNotEqual(wrong["outcome"], .string("verified"))
        // Not verified: approval is refused, with what to do.
        let early = await dana.problem("POST", "/v1/requests/\(id)/approve")
        XCTAssertNotNil(early, "an unverified request is not approved")
        let extended = try await dana.send("POST", "/v1/requests/\(id)/extend", json: Data(#"{"months":1,"reasons":["complex"]}"#.utf8))
        XCTAssertEqual(try extended.decode([String: AnyJSON].self)["id"], .string(id))
        let refused = try await dana.send("POST", "/v1/requests/\(id)/refuse", json: Data(#"{"reasons":["manifestly unfounded"]}"#.utf8))
        XCTAssertEqual(try refused.decode([String: AnyJSON].self)["state"], .string("refused"))
        let fulfil = await dana.problem("POST", "/v1/requests/\(id)/fulfil")
        XCTAssertNotNil(fulfil, "a refused request is not fulfilled")
        let answer = await dana.problem("GET", "/v1/requests/\(id)/answer")
        XCTAssertNotNil(answer, "a refused request has no answer")
        let outbox = try await dana.send("POST", "/v1/outbox/run", json: Data(#"{"deliver":false}"#.utf8)).decode([String: Int].self)
        XCTAssertNotNil(outbox["waiting"])
        let steps = try server.entries(request: refused.header("x-request-id"))
        XCTAssertFalse(steps.isEmpty, "the refusal step is audited with the request id")
        await server.stop()
    }

    func testLegalHoldsArePlacedAndLiftedByAnOfficerOnly() async throws {
        let server = try await ServerFixture.start(customers: 10)
        let hold = #"{"customer":"C0000002","case":"CASE-2025.7"}"#
        try server.assertAuditedRefusal(await server.client("alice").problem("POST", "/v1/legal-holds/place", json: hold), 403)
        _ = try await server.client("dana").send("POST", "/v1/legal-holds/place", json: Data(hold.utf8))
        let lifted = try await server.client("dana").send("POST", "/v1/legal-holds/lift", json: Data(hold.utf8)).decode([String: AnyJSON].self)
        XCTAssertEqual(lifted["holds_left"], .number(0))
        await server.stop()
    }

    func testRequestRefusalsAreAudited() async throws {
        let server = try await ServerFixture.start(customers: 5)
        let body = #"{"type":"access","email":"x@example.com","customer":"C0000001"}"#
        try server.assertAuditedRefusal(await server.client(token: nil).problem("POST", "/v1/requests", json: body), 401)
        try server.assertAuditedRefusal(await server.client("alice").problem("POST", "/v1/requests", json: body), 403)
        try server.assertAuditedRefusal(await server.client("alice").problem("GET", "/v1/requests"), 403)
        try server.assertAuditedRefusal(await server.client("dana").problem("POST", "/v1/requests", json: "[1,"), 400)
        let huge = #"{"type":"access","email":""# + String(repeating: "a", count: 2 << 20) + #""}"#
        try server.assertAuditedRefusal(await server.client("dana").problem("POST", "/v1/requests", json: huge), 413)
        let badType = await server.client("dana").problem("POST", "/v1/requests", json: #"{"type":"gossip","email":"x@example.com"}"#)
        XCTAssertEqual(badType?.status, 400)
        let bothContacts = await server.client("dana").problem("POST", "/v1/requests", json: #"{"type":"access","email":"x@example.com","phone":"+4670"}"#)
        XCTAssertEqual(bothContacts?.status, 400)
        XCTAssertFalse(bothContacts?.detail?.contains("x@example.com") ?? true, "no personal data in errors")
        let id = try await file(server)
        try server.assertAuditedRefusal(await server.client("alice").problem("POST", "/v1/requests/\(id)/approve"), 403)
        try server.assertAuditedRefusal(await server.client("oscar").problem("POST", "/v1/outbox/run"), 403)
        await server.stop()
    }
}
