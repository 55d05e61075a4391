import CustosAudit
import CustosClient
import CustosServer
import Foundation
import XCTest

/// The consent ledger over HTTP: customers only in bodies, every change and refusal audited.
final class ConsentAPITests: XCTestCase {
    func testACollectorGrantsAndWithdrawsAndAnOfficerReadsTheHistory() async throws {
        let server = try await ServerFixture.start(customers: 20)
        let body = #"{"customer":"C0000003","purpose":"marketing.segmentation","language":"en","channel":"web","collector":"shop"}"#
        let granted = try await server.client("prefs").send("POST", "/v1/consent/grant", json: Data(body.utf8))
        XCTAssertEqual(try granted.decode([String: String].self)["action"], "granted")
        XCTAssertFalse(try server.entries(request: granted.header("x-request-id")).isEmpty, "the grant is audited with the request id")
        _ = try await server.client("prefs").send("POST", "/v1/consent/withdraw", json: Data(body.utf8))
        let history = try await server.client("dana").send("POST", "/v1/consent/history", json: Data(#"{"customer":"C0000003"}"#.utf8))
        let records = try history.decode([String: AnyJSON].self)["records"]
        guard case let .array(list)? = records else { return XCTFail("no records: \(history.text)") }
        XCTAssertEqual(list.suffix(2).map { $0["action"] }, [.string("granted"), .string("withdrawn")])
        XCTAssertFalse(history.text.contains("C0000003"), "the answer does not echo the identifier")
        XCTAssertTrue(try server.entries(request: history.header("x-request-id")).contains { $0.action == .vaultRead })
        await server.stop()
    }

    func testConsentRefusalsAreAudited() async throws {
        let server = try await ServerFixture.start(customers: 5)
        let body = #"{"customer":"C0000001","purpose":"marketing.segmentation"}"#
        try server.assertAuditedRefusal(await server.client(token: nil).problem("POST", "/v1/consent/grant", json: body), 401)
        try server.assertAuditedRefusal(await server.client("alice").problem("POST", "/v1/consent/grant", json: body), 403)
        try server.assertAuditedRefusal(await server.client("alice").problem("POST", "/v1/consent/history", json: #"{"customer":"C0000001"}"#), 403)
        let malformed = await server.client("prefs").problem("POST", "/v1/consent/withdraw", json: #"{"customer": 5"#)
        try server.assertAuditedRefusal(malformed, 400)
        XCTAssertEqual(malformed?.slug, "malformed-json")
        let missing = await server.client("prefs").problem("POST", "/v1/consent/grant", json: #"{"customer":"C0000001"}"#)
        XCTAssertTrue(missing?.detail?.contains("purpose") ?? false)
        let huge = #"{"customer":""# + String(repeating: "x", count: 2 << 20) + #"","purpose":"p"}"#
        try server.assertAuditedRefusal(await server.client("prefs").problem("POST", "/v1/consent/grant", json: huge), 413)
        await server.stop()
    }

    func testAConsentFileIsImportedAsAJobAndItsSpoolShredded() async throws {
        let server = try await ServerFixture.start(customers: 5)
        let file = try server.scratchFile("consents.jsonl",
            #"{"customer_id":"C0000002","purpose":"analytics.reporting","action":"granted","notice_version":"2025-02","time":"2025-01-01T00:00:00Z","language":"en","channel":"web","collector":"api-test"}"# + "\n")
        let job = try await server.client("prefs").upload("/v1/consent/import", file: file, contentType: "application/x-ndjson",
                                                          headers: [("Prefer", "wait=60")]).decode([String: AnyJSON].self)
        XCTAssertEqual(job["kind"], .string("consent-import"))
        XCTAssertEqual(job["state"], .string("succeeded"))
        server.assertNoSpoolLeft()
        do {
            _ = try await server.client("alice").upload("/v1/consent/import", file: file, contentType: "text/plain")
            XCTFail("text/plain is not a consent file")
        } catch let problem as APIProblem { try server.assertAuditedRefusal(problem, 415) }
        await server.stop()
    }

    func testAFileWithoutTheIdentifierColumnIsRefusedBeforeAnyJobAndShredded() async throws {
        let server = try await ServerFixture.start(customers: 0)
        for (name, body, type) in [("no-header.csv", "false", "text/csv"), ("wrong.csv", "\u{FEFF}email,purpose\r\nx@y.z,a\r\n", "text/csv"),
                                   ("not-json.jsonl", "false\n", "application/x-ndjson")] {
            let file = try server.scratchFile(name, body)
            do {
                _ = try await server.client("prefs").upload("/v1/consent/import", file: file, contentType: type)
                XCTFail("\(name) must be refused")
            } catch let problem as APIProblem {
                XCTAssertEqual(problem.status, 400, name)
                XCTAssertTrue(problem.detail?.contains("customer_id") ?? false, name)
                XCTAssertFalse(problem.detail?.contains("x@y.z") ?? true, "nothing of the file is echoed")
            }
        }
        server.assertNoSpoolLeft()
        await server.stop()
    }
}
