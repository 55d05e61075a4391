import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

/// Delta limits in rules, the population budget of privacy.yaml, and default-deny for DP permits
/// that would leave spending unbounded.
final class PrivacyLimitTests: XCTestCase {
    /// The shipped policies with every permit's budget replaced by `budget(old)`.
    func shipped(population: PopulationBudget?? = .none, budget: (BudgetRule) -> BudgetRule) throws -> PolicySet {
        let p = try loadShipped()
        let rules = p.rules.map { r in
            PolicyRule(id: r.id, effect: r.effect, roles: r.roles, purposes: r.purposes, datasets: r.datasets, outputModes: r.outputModes,
                       columns: r.columns, rowFilter: r.rowFilter, minGroupSize: r.minGroupSize, budget: r.budget.map(budget),
                       allowDirectIdentifiers: r.allowDirectIdentifiers, requiresSubjectScope: r.requiresSubjectScope)
        }
        return PolicySet(catalog: p.catalog, roles: p.roles, principals: p.principals, purposes: p.purposes, rules: rules,
                         population: population ?? p.population, version: p.version)
    }

    func request(epsilon: Double = 0.5, delta: Double = 0) -> AccessRequest {
        AccessRequest(principal: "alice", token: nil, role: "analyst", purpose: "analytics.reporting", dataset: "orders", columns: ["amount"],
                      outputMode: .dpAggregate, epsilon: epsilon, delta: delta)
    }

    func codes(_ policies: PolicySet, _ request: AccessRequest) -> [ReasonCode] {
        PolicyEvaluator(policies: policies).evaluate(request, authenticate: false).reasons.map(\.code)
    }

    func testShippedPoliciesAllowDeltaWithinTheLimitsAndRefuseAbove() throws {
        let p = try loadShipped()
        XCTAssertEqual(codes(p, request(delta: 1e-6)), [])
        XCTAssertEqual(codes(p, request(delta: 2e-6)), [.deltaOverJobLimit])
        XCTAssertEqual(codes(p, request(delta: 0.5)), [.deltaOverJobLimit, .deltaOverPeriodLimit, .populationLimit])
        XCTAssertEqual(codes(p, request(delta: 1.5)), [.deltaInvalid, .populationLimit])
        XCTAssertEqual(p.population?.epsilonPerPeriod, 24)
    }

    func testAPermitWithoutADeltaLimitAllowsNoDelta() throws {
        let p = try shipped { BudgetRule(epsilonPerJob: $0.epsilonPerJob, epsilonPerPeriod: $0.epsilonPerPeriod, period: $0.period) }
        XCTAssertEqual(codes(p, request()), [], "pure DP needs no delta limit")
        XCTAssertTrue(codes(p, request(delta: 1e-9)).contains(.noDeltaLimit))
    }

    func testADPPermitWithoutAPeriodLimitIsDefaultDeny() throws {
        let p = try shipped { BudgetRule(epsilonPerJob: $0.epsilonPerJob, epsilonPerPeriod: nil, period: $0.period) }
        XCTAssertEqual(codes(p, request()), [.noPeriodLimit])
    }

    func testWithoutAPopulationBudgetNoDPRequestIsAllowed() throws {
        let p = try shipped(population: .some(nil)) { $0 }
        XCTAssertEqual(codes(p, request()), [.noPopulationBudget])
        let small = PopulationBudget(period: .month, epsilonPerPeriod: 0.2, deltaPerPeriod: 1e-6, epsilonLifetime: 1, deltaLifetime: 1e-5)
        XCTAssertEqual(codes(try shipped(population: .some(small)) { $0 }, request(epsilon: 0.5)), [.populationLimit])
    }

    func testBudgetAndPrivacyFilesAreValidatedWithLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("custos-privacy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: shippedPolicies, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        func errors(privacy: String) throws -> [ConfigurationError] {
            try Data(privacy.utf8).write(to: dir.appendingPathComponent("privacy.yaml"))
            return PolicyChecker.check(directory: dir).filter { $0.file == "privacy.yaml" }
        }
        let valid = "population:\n  period: month\n  epsilon_per_period: 4\n  delta_per_period: 1.0e-6\n  epsilon_lifetime: 40\n  delta_lifetime: 1.0e-5\n"
        XCTAssertEqual(try errors(privacy: valid).map(\.description), [])
        let delta = try errors(privacy: valid.replacingOccurrences(of: "delta_lifetime: 1.0e-5", with: "delta_lifetime: 1.5"))
        XCTAssertEqual(delta.first?.line, 6)
        XCTAssertTrue(delta.first?.message.contains("probability") ?? false, "\(delta)")
        let order = try errors(privacy: valid.replacingOccurrences(of: "epsilon_lifetime: 40", with: "epsilon_lifetime: 2"))
        XCTAssertTrue(order.first?.message.contains("must not be larger than the lifetime") ?? false, "\(order)")
        let typo = try errors(privacy: valid + "  epsilon_per_day: 1\n")
        XCTAssertTrue(typo.first?.message.contains("epsilon_per_day") ?? false, "\(typo)")

        func ruleErrors(_ budget: String) throws -> [ConfigurationError] {
            try Data("""
                rules:
                  - id: zz
                    effect: permit
                    roles: [analyst]
                    purposes: [analytics.reporting]
                    datasets: [orders]
                    output_modes: [dp_aggregate]
                    columns: {amount: dp_only}
                    budget: \(budget)
                """.utf8).write(to: dir.appendingPathComponent("rules/zz.yaml"))
            return PolicyChecker.check(directory: dir).filter { $0.file == "rules/zz.yaml" }
        }
        XCTAssertTrue(try ruleErrors("{epsilon_per_job: 1, epsilon_per_period: 2, delta_per_job: 2}").first?.message.contains("probability") ?? false)
        XCTAssertTrue(try ruleErrors("{epsilon_per_job: 1, epsilon_per_period: 2, delta_per_job: 1e-5, delta_per_period: 1e-6}").first?.message
            .contains("delta_per_job (1e-05) is larger than delta_per_period") ?? false)
        XCTAssertEqual(try ruleErrors("{epsilon_per_job: 1, epsilon_per_period: 2, delta_per_job: 1e-7, delta_per_period: 1e-6}").map(\.description), [])
    }
}
