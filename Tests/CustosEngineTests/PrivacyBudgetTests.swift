import CustosVault
import CustosSchema
import CustosAudit
@testable import CustosEngine
import CustosPrivacy
import CustosTesting
import Foundation
import XCTest

/// Delta accounting, identifying group-by keys, and the population account that bounds every
/// customer's total loss over all principals and datasets.
final class PrivacyBudgetTests: XCTestCase {
    let purpose = "analytics.reporting"

    func population(epsilon: Double, delta: Double = 1e-5, lifetime: Double = 100, deltaLifetime: Double = 1e-4) -> String {
        """
        population:
          period: month
          epsilon_per_period: \(epsilon)
          delta_per_period: \(delta)
          epsilon_lifetime: \(lifetime)
          delta_lifetime: \(deltaLifetime)
        """
    }

    func assertDenied(_ body: @autoclosure () throws -> JobResult, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let EngineError.denied(reason) = error else { return XCTFail("expected a denial, got \(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), reason, file: file, line: line)
        }
    }

    func assertBudgetRefused(_ body: @autoclosure () throws -> JobResult, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let EngineError.budgetExhausted(reason) = error else { return XCTFail("expected a budget refusal, got \(error)", file: file, line: line) }
            XCTAssertTrue(reason.message.contains(text), reason.message, file: file, line: line)
        }
    }

    // MARK: Keys that identify a customer

    func testACubeByAnIdentifierOrPseudonymColumnIsRefusedAndAudited() throws {
        let f = try EngineFixture(customers: 40)
        for (dataset, column) in [("orders", "customer_id"), ("events", "customer_id"), ("events", "session_id")] {
            var p = StatisticsParameters()
            p.dimensions = [column]
            // Even a delta the policy allows does not make a key that names one customer releasable.
            assertDenied(try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: dataset, epsilon: 0.1, parameters: p), contains: "identifies a customer")
        }
        let refused = try f.entries().filter { $0.action == .jobRun && $0.decision == .deny && ($0.reason ?? "").contains("identifies a customer") }
        XCTAssertEqual(refused.count, 3, "every refusal is in the audit log")
        XCTAssertTrue(try f.engine.workspace.ledger.budgetLedger().isEmpty, "refused before any budget is reserved")
    }

    // MARK: Delta

    func testDeltaAboveThePolicyLimitIsRefusedAndAudited() throws {
        let f = try EngineFixture(customers: 40)
        var p = StatisticsParameters()
        p.dimensions = ["order_time"]  // months not declared public: partition selection
        p.delta = 0.5                  // the attack: a huge delta releases single-customer keys
        assertDenied(try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.1, parameters: p), contains: "delta 0.5 is over the per-job limit")
        let denial = try XCTUnwrap(try f.entries().last { $0.action == .policyDecision && $0.decision == .deny })
        XCTAssertEqual(denial.details["delta"], "0.5")
        XCTAssertTrue(denial.reason?.contains("delta") ?? false, denial.reason ?? "")
        XCTAssertTrue(try f.engine.workspace.ledger.budgetLedger().isEmpty)

        // Within the limit: charged to the principal's account and the population account.
        p.delta = 1e-6
        let cube = try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.1, parameters: p)
        XCTAssertEqual(cube.privacy?.delta, 1e-6)
        XCTAssertEqual(try f.engine.workspace.ledger.budgetLedger().first?.delta ?? 0, 1e-6, accuracy: 1e-18)
        let population = try f.engine.workspace.ledger.populationLedger()
        XCTAssertEqual(Set(population.map(\.period)).count, 2, "the month and the lifetime account")
        for account in population { XCTAssertEqual(account.cost.delta, 1e-6, accuracy: 1e-18) }
        XCTAssertEqual(try f.entries().last { $0.action == .jobRun }?.details["delta"], "1e-06")
    }

    func testDeltaAddsUpAndIsRefusedAtThePeriodLimit() throws {
        let f = try EngineFixture(customers: 30)
        var p = StatisticsParameters()
        p.dimensions = ["order_time"]
        // delta_per_period 1e-5 at 1e-6 per job: ten jobs, however small their epsilon.
        for _ in 0..<10 { _ = try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.01, parameters: p) }
        assertBudgetRefused(try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.01, parameters: p), contains: "δ")
        XCTAssertEqual(try f.engine.workspace.ledger.budgetLedger().first?.delta ?? 0, 1e-5, accuracy: 1e-15)
    }

    func testPartitionSelectionIsRefusedWhereThePolicySetsNoDeltaLimit() throws {
        let f = try EngineFixture(customers: 30)
        var p = StatisticsParameters()
        p.dimensions = ["signup_date"]  // customers: analytics-customers-dp sets no delta limit
        assertDenied(try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: "customers", epsilon: 0.1, parameters: p), contains: "sets no delta_per_job")
        // Public keys need no delta, so the same permit allows them.
        p.dimensions = ["country"]
        let cube = try f.engine.jobs.dpCube(actor: f.alice, purpose: purpose, dataset: "customers", epsilon: 0.1, parameters: p)
        XCTAssertEqual(cube.privacy?.delta, 0)
        XCTAssertEqual(cube.release?.tables.first?.rows.count, 10, "every declared country, whatever the data")
    }

    // MARK: The population account

    func testTwoPrincipalsOnTwoDatasetsCannotTogetherExceedThePopulationLimit() throws {
        let f = try EngineFixture(customers: 40, privacy: population(epsilon: 3))
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        _ = try f.engine.jobs.dpFunnel(actor: f.alice, purpose: purpose, epsilon: 1, parameters: DPMiningParameters())
        _ = try f.engine.jobs.dpFunnel(actor: f.alice, purpose: purpose, epsilon: 1, parameters: DPMiningParameters())
        _ = try f.engine.jobs.dpStatistics(actor: f.mika, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats)
        // Each principal is far below its own 8 per month, but the customers have spent 3 of 3.
        assertBudgetRefused(try f.engine.jobs.dpStatistics(actor: f.mika, purpose: purpose, dataset: "orders", epsilon: 0.1, parameters: stats),
                            contains: "population account")
        // The refusal says which account, in fields a caller can act on without parsing the text.
        XCTAssertThrowsError(try f.engine.jobs.dpStatistics(actor: f.mika, purpose: purpose, dataset: "orders", epsilon: 0.1, parameters: stats)) {
            guard case let EngineError.budgetExhausted(shortfall) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(shortfall.account?.holder, .population)
            XCTAssertEqual(shortfall.spent?.epsilon ?? 0, 3, accuracy: 1e-9)
            XCTAssertEqual(shortfall.epsilonLimit, 3)
            XCTAssertEqual(shortfall.requested.epsilon, 0.1)
        }
        assertBudgetRefused(try f.engine.jobs.dpFunnel(actor: f.alice, purpose: purpose, epsilon: 0.1, parameters: DPMiningParameters()),
                            contains: "population account")
        let month = try XCTUnwrap(try f.engine.workspace.ledger.populationLedger().first { $0.period.hasPrefix("month:") })
        XCTAssertEqual(month.cost.epsilon, 3, accuracy: 1e-9)
        XCTAssertEqual(try f.entries().filter { $0.action == .jobRun && $0.decision == .deny }.count, 3, "every refusal is audited")
        XCTAssertTrue(try f.engine.reports.budgetStatement().contains("Population account"))
    }

    func testConcurrentPrincipalsOnTwoDatasetsNeverOverspendThePopulation() throws {
        let f = try EngineFixture(customers: 40, privacy: population(epsilon: 3))
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        let engine = f.engine, alice = f.alice, mika = f.mika, parameters = stats, purpose = purpose
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            do {
                if i.isMultiple(of: 2) {
                    _ = try engine.jobs.dpFunnel(actor: alice, purpose: purpose, epsilon: 0.5, parameters: DPMiningParameters())
                } else {
                    _ = try engine.jobs.dpStatistics(actor: mika, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: parameters)
                }
                outcomes.add(true)
            } catch {
                outcomes.add(false)
            }
        }
        XCTAssertEqual(outcomes.successes, 6, "3.0 per month at 0.5 per job, whoever runs them")
        let month = try XCTUnwrap(try f.engine.workspace.ledger.populationLedger().first { $0.period.hasPrefix("month:") })
        XCTAssertEqual(month.cost.epsilon, 3, accuracy: 1e-9)
        let principals = try f.engine.workspace.ledger.budgetLedger().reduce(0) { $0 + $1.epsilon }
        XCTAssertEqual(principals, 3, accuracy: 1e-9, "the principals' accounts were charged exactly what the population was")
    }

    func testTheLifetimeLimitHoldsAcrossPeriods() throws {
        let f = try EngineFixture(customers: 30, privacy: population(epsilon: 5, lifetime: 5))
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        // A lifetime already spent in earlier months (recorded in the ledger as the engine would have).
        let ledger = f.engine.workspace.ledger
        XCTAssertNil(try ledger.reserveBudget(jobID: "job-earlier", accounts: [.init(holder: .population, period: "lifetime")],
                                              cost: .init(epsilon: 4.5), at: 0) { _, _ in true })
        assertBudgetRefused(try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 1, parameters: stats),
                            contains: "for lifetime")
        _ = try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: stats)
    }

    func testWithoutAPopulationBudgetNoDPJobRuns() throws {
        let f = try EngineFixture(customers: 20, privacy: "")
        var stats = StatisticsParameters()
        stats.measures = ["amount"]
        assertDenied(try f.engine.jobs.dpStatistics(actor: f.alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: stats),
                     contains: "population budget")
        XCTAssertTrue(try f.engine.reports.budgetStatement().contains("No population budget"))
        // Pseudonymous jobs are unaffected.
        XCTAssertNoThrow(try f.engine.jobs.mineFunnel(actor: f.alice, purpose: purpose, parameters: MiningParameters()))
    }

    // MARK: zCDP

    func testRhoIsReservedConvertedAndStatedInTheResult() throws {
        let f = try EngineFixture(customers: 30)
        f.engine.noiseSourceOverride = SeededRandomSource(seed: 3)
        var spec = JobSpec(actor: f.alice, purpose: purpose, dataset: "orders", columns: ["amount"], outputMode: .dpAggregate, epsilon: 0.1,
                           kind: "zcdp", title: "Gaussian count")
        spec.rho = 0.02
        let result = try f.engine.jobs.runPrivate(spec) { frame, _, handle in
            let column = try ContributionBounder.bound(subjects: frame.subjectIndex, values: [Double](repeating: 0, count: frame.rowCount),
                                                       maxRowsPerSubject: 5)
            let bounds = try ContributionBounds(maxRowsPerSubject: 5)
            let gaussian = try handle.run(try CountMechanism(guarantee: .concentrated(rho: 0.02), bounds: bounds), on: column.rowCount)
            var release = DPRelease()
            release.tables.append(ReleasedTable(title: "Rows", columns: ["", "rows"], rows: [[.label(.declared("rows")), .count(ReleasedNumber(gaussian))]],
                                                selection: .publicDomain))
            return release
        }
        let conversion = try XCTUnwrap(result.privacy?.conversion)
        XCTAssertTrue(conversion.contains("ρ 0.02 zCDP counts as ε"), conversion)
        let account = try XCTUnwrap(try f.engine.workspace.ledger.budgetLedger().first)
        XCTAssertEqual(account.rho, 0.02, accuracy: 1e-12)
        XCTAssertEqual(account.epsilon, 0.1, accuracy: 1e-12)
        // rho is converted to epsilon against each account's limits: a large rho is refused even with a tiny epsilon.
        spec.rho = 2
        spec.epsilon = 0.01
        assertBudgetRefused(try f.engine.jobs.runPrivate(spec) { _, _, _ in DPRelease() }, contains: "above the limit")
    }
}
