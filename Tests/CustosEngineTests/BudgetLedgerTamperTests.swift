import CustosSchema
import CustosAudit
@testable import CustosEngine
import CustosGovernance
import CustosPrivacy
import CustosVault
import Foundation
import GRDB
import XCTest

/// Attacks on the privacy-budget ledger by someone with file access to the workspace: the ledger in
/// `data/vault.sqlite` is checked against the `budget.reserve` entries of the signed audit log before
/// every reservation, and a ledger that holds less than the log records refuses DP jobs, audited.
final class BudgetLedgerTamperTests: XCTestCase {
    let purpose = "analytics.reporting"

    var stats: StatisticsParameters {
        var p = StatisticsParameters()
        p.measures = ["amount"]
        return p
    }

    /// Runs `sql` on the workspace's store from a separate connection, as `sqlite3 data/vault.sqlite` would.
    func tamper(_ workspace: Workspace, _ sql: String) throws {
        let queue = try DatabaseQueue(path: workspace.dataDirectory.appendingPathComponent("vault.sqlite").path)
        try queue.write { try $0.execute(sql: sql) }
    }

    /// Exhausts alice's monthly 8.0 on orders (the example policy) with eight ε 1 jobs.
    func exhaust(_ f: EngineFixture) throws {
        for _ in 0..<8 { _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats) }
        XCTAssertThrowsError(try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)) {
            guard case EngineError.budgetExhausted = $0 else { return XCTFail("expected exhaustion, got \($0)") }
        }
    }

    /// The next DP job is refused because the ledger does not match the log; the refusal says what
    /// was found and what to do, is audited, and charges nothing.
    func assertLedgerRefused(_ engine: Engine, as alice: Caller, finding text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try engine.workspace.ledger.ledgerState()
        XCTAssertThrowsError(try engine.jobs.dpStatistics(actor: alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: stats),
                             file: file, line: line) { error in
            guard case let EngineError.ledgerMismatch(reason) = error else { return XCTFail("expected a ledger refusal, got \(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), reason, file: file, line: line)
            XCTAssertTrue(reason.contains("does not match the signed audit log"), reason, file: file, line: line)
            XCTAssertTrue(reason.contains("custos budget reconcile"), "says what to do: \(reason)", file: file, line: line)
        }
        let denial = try XCTUnwrap(try engine.audit.entries().last { $0.action == .jobRun && $0.decision == .deny }, file: file, line: line)
        XCTAssertEqual(denial.details["ledger"], "mismatch", file: file, line: line)
        XCTAssertEqual(denial.actor, alice.principal, file: file, line: line)
        XCTAssertTrue((denial.reason ?? "").contains(text), file: file, line: line)
        XCTAssertEqual(try engine.workspace.ledger.ledgerState().charges, before.charges, "nothing charged", file: file, line: line)
    }

    // MARK: The attacks

    func testSQLUpdateOfTheLedgerToZeroIsRefusedAndAudited() throws {
        let f = try EngineFixture(customers: 30)
        try exhaust(f)
        try tamper(f.engine.workspace, "UPDATE budget_ledger SET epsilon = 0; UPDATE population_budget SET epsilon = 0")
        try assertLedgerRefused(f.engine, as: f.alice, finding: "alice's account on 'orders' for month:")
        try assertLedgerRefused(f.engine, as: f.alice, finding: "holds ε 0.0 but the audit log records ε 8.0 reserved")
        // The refusal holds for everyone (the population account was reset too), not only alice.
        XCTAssertThrowsError(try f.engine.jobs.dpStatistics(actor: f.actor("sam", "analyst"), purpose: purpose, dataset: "orders",
                                                            epsilon: 0.5, parameters: stats)) {
            guard case EngineError.ledgerMismatch = $0 else { return XCTFail("\($0)") }
        }
    }

    func testUpdatingOnlyTheChargesIsRefused() throws {
        let f = try EngineFixture(customers: 30)
        _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)
        try tamper(f.engine.workspace, "UPDATE budget_charges SET epsilon = 0")
        try assertLedgerRefused(f.engine, as: f.alice, finding: "add up to ε 0.0 but the audit log records ε 1.0 reserved")
    }

    func testDeletingRowsOfTheLedgerPopulationOrChargesIsRefusedAndAudited() throws {
        let attacks = [
            ("DELETE FROM budget_ledger", "alice's account on 'orders' for month:"),
            ("DELETE FROM population_budget", "the population account for lifetime holds ε 0.0"),
            ("DELETE FROM budget_charges", "the charges of alice's account on 'orders'"),
            ("DELETE FROM budget_ledger; DELETE FROM population_budget; DELETE FROM budget_charges", "but the audit log records ε 8.0 reserved"),
        ]
        for (sql, finding) in attacks {
            let f = try EngineFixture(customers: 20)
            try exhaust(f)
            try tamper(f.engine.workspace, sql)
            try assertLedgerRefused(f.engine, as: f.alice, finding: finding)
        }
    }

    func testRestoringAnOlderLedgerCopyIsRefusedAndAudited() throws {
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("custos-ledger-backup-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: backup) }
        let root: URL, alice: Caller
        do {
            let f = try EngineFixture(customers: 20)
            (root, alice) = (f.engine.workspace.root, f.alice)
            _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)
            // The operator's backup, taken while 1.0 was spent.
            let queue = try DatabaseQueue(path: f.engine.workspace.dataDirectory.appendingPathComponent("vault.sqlite").path)
            try queue.writeWithoutTransaction { try $0.execute(sql: "VACUUM INTO ?", arguments: [backup.path]) }
            for _ in 0..<7 { _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats) }
            try f.engine.close()
        }
        // The attack: put the older store back (with its WAL gone) and open the workspace again.
        let data = root.appendingPathComponent("data")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(at: data.appendingPathComponent("vault.sqlite" + suffix)) }
        try FileManager.default.copyItem(at: backup, to: data.appendingPathComponent("vault.sqlite"))
        let engine = try Engine.open(try Workspace.open(at: root))
        XCTAssertEqual(try engine.workspace.ledger.budgetLedger().first?.epsilon ?? 0, 1, accuracy: 1e-9, "the restored copy says only 1.0 is spent")
        try assertLedgerRefused(engine, as: alice, finding: "holds ε 1.0 but the audit log records ε 8.0 reserved")
        try engine.close()
    }

    // MARK: Recovery

    func testAnOfficerReconcilesTheLedgerFromTheLogAndNothingIsRefunded() throws {
        let f = try EngineFixture(customers: 30)
        try exhaust(f)
        try tamper(f.engine.workspace, "DELETE FROM budget_ledger; DELETE FROM population_budget; DELETE FROM budget_charges")
        // Only an authenticated compliance officer may reconcile; the attempt is audited.
        XCTAssertThrowsError(try f.engine.jobs.reconcileLedger(actor: f.alice)) {
            guard case EngineError.denied = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try f.engine.jobs.reconcileLedger(actor: f.dana.withToken("custos_wrong")))
        XCTAssertEqual(try f.entries().filter { $0.action == .budgetReconcile && $0.decision == .deny }.count, 2)
        let changes = try f.engine.jobs.reconcileLedger(actor: f.dana)
        XCTAssertEqual(changes.count, 3, "alice's month, the population's month and lifetime: \(changes)")
        let entry = try XCTUnwrap(try f.entries().last { $0.action == .budgetReconcile })
        XCTAssertEqual(entry.actor, "dana")
        XCTAssertEqual(entry.decision, .allow)
        XCTAssertEqual(try f.engine.workspace.ledger.budgetLedger().first?.epsilon ?? 0, 8, accuracy: 1e-9)
        // Back to exhausted, not to fresh: the reset bought nothing.
        XCTAssertThrowsError(try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: stats)) {
            guard case EngineError.budgetExhausted = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try f.engine.jobs.reconcileLedger(actor: f.dana), [], "nothing left to raise")
    }

    // MARK: Normal operation

    func testEveryReservationIsAnAuditEntryThatMatchesTheLedger() throws {
        let f = try EngineFixture(customers: 30)
        for epsilon in [0.5, 0.25, 1.0] {
            _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: epsilon, parameters: stats)
        }
        _ = try f.engine.jobs.mineFunnel(actor: f.alice, purpose: purpose, parameters: MiningParameters())
        let reservations = try f.entries().filter { $0.action == .budgetReserve }
        XCTAssertEqual(reservations.map { $0.epsilon ?? 0 }, [0.5, 0.25, 1.0], "one entry per DP job, none for pseudonymous ones")
        for entry in reservations {
            XCTAssertEqual(entry.actor, "alice")
            XCTAssertEqual(entry.dataset, "orders")
            XCTAssertTrue((entry.details["periods"] ?? "").hasPrefix("month:"))
            XCTAssertTrue((entry.details["population_periods"] ?? "").hasSuffix(",lifetime"))
            // The reservation precedes the job's result entry.
            let run = try XCTUnwrap(try f.entries().firstIndex { $0.action == .jobRun && $0.jobID == entry.jobID && $0.decision == .allow })
            XCTAssertLessThan(try XCTUnwrap(try f.entries().firstIndex { $0 == entry }), run)
        }
        let logged = try AuditedBudget().totals(log: f.engine.audit)
        let stored = try f.engine.workspace.ledger.ledgerState()
        XCTAssertNil(AuditedBudget.inconsistency(stored: stored, logged: logged))
        XCTAssertEqual(logged.count, 3, "alice's month, the population's month and lifetime")
        XCTAssertEqual(logged.values.map(\.epsilon).reduce(0, +), 3 * 1.75, accuracy: 1e-12)
    }

    func testConcurrentReservationsNeverOverspendAndAgreeWithTheLogAfterReopening() throws {
        let root: URL, alice: Caller
        do {
            let f = try EngineFixture(customers: 40)
            (root, alice) = (f.engine.workspace.root, f.alice)
            let outcomes = Outcomes(), engine = f.engine, parameters = stats
            DispatchQueue.concurrentPerform(iterations: 14) { _ in
                do {
                    _ = try engine.jobs.dpStatistics(actor: alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 1.0, parameters: parameters)
                    outcomes.add(true)
                } catch EngineError.budgetExhausted {
                    outcomes.add(false)
                } catch {
                    XCTFail("only exhaustion may refuse: \(error)")
                }
            }
            XCTAssertEqual(outcomes.successes, 8)
            XCTAssertEqual(try f.entries().filter { $0.action == .budgetReserve }.count, 8)
            try f.engine.close()
        }
        // A new engine reads the reservations from the log and finds the ledger consistent.
        let engine = try Engine.open(try Workspace.open(at: root))
        XCTAssertThrowsError(try engine.jobs.dpStatistics(actor: alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: stats)) {
            guard case EngineError.budgetExhausted = $0 else { return XCTFail("\($0)") }
        }
        try engine.close()
    }

    // MARK: Reservations of jobs that died before reading

    /// Reserves like a DP job that is then killed before it reads a row (`reading`: killed just after).
    func reserveAndDie(_ f: EngineFixture, jobID: String, epsilon: Double, reading: Bool = false) throws {
        let spec = JobSpec(actor: f.alice, purpose: purpose, dataset: "orders", columns: ["amount"], outputMode: .dpAggregate, epsilon: epsilon,
                           kind: "stats", title: "killed")
        let decision = f.engine.jobs.decide(AccessRequest(principal: "alice", token: f.alice.token, role: "analyst", purpose: purpose, dataset: "orders",
                                                          columns: ["amount"], outputMode: .dpAggregate, epsilon: epsilon))
        XCTAssertNil(try f.engine.jobs.reserve(PrivacyCost(epsilon: epsilon), jobID: jobID, spec: spec, decision: decision, at: Date()))
        if reading { try f.engine.workspace.ledger.markReading(jobID: jobID) }
    }

    func testAReservationOfAJobThatDiedBeforeReadingIsReleasedByAnAuditedStep() throws {
        let root: URL, alice: Caller, oscar: Caller
        do {
            let f = try EngineFixture(customers: 20)
            (root, alice, oscar) = (f.engine.workspace.root, f.alice, f.actor("oscar", "operator"))
            _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)
            try reserveAndDie(f, jobID: "job-died", epsilon: 2)
            try reserveAndDie(f, jobID: "job-was-reading", epsilon: 0.5, reading: true)
            // budget show tells reserved from spent.
            let statement = try f.engine.reports.budgetStatement()
            let aliceRow = try XCTUnwrap(statement.split(separator: "\n").first { $0.contains("alice") && $0.contains("orders") })
            XCTAssertTrue(aliceRow.contains("1.000") && aliceRow.contains("2.500"), "spent 1.0 apart from reserved 2.5: \(aliceRow)")
            try f.engine.close()
        }
        // A later engine (the one that reserved is gone): only an operator or officer may release.
        let engine = try Engine.open(try Workspace.open(at: root))
        XCTAssertThrowsError(try engine.jobs.releaseUnreadReservations(actor: alice)) {
            guard case EngineError.denied = $0 else { return XCTFail("\($0)") }
        }
        let lines = try engine.jobs.releaseUnreadReservations(actor: oscar)
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("job-died: ε 2.0 released from alice's account on 'orders'"), lines[0])
        XCTAssertEqual(try engine.workspace.ledger.budgetLedger().first?.epsilon ?? 0, 1.5, accuracy: 1e-9, "the job that started reading stays charged")
        let entries = try engine.audit.entries().filter { $0.action == .budgetRelease }
        XCTAssertEqual(entries.map(\.decision), [.deny, .allow])
        XCTAssertEqual(entries.last?.actor, "oscar")
        XCTAssertEqual(entries.last?.jobID, "job-died")
        XCTAssertEqual(try engine.jobs.releaseUnreadReservations(actor: oscar), [], "released once")
        // The check subtracts the logged release: jobs run, in this engine and the next.
        _ = try engine.jobs.dpStatistics(actor: alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)
        try engine.close()
        let again = try Engine.open(try Workspace.open(at: root))
        _ = try again.jobs.dpStatistics(actor: alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)
        XCTAssertEqual(try again.workspace.ledger.budgetLedger().first?.epsilon ?? 0, 3.5, accuracy: 1e-9)
        try again.close()
    }

    func testMarkingChargesReleasedInSQLIsRefused() throws {
        let f = try EngineFixture(customers: 20)
        try exhaust(f)
        try tamper(f.engine.workspace, """
            UPDATE budget_charges SET state = 'released'; UPDATE budget_ledger SET epsilon = 0; UPDATE population_budget SET epsilon = 0
            """)
        try assertLedgerRefused(f.engine, as: f.alice, finding: "holds ε 0.0 but the audit log records ε 8.0 reserved")
        XCTAssertEqual(try f.engine.jobs.releaseUnreadReservations(actor: f.actor("oscar", "operator")), [], "settled jobs are never released")
    }

    func testTheCheckIgnoresRoundingButNotASingleMissingCharge() {
        let account = LedgerAccount(holder: .principal("alice", dataset: "orders"), period: "month:2026-12")
        let logged = [account: LedgerCost(epsilon: 0.1 + 0.2)]
        XCTAssertNil(AuditedBudget.inconsistency(stored: LedgerState(totals: [account: LedgerCost(epsilon: 0.3)], charges: [account: LedgerCost(epsilon: 0.3)]),
                                                 logged: logged))
        XCTAssertNil(AuditedBudget.inconsistency(stored: LedgerState(totals: [account: LedgerCost(epsilon: 0.5)], charges: [account: LedgerCost(epsilon: 0.5)]),
                                                 logged: logged), "a ledger ahead of the log (a crash before the entry) errs on the safe side")
        XCTAssertNotNil(AuditedBudget.inconsistency(stored: LedgerState(totals: [account: LedgerCost(epsilon: 0.2)], charges: [account: LedgerCost(epsilon: 0.2)]),
                                                    logged: logged))
        XCTAssertNotNil(AuditedBudget.inconsistency(stored: LedgerState(totals: [account: LedgerCost(epsilon: 0.3)], charges: [account: LedgerCost(epsilon: 0.3, rho: 0.01)]),
                                                    logged: [:]), "totals that disagree with their charges were edited")
    }
}
