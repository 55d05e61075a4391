import CustosAudit
import CustosClient
import CustosServer
import Foundation
import XCTest

/// `POST /v1/datasets/{name}/ingest`: a streamed upload, a job, the spool shredded whatever happens.
final class IngestAPITests: XCTestCase {
    static let header = "customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\n"
    static let rows = "C9000001,new1@example.com,+46701234567,Ny Kund,1980-01-02,11122,SE,female,2024-01-01,gold\r\n"
        + "C9000002,new2@example.com,+46701234568,Ny Kund Två,1981-02-03,11123,SE,male,2024-02-01,silver\n"

    func testAnOperatorIngestsAStreamedCSVAsAJobAndTheSpoolIsShredded() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let file = try server.scratchFile("ingest.csv", "\u{FEFF}" + Self.header + Self.rows)
        let response = try await server.client("oscar").upload("/v1/datasets/customers/ingest?skip_invalid=true", file: file, contentType: "text/csv",
                                                               headers: [("Prefer", "wait=60")])
        let job = try response.decode([String: AnyJSON].self)
        XCTAssertEqual(job["state"], .string("succeeded"), response.text)
        let id = try XCTUnwrap(job["id"]?.string)
        let result = try await server.client("oscar").send("GET", "/v1/jobs/\(id)/result").decode([String: AnyJSON].self)
        XCTAssertEqual(result["rows_read"], .number(2), "\(result)")
        XCTAssertEqual(result["dataset"], .string("customers"))
        let text = try await server.client("oscar").send("GET", "/v1/jobs/\(id)/result", accept: "text/plain").text
        XCTAssertTrue(text.contains("2 rows read"), text)
        server.assertNoSpoolLeft()
        let tmp = try FileManager.default.attributesOfItem(atPath: server.root.appendingPathComponent("tmp").path)
        XCTAssertEqual((tmp[.posixPermissions] as? Int) ?? 0, 0o700)
        let batch = try server.entries(request: response.header("x-request-id")).filter { $0.action == .ingestBatch }
        XCTAssertEqual(batch.map(\.decision), [.allow])
        await server.stop()
    }

    func testAnInvalidBatchIsRejectedWholeUnlessSkipInvalidAndTheSpoolIsShredded() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let file = try server.scratchFile("bad.csv", Self.header + Self.rows + "C9000003,not-an-email,x,Y,not-a-date,1,SE,f,2024-01-01,gold\n")
        // A job that fails while the client waits answers with its problem (the job stays readable).
        do {
            _ = try await server.client("oscar").upload("/v1/datasets/customers/ingest", file: file, contentType: "text/csv",
                                                        headers: [("Prefer", "wait=60")])
            XCTFail("an invalid batch must be refused")
        } catch let problem as APIProblem {
            XCTAssertEqual(problem.status, 422)
            XCTAssertTrue(problem.detail?.contains("1 of 3 rows are invalid") ?? false, "\(problem)")
            XCTAssertFalse(problem.detail?.contains("not-an-email") ?? true, "the invalid value is not echoed")
        }
        server.assertNoSpoolLeft()
        await server.stop()
    }

    func testIngestRefusalsAreAuditedAndLeaveNoSpool() async throws {
        var limits = ServiceLimits()
        limits.upload = 64
        let server = try await ServerFixture.start(customers: 0, limits: limits)
        let small = try server.scratchFile("small.csv", Self.header.prefix(60) + "\n")
        let big = try server.scratchFile("big.csv", Self.header + Self.rows)
        // No token.
        do {
            _ = try await server.client(token: nil).upload("/v1/datasets/customers/ingest", file: small, contentType: "text/csv")
            XCTFail("no token must be refused")
        } catch let problem as APIProblem { try server.assertAuditedRefusal(problem, 401) }
        // Wrong role: the engine refuses the analyst's job and audits it with the request id.
        do {
            _ = try await server.client("alice").upload("/v1/datasets/customers/ingest", file: small, contentType: "text/csv",
                                                        headers: [("Prefer", "wait=60")])
            XCTFail("an analyst may not ingest")
        } catch let problem as APIProblem {
            XCTAssertEqual(problem.status, 403)
            XCTAssertEqual(try server.entries(request: problem.instance).map(\.decision), [.deny])
        }
        // Unknown media type and an oversized body.
        for (file, type, status) in [(small, "application/pdf", 415), (big, "text/csv", 413)] {
            do {
                _ = try await server.client("oscar").upload("/v1/datasets/customers/ingest", file: file, contentType: type)
                XCTFail("\(type) must be refused")
            } catch let problem as APIProblem { try server.assertAuditedRefusal(problem, status) }
        }
        let flag = await server.client("oscar").problem("POST", "/v1/datasets/customers/ingest?skip_invalid=yes")
        XCTAssertEqual(flag?.status, 400)
        server.assertNoSpoolLeft()
        await server.stop()
    }
}
