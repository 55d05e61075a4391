import CustosAudit
import CustosClient
import CustosServer
import Foundation
import XCTest

/// Every operation needs a principal; every refusal is a problem and an audit entry naming the
/// request, never the token.
final class AuthenticationTests: XCTestCase {
    func testNoTokenWrongTokenWrongRoleAreRefusedAndAudited() async throws {
        let server = try await ServerFixture.start(customers: 0)
        do {
            let noToken = await server.client(token: nil).problem("GET", "/v1/session")
            XCTAssertEqual(noToken?.status, 401)
            XCTAssertEqual(noToken?.slug, "unauthenticated")
            let forged = "custos_" + String(repeating: "A", count: 43)
            let wrong = await server.client(token: forged).problem("GET", "/v1/budget")
            XCTAssertEqual(wrong?.status, 401)
            let notHeld = await server.client("alice", role: "compliance_officer").problem("GET", "/v1/session")
            XCTAssertEqual(notHeld?.status, 403)
            XCTAssertEqual(notHeld?.slug, "denied")
            // Several roles and none chosen: the principal must say which.
            let ambiguous = await server.client("sam").problem("GET", "/v1/session")
            XCTAssertEqual(ambiguous?.status, 400)

            let denials = try server.auditEntries().filter { $0.action == .requestDenied }
            XCTAssertEqual(denials.count, 4)
            XCTAssertEqual(Set(denials.compactMap { $0.details["request_id"] }),
                           Set([noToken, wrong, notHeld, ambiguous].compactMap { $0?.instance }))
            XCTAssertEqual(denials.map(\.actor), ["anonymous", "anonymous", "alice", "sam"])
            for entry in denials {
                XCTAssertEqual(entry.decision, .deny)
                XCTAssertFalse("\(entry)".contains(forged), "the presented token never reaches the log")
                XCTAssertFalse(entry.details.values.contains { $0.contains("custos_") })
            }
        }
        await server.stop()
    }

    /// Found by schemathesis: an empty role header reached the audit log as an empty role, which the
    /// log refuses, so the request failed with 503 instead of being refused.
    func testAnEmptyOrHostileRoleHeaderIsRefusedAndAuditedNotAServerError() async throws {
        let server = try await ServerFixture.start(customers: 0)
        for role in ["", "Analyst", "analyst\"; drop", String(repeating: "a", count: 65)] {
            let problem = await server.client("alice").problem("GET", "/v1/session", headers: [("X-Custos-Role", role)])
            XCTAssertEqual(problem?.status, 400, "role '\(role)'")
        }
        let denials = try server.auditEntries().filter { $0.action == .requestDenied }
        XCTAssertEqual(denials.count, 4)
        XCTAssertTrue(denials.allSatisfy { $0.role == "none" })
        await server.stop()
    }

    func testAMethodAPathDoesNotTakeIs405WithAllow() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let response = await server.client("alice").problem("DELETE", "/v1/session")
        XCTAssertEqual(response?.status, 405)
        XCTAssertEqual(response?.slug, "method-not-allowed")
        let jobs = await server.client("alice").problem("PUT", "/v1/jobs/job-1234")
        XCTAssertEqual(jobs?.status, 405)
        let unknown = await server.client("alice").problem("GET", "/v1/no-such-thing")
        XCTAssertEqual(unknown?.status, 404)
        await server.stop()
    }

    func testAValidTokenIsASessionInTheOnlyOrTheChosenRole() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let alice = try await server.client("alice").send("GET", "/v1/session").decode([String: AnyJSON].self)
        XCTAssertEqual(alice["principal"], .string("alice"))
        XCTAssertEqual(alice["role"], .string("analyst"))
        let sam = try await server.client("sam", role: "marketing_analyst").send("GET", "/v1/session").decode([String: AnyJSON].self)
        XCTAssertEqual(sam["role"], .string("marketing_analyst"))
        await server.stop()
    }

    func testAnonymousEndpointsAreOnlyHealthReadinessAndTheDocument() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let anonymous = server.client(token: nil)
        let health = try await anonymous.send("GET", "/healthz", accept: "text/plain")
        XCTAssertEqual(health.text, "ok\n")
        let ready = try await anonymous.send("GET", "/readyz").decode([String: String].self)
        XCTAssertEqual(ready["ready"], "yes")
        let document = try await anonymous.send("GET", "/v1/openapi.yaml", accept: "application/yaml")
        XCTAssertTrue(document.text.hasPrefix("openapi: 3.1"))
        let metrics = await anonymous.problem("GET", "/metrics")
        XCTAssertEqual(metrics?.status, 401)
        let analystMetrics = await server.client("alice").problem("GET", "/metrics")
        XCTAssertEqual(analystMetrics?.status, 403)
        let scraped = try await server.client("oscar").send("GET", "/metrics", accept: "text/plain")
        XCTAssertTrue(scraped.text.contains("custos_http_requests_total"))
        XCTAssertTrue(scraped.text.contains("custos_audit_entries_total"))
        await server.stop()
    }

    func testRequestIDIsEchoedWhenWellFormedAndReplacedWhenHostile() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let kept = try await server.client("alice").send("GET", "/v1/session", headers: [("X-Request-Id", "trace-42.a_b")])
        XCTAssertEqual(kept.header("x-request-id"), "trace-42.a_b")
        let hostile = try await server.client("alice").send("GET", "/v1/session", headers: [("X-Request-Id", "x\"><script>alert(1)</script>")])
        XCTAssertTrue(hostile.header("x-request-id")?.hasPrefix("req-") ?? false)
        await server.stop()
    }

    func testTokensAreRateLimitedPerPrincipalWithRetryAfter() async throws {
        var limits = ServiceLimits()
        limits.requestsPerSecond = 0.01
        limits.burst = 3
        let server = try await ServerFixture.start(customers: 0, limits: limits)
        for _ in 0..<3 { _ = try await server.client("alice").send("GET", "/v1/session") }
        let limited = await server.client("alice").problem("GET", "/v1/session")
        XCTAssertEqual(limited?.status, 429)
        XCTAssertEqual(limited?.slug, "rate-limited")
        XCTAssertGreaterThan(limited?.retryAfter ?? 0, 0)
        // Another principal has its own bucket.
        _ = try await server.client("mika").send("GET", "/v1/session")
        // Guessing tokens from one address runs out too, without reaching the principals' buckets.
        var codes: [Int] = []
        for _ in 0..<5 { codes.append(await server.client(token: "custos_guess").problem("GET", "/v1/session")?.status ?? 0) }
        XCTAssertEqual(codes, [401, 401, 401, 429, 429])
        await server.stop()
    }
}

/// Any JSON value, for reading responses in tests without declaring every shape.
enum AnyJSON: Decodable, Equatable {
    case string(String), number(Double), bool(Bool), array([AnyJSON]), object([String: AnyJSON]), null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([AnyJSON].self) { self = .array(v) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    subscript(key: String) -> AnyJSON? { if case let .object(o) = self { return o[key] } else { return nil } }
    var string: String? { if case let .string(s) = self { return s } else { return nil } }
    var number: Double? { if case let .number(n) = self { return n } else { return nil } }
}
