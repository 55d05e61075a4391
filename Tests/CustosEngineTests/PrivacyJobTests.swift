import CustosDemo
import CustosPrivacy
import CustosAudit
@testable import CustosEngine
import CustosVault
import Foundation
import XCTest
import Synchronization

final class PrivacyJobTests: XCTestCase {
    func testBudgetIsChargedExactlyAsDeclaredAndExhaustionIsRefused() throws {
        let f = try EngineFixture(customers: 80)
        var p = StatisticsParameters()
        p.measures = ["amount"]
        // analytics-orders-dp: at most 1.0 per job and 8.0 per month for alice on orders.
        for _ in 0..<4 { _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 2.0 / 2, parameters: p) }
        for _ in 0..<8 { _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 0.5, parameters: p) }
        let ledger = try f.engine.workspace.ledger.budgetLedger()
        XCTAssertEqual(ledger.count, 1)
        XCTAssertEqual(ledger[0].epsilon, 8.0, accuracy: 1e-9)
        XCTAssertThrowsError(try f.engine.jobs.dpStatistics(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 0.1, parameters: p)) { error in
            guard case let EngineError.budgetExhausted(reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.message.contains("above the limit"), reason.message)
            XCTAssertEqual(reason.account?.holder, .principal("alice", dataset: "orders"))
            XCTAssertEqual(reason.epsilonLimit, 8.0)
        }
        XCTAssertEqual(try f.engine.workspace.ledger.budgetLedger()[0].epsilon, 8.0, accuracy: 1e-9, "a refused job charges nothing")
        let jobs = try f.entries().filter { $0.action == .jobRun && $0.details["kind"] == "stats" }
        XCTAssertEqual(jobs.filter { $0.decision == .deny }.count, 1)
        for job in jobs where job.decision == .allow {
            let used = try XCTUnwrap(Double(job.details["epsilon_used"] ?? ""))
            let declared = try XCTUnwrap(job.epsilon)
            XCTAssertLessThanOrEqual(used, declared)
            XCTAssertGreaterThan(used, declared * (1 - 1e-9), "the mechanisms use the whole declared cost")
        }
    }

    func testConcurrentJobsNeverOverspend() throws {
        let f = try EngineFixture(customers: 60)
        var p = StatisticsParameters()
        p.dimensions = ["channel"]
        let outcomes = Outcomes()
        let engine = f.engine, alice = f.alice, parameters = p
        DispatchQueue.concurrentPerform(iterations: 14) { _ in
            do {
                _ = try engine.jobs.dpCube(actor: alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 1.0, parameters: parameters)
                outcomes.add(true)
            } catch {
                outcomes.add(false)
            }
        }
        XCTAssertEqual(outcomes.successes, 8, "8.0 per month at 1.0 per job")
        XCTAssertEqual(try f.engine.workspace.ledger.budgetLedger()[0].epsilon, 8.0, accuracy: 1e-9)
    }

    func testNoisyCountIsWithinItsStatedBound() throws {
        let f = try EngineFixture(customers: 300)
        var p = StatisticsParameters()
        p.measures = ["amount"]
        p.maxRowsPerSubject = 4
        let result = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 1.0, parameters: p)
        // Exact answer from the source file: rows per customer capped at 4.
        let text = try String(contentsOf: f.generated.files["orders"]!, encoding: .utf8)
        var perCustomer: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() { perCustomer[String(line.split(separator: ",")[0]).uppercased(), default: 0] += 1 }
        let exact = perCustomer.values.reduce(0) { $0 + min($1, 4) }
        let count = try XCTUnwrap(result.release?.table("Rows")?.number("rows", "rows (noisy)"))
        let noisy = Int(count.value)
        let half = Int(try XCTUnwrap(count.halfWidth95))
        // 3x the 95% half-width: a false failure has probability below 1e-4 for discrete Laplace noise.
        XCTAssertLessThanOrEqual(abs(noisy - exact), 3 * max(half, 1), "noisy \(noisy) vs exact \(exact) ± \(half)")
    }

    func testCubeReleasesOnlyKeysAboveThePartitionThresholdUnlessPublic() throws {
        let f = try EngineFixture(customers: 60)
        var p = StatisticsParameters()
        p.dimensions = ["order_time"]  // months are not public unless a range is given
        let hidden = try f.engine.jobs.dpCube(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 0.5, parameters: p)
        XCTAssertEqual(hidden.tables.first?.rows.count ?? -1, 0, "60 customers over many months: no month passes the threshold")
        p.months = ("2026-01", "2026-03")
        let shown = try f.engine.jobs.dpCube(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 0.5, parameters: p)
        XCTAssertEqual(Set(shown.tables.first?.rows.map { $0[0] } ?? []), ["2026-01", "2026-02", "2026-03"])
    }
}

final class Outcomes: Sendable {
    private let results = Mutex<[Bool]>([])
    func add(_ ok: Bool) { results.withLock { $0.append(ok) } }
    var successes: Int { results.withLock { $0.filter { $0 }.count } }
}
