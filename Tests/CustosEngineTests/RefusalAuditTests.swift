import CustosDemo
import CustosVault
import CustosAudit
@testable import CustosEngine
import Foundation
import XCTest
import Synchronization

/// Every refusal leaves an audit entry, whatever the input (issue: hostile epsilons failed to write
/// their entry, and an unknown dataset was refused with none).
final class RefusalAuditTests: XCTestCase {
    func testHostileEpsilonsAreRefusedAndAuditedWithTheRawValue() throws {
        let f = try EngineFixture(customers: 20)
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        for epsilon in [-1.0, .nan, .infinity, 0] {
            let before = try f.entries().count
            XCTAssertThrowsError(try f.engine.jobs.dpStatistics(actor: f.alice, purpose: "analytics.reporting", dataset: "orders",
                                                                epsilon: epsilon, parameters: stats), "\(epsilon)") { error in
                guard case let EngineError.denied(reason) = error else { return XCTFail("\(epsilon): \(error)") }
                XCTAssertTrue(reason.contains("epsilon"), reason)
                XCTAssertFalse(reason.contains("audit log"), "the refusal itself was recorded: \(reason)")
            }
            let entries = try f.entries()
            XCTAssertEqual(entries.count, before + 1, "\(epsilon): exactly one entry, the refusal")
            let refusal = try XCTUnwrap(entries.last)
            XCTAssertEqual(refusal.action, .policyDecision)
            XCTAssertEqual(refusal.decision, .deny)
            if epsilon < 0 || !epsilon.isFinite {
                XCTAssertNil(refusal.epsilon)
                XCTAssertEqual(refusal.details["requested_epsilon"], String(epsilon))
            }
        }
        XCTAssertTrue(try f.engine.workspace.ledger.budgetLedger().isEmpty)
    }

    func testAnUnknownDatasetIsRefusedAndAudited() throws {
        let f = try EngineFixture(customers: 20)
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        stats.dimensions = ["channel"]
        let attempts: [() throws -> JobResult] = [
            { try f.engine.jobs.dpStatistics(actor: f.alice, purpose: "analytics.reporting", dataset: "invoices", epsilon: 0.1, parameters: stats) },
            { try f.engine.jobs.dpCube(actor: f.alice, purpose: "analytics.reporting", dataset: "invoices", epsilon: 0.1, parameters: stats) },
            { try f.engine.jobs.dpSequences(actor: f.alice, purpose: "analytics.reporting", dataset: "invoices", epsilon: 0.1, parameters: DPMiningParameters()) },
            { try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", dataset: "invoices", parameters: MiningParameters()) },
        ]
        for (i, attempt) in attempts.enumerated() {
            let before = try f.entries().count
            XCTAssertThrowsError(try attempt(), "\(i)") { error in
                guard case let EngineError.denied(reason) = error else { return XCTFail("\(i): \(error)") }
                XCTAssertTrue(reason.contains("dataset 'invoices' is not declared"), reason)
            }
            let entries = try f.entries()
            XCTAssertEqual(entries.count, before + 1, "attempt \(i) leaves one entry")
            XCTAssertEqual(entries.last?.decision, .deny)
            XCTAssertEqual(entries.last?.dataset, "invoices")
        }
    }

    func testFiftyConcurrentJobsEachEndAsASuccessOrAnAuditedRefusal() throws {
        let f = try EngineFixture(customers: 30)
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        let engine = f.engine, alice = f.alice, parameters = stats
        let outcomes = Outcomes()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 50) { _ in
            do {
                _ = try engine.jobs.dpStatistics(actor: alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 0.2, parameters: parameters)
                outcomes.add(true)
            } catch {
                outcomes.add(false)
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(outcomes.successes, 40, "8.0 per month at 0.2 per job")
        let errors = failures.withLock { $0 }
        XCTAssertEqual(errors.count, 10)
        for error in errors { XCTAssertTrue(error.hasPrefix("privacy budget exhausted:"), error) }
        let runs = try f.entries().filter { $0.action == .jobRun }
        XCTAssertEqual(runs.filter { $0.decision == .allow }.count, 40)
        XCTAssertEqual(runs.filter { $0.decision == .deny }.count, 10, "every refusal is audited")
        XCTAssertTrue(try f.engine.verifyAudit().isValid)
    }

    func testConsentShowGivesNoOracleAboutWhoIsACustomer() throws {
        // The attack: "denied" for a real customer, "not found" (unaudited) for an unknown one.
        let f = try EngineFixture(customers: 20)
        let real = f.generated.markerCustomerID
        func answer(_ reference: String, _ caller: Caller) -> String {
            do { _ = try f.engine.controls.consentHistory(customer: reference, actor: caller); return "allowed" } catch { return "\(error)" }
        }
        let before = try f.entries().count
        let forReal = answer(real, f.alice), forUnknown = answer("C-NOBODY-404", f.alice)
        XCTAssertTrue(forReal.hasPrefix("denied:"), forReal)
        XCTAssertEqual(forReal, forUnknown, "an analyst cannot tell a customer from a stranger")
        XCTAssertEqual(try f.entries().count, before + 2, "both refusals audited")
        // An officer may learn that nobody matches; that is audited too.
        XCTAssertEqual(answer(real, f.dana), "allowed")
        let unknown = answer("nobody@example.invalid", f.dana)
        XCTAssertTrue(unknown.hasPrefix("not found:"), unknown)
        let last = try XCTUnwrap(try f.entries().last)
        XCTAssertEqual(last.decision, .deny)
        XCTAssertEqual(last.reason, "no customer matches the reference given")
        XCTAssertFalse(String(decoding: try last.canonicalLine(), as: UTF8.self).contains("nobody@example.invalid"), "the reference itself is never logged")
    }
}
