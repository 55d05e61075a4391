import CustosAudit
import CustosClient
import CustosServer
import Foundation
import XCTest

/// Jobs over HTTP: the same governed path as the CLI, results only for their owner (or an officer),
/// every malformed or refused request a problem.
final class JobServiceTests: XCTestCase {
    func testADPJobRunsWaitsAndIsReadableOnlyByItsOwnerOrAnOfficer() async throws {
        let server = try await ServerFixture.start()
        let body = #"{"kind":"stats","purpose":"analytics.reporting","dataset":"orders","epsilon":0.5,"measures":["amount"],"clamp_upper":1500}"#
        let started = try await server.client("alice").send("POST", "/v1/jobs", json: Data(body.utf8), headers: [("Prefer", "wait=60")])
        let job = try started.decode([String: AnyJSON].self)
        XCTAssertEqual(started.status, 200, "finished within the wait")
        XCTAssertEqual(job["state"]?.string, "succeeded", "\(job)")
        let id = try XCTUnwrap(job["id"]?.string)
        XCTAssertEqual(id.count, 4 + 32, "128 random bits, not a counter")
        let result = try await server.client("alice").send("GET", "/v1/jobs/\(id)/result").decode([String: AnyJSON].self)
        XCTAssertEqual(result["kind"]?.string, "stats")
        XCTAssertNil(result["cohort"], "a DP result carries no exact counts")
        let text = try await server.client("alice").send("GET", "/v1/jobs/\(id)/result", accept: "text/plain")
        XCTAssertTrue(text.text.contains("epsilon") || text.text.contains("ε"), text.text)
        let html = try await server.client("alice").send("GET", "/v1/jobs/\(id)/result", accept: "text/html")
        XCTAssertEqual(html.header("content-type"), "text/html; charset=utf-8")
        XCTAssertTrue(html.text.contains("<html"))

        // Another analyst cannot tell the job exists; the compliance officer can read it.
        let stranger = await server.client("mika").problem("GET", "/v1/jobs/\(id)")
        XCTAssertEqual(stranger?.status, 404)
        let officer = try await server.client("dana").send("GET", "/v1/jobs/\(id)").decode([String: AnyJSON].self)
        XCTAssertEqual(officer["owner"]?.string, "alice")

        // The job's audit entries name the request and the authenticated principal, never os:operator.
        let requestID = try XCTUnwrap(started.header("x-request-id"))
        let entries = try server.auditEntries().filter { $0.details["request_id"] == requestID }
        XCTAssertTrue(entries.contains { $0.action == .policyDecision && $0.actor == "alice" })
        XCTAssertTrue(entries.contains { $0.action == .jobRun && $0.actor == "alice" })
        XCTAssertFalse(entries.contains { $0.actor.hasPrefix("os:") })
        await server.stop()
    }

    func testWithoutWaitTheJobIsAcceptedWithALocationToPoll() async throws {
        let server = try await ServerFixture.start()
        let body = #"{"kind":"rfm","purpose":"marketing.segmentation","output_mode":"pseudonymous_records"}"#
        let started = try await server.client("mika").send("POST", "/v1/jobs", json: Data(body.utf8))
        let job = try started.decode([String: AnyJSON].self)
        let id = try XCTUnwrap(job["id"]?.string)
        XCTAssertEqual(started.header("location"), "/v1/jobs/\(id)")
        XCTAssertTrue([200, 202].contains(started.status))
        var state = job["state"]?.string
        for _ in 0..<200 where state == "running" {
            try await Task.sleep(for: .milliseconds(50))
            state = try await server.client("mika").send("GET", "/v1/jobs/\(id)").decode([String: AnyJSON].self)["state"]?.string
        }
        XCTAssertEqual(state, "succeeded")
        await server.stop()
    }

    func testDenialsAreProblemsThatSayWhatToDo() async throws {
        let server = try await ServerFixture.start()
        let alice = server.client("alice")
        // A purpose the policies do not grant this role: denied by the decision point, audited.
        let wrongPurpose = await alice.problem("POST", "/v1/jobs", json: #"{"kind":"rules","purpose":"marketing.segmentation"}"#,
                                               headers: [("Prefer", "wait=60")])
        XCTAssertEqual(wrongPurpose?.status, 403)
        XCTAssertEqual(wrongPurpose?.slug, "denied")
        let decision = try server.auditEntries().last { $0.action == .policyDecision }
        XCTAssertEqual(decision?.decision, .deny)
        XCTAssertEqual(decision?.details["request_id"], wrongPurpose?.instance, "the denial is audited under the request's id")
        // Malformed JSON, a missing field, a hostile epsilon, an unknown kind: 400 before anything runs.
        let malformed = await alice.problem("POST", "/v1/jobs", json: "{\"kind\": ")
        XCTAssertEqual(malformed?.slug, "malformed-json")
        let missing = await alice.problem("POST", "/v1/jobs", json: #"{"kind":"stats"}"#)
        XCTAssertEqual(missing?.status, 400)
        XCTAssertTrue(missing?.detail?.contains("purpose") ?? false)
        let negative = await alice.problem("POST", "/v1/jobs", json: #"{"kind":"stats","purpose":"analytics.reporting","dataset":"orders","epsilon":-1}"#)
        XCTAssertEqual(negative?.slug, "invalid-request")
        let unknown = await alice.problem("POST", "/v1/jobs", json: #"{"kind":"export_everything","purpose":"x"}"#)
        XCTAssertEqual(unknown?.slug, "invalid-request")
        // Oversized body: refused without reading it all.
        let huge = "{\"kind\":\"stats\",\"purpose\":\"" + String(repeating: "x", count: 2 << 20) + "\"}"
        let tooLarge = await alice.problem("POST", "/v1/jobs", json: huge)
        XCTAssertEqual(tooLarge?.status, 413)
        // No such job, no such route.
        let noJob = await alice.problem("GET", "/v1/jobs/job-0000")
        XCTAssertEqual(noJob?.status, 404)
        let noRoute = await alice.problem("GET", "/v1/keys/kek-v1.key")
        XCTAssertEqual(noRoute?.status, 404)
        await server.stop()
    }

    func testAnExhaustedBudgetIsAProblemAndNothingIsReleased() async throws {
        let server = try await ServerFixture.start()
        let body = #"{"kind":"stats","purpose":"analytics.reporting","dataset":"orders","epsilon":1000}"#
        let refused = await server.client("alice").problem("POST", "/v1/jobs", json: body, headers: [("Prefer", "wait=60")])
        XCTAssertEqual(refused?.status, 403)
        XCTAssertTrue(["budget-exhausted", "denied"].contains(refused?.slug ?? ""), "\(String(describing: refused))")
        XCTAssertTrue(refused?.detail?.contains("epsilon") ?? false, "says which limit: \(String(describing: refused?.detail))")
        await server.stop()
    }

    func testJobCapsRefuseWithRetryAfter() async throws {
        var limits = ServiceLimits()
        limits.jobsPerPrincipal = 1
        limits.jobsTotal = 1
        let server = try await ServerFixture.start(customers: 400, limits: limits)
        let body = Data(#"{"kind":"kmeans","purpose":"marketing.segmentation","output_mode":"pseudonymous_records"}"#.utf8)
        var refusals: [APIProblem] = []
        // Fire several at once; with one slot, every one that overlaps a running job is refused.
        await withTaskGroup(of: APIProblem?.self) { group in
            for _ in 0..<6 { group.addTask { await server.client("mika").problem("POST", "/v1/jobs", json: String(decoding: body, as: UTF8.self)) } }
            for await problem in group { if let problem { refusals.append(problem) } }
        }
        XCTAssertTrue(refusals.allSatisfy { $0.slug == "too-many-jobs" && $0.status == 429 && ($0.retryAfter ?? 0) > 0 }, "\(refusals)")
        XCTAssertLessThan(refusals.count, 6, "at least one job started")
        await server.stop()
    }
}
