import CustosBase
import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

/// Random requests against the shipped policies, checked against `PolicyOracle`. Deterministic
/// (fixed seed), so it cannot fail by chance: a failure is a real disagreement.
final class PolicyPropertyTests: XCTestCase {
    static let seed: UInt64 = 0xC057_0D1A_2025
    static let count = 5000

    /// Random requests: half aimed at a random permit's scope (so many are allowed), half uniform
    /// over everything declared plus a few unknown names.
    static func requests(oracle: PolicyOracle, count: Int, seed: UInt64) -> [AccessRequest] {
        var rng = SplitMix64(seed: seed)
        let modes = OutputMode.allCases
        let purposes = oracle.purposeCategories.keys.sorted()
        let datasetNames = oracle.datasets.keys.sorted()
        let permits = oracle.rules.filter { $0.effect == "permit" }.sorted { $0.id < $1.id }
        let principalIDs = oracle.principals.keys.sorted()
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
        var out: [AccessRequest] = []
        for _ in 0..<count {
            var role = pick(oracle.roles + ["wizard"])
            var purpose = pick(purposes + ["analytics.everything"])
            var dataset = pick(datasetNames)
            var mode = pick(modes)
            if Bool.random(using: &rng) {
                let permit = pick(permits)
                role = pick(oracle.roles.filter { PolicyOracle.any(permit.roles, $0) })
                purpose = pick(purposes.filter { PolicyOracle.any(permit.purposes, $0) })
                dataset = pick(datasetNames.filter { PolicyOracle.any(permit.datasets, $0) })
                mode = OutputMode(rawValue: pick(permit.modes)) ?? mode
            }
            let holders = principalIDs.filter { oracle.principals[$0]?.roles.contains(role) ?? false }
            let principal = (!holders.isEmpty && Double.random(in: 0..<1, using: &rng) < 0.85) ? pick(holders) : pick(principalIDs + ["mallory"])
            let names = (oracle.datasets[dataset] ?? []).map(\.name)
            var columns = Array(names.shuffled(using: &rng).prefix(Int.random(in: 1...4, using: &rng)))
            if Double.random(in: 0..<1, using: &rng) < 0.03 { columns.append("colour") }
            var epsilon: Double?
            if mode == .dpAggregate {
                epsilon = pick([nil, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 9.0] as [Double?])
            } else if Double.random(in: 0..<1, using: &rng) < 0.1 {
                epsilon = 0.3
            }
            var scope: String?
            if role == "data_subject", Double.random(in: 0..<1, using: &rng) < 0.8 {
                scope = oracle.principals[principal]?.subject ?? "ab12"
            } else if Bool.random(using: &rng) {
                scope = pick(["5f0c2a9e4b7d13c8a6e2f19d0b3c7a41", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"])
            }
            out.append(AccessRequest(principal: principal, token: nil, role: role, purpose: purpose, dataset: dataset,
                                     columns: columns, outputMode: mode, epsilon: epsilon, subjectScope: scope))
        }
        return out
    }

    func testNoTreatmentIsMorePermissiveThanAnyMatchingRuleAllows() throws {
        let policies = try loadShipped()
        let oracle = try PolicyOracle(directory: shippedPolicies)
        let evaluator = PolicyEvaluator(policies: policies)
        var allowed = 0
        var checkedColumns = 0
        var seen = Set<ColumnTreatment>()
        for request in Self.requests(oracle: oracle, count: Self.count, seed: Self.seed) {
            let evaluation = evaluator.evaluate(request, authenticate: false)
            guard let schema = policies.catalog.datasets[request.dataset] else { continue }
            for decision in evaluation.columns where !decision.filterOnly {
                guard let c = oracle.datasets[request.dataset]?.first(where: { $0.name == decision.column }),
                      let column = schema.column(named: decision.column) else { return XCTFail("unknown column in decision") }
                checkedColumns += 1
                seen.insert(decision.treatment)
                let context = "\(request) column \(decision.column)"
                // The property: at least as restrictive as every applicable permit that covers the column...
                for (rule, _, raw) in oracle.permitTreatments(request, c) {
                    XCTAssertGreaterThanOrEqual(decision.treatment.restrictiveness, PolicyOracle.rank[raw] ?? 4,
                                                "\(context): more permissive than \(rule.id)")
                }
                // ...denied when any applicable forbid covers it, or when no permit covers it...
                if oracle.forbidden(request, c) || oracle.permitTreatments(request, c).isEmpty {
                    XCTAssertEqual(decision.treatment, .deny, context)
                }
                // ...never raw direct identifiers except where a permit explicitly says so...
                if column.isIdentifier && decision.treatment == .allow {
                    XCTAssertTrue(OutputMode.identifying.contains(request.outputMode), context)
                    XCTAssertTrue(oracle.permitTreatments(request, c).allSatisfy { $0.rule.allowIdentifiers && $0.selector != "*" }, context)
                }
                // ...and dp_only never outside a DP aggregate.
                if decision.treatment == .dpOnly { XCTAssertEqual(request.outputMode, .dpAggregate, context) }
            }
            if evaluation.isAllowed {
                allowed += 1
                XCTAssertEqual(Set(evaluation.columns.filter { !$0.filterOnly }.map(\.column)), Set(request.columns), "\(request)")
                XCTAssertTrue(evaluation.columns.allSatisfy { $0.treatment != .deny }, "\(request)")
            }
        }
        // Coverage, so the property is not checked vacuously.
        XCTAssertGreaterThan(allowed, Self.count / 10)
        XCTAssertGreaterThan(checkedColumns, Self.count / 2)
        print("property: \(Self.count) requests, \(allowed) allowed, \(checkedColumns) column decisions checked")
        XCTAssertEqual(seen, Set(ColumnTreatment.allCases))
    }

    func testDecisionsAgreeExactlyWithTheOracle() throws {
        let policies = try loadShipped()
        let oracle = try PolicyOracle(directory: shippedPolicies)
        let evaluator = PolicyEvaluator(policies: policies)
        var disagreements: [String] = []
        for request in Self.requests(oracle: oracle, count: Self.count, seed: Self.seed ^ 0x5555) {
            let evaluation = evaluator.evaluate(request, authenticate: false)
            let expected = oracle.decide(request)
            var actual: [String: String] = [:]
            for c in evaluation.columns where !c.filterOnly { actual[c.column] = c.treatment.rawValue }
            if evaluation.isAllowed != expected.allowed || (expected.treatments.map { $0 != actual } ?? !actual.isEmpty) {
                disagreements.append("\(request): custos \(evaluation.isAllowed) \(actual), oracle \(expected)")
            }
        }
        XCTAssertEqual(disagreements.count, 0, disagreements.prefix(5).joined(separator: "\n"))
    }

    func testRuleOrderNeverMatters() throws {
        // The same rules spread over files in reverse order, with ids renamed so that their sort
        // order is reversed too, give the same decisions.
        let policies = try loadShipped()
        let renamed = policies.rules.map { r in
            PolicyRule(
                id: String(r.id.reversed()), effect: r.effect, roles: r.roles, purposes: r.purposes, datasets: r.datasets,
                outputModes: r.outputModes, columns: r.columns.reversed(), rowFilter: r.rowFilter, minGroupSize: r.minGroupSize,
                budget: r.budget, allowDirectIdentifiers: r.allowDirectIdentifiers, requiresSubjectScope: r.requiresSubjectScope)
        }
        let shuffled = PolicySet(catalog: policies.catalog, roles: policies.roles, principals: policies.principals,
                                 purposes: policies.purposes, rules: renamed.reversed(), population: policies.population,
                                 version: policies.version)
        let a = PolicyEvaluator(policies: policies)
        let b = PolicyEvaluator(policies: shuffled)
        let oracle = try PolicyOracle(directory: shippedPolicies)
        for request in Self.requests(oracle: oracle, count: 1000, seed: Self.seed ^ 0xAAAA) {
            let x = a.evaluate(request, authenticate: false)
            let y = b.evaluate(request, authenticate: false)
            XCTAssertEqual(x.isAllowed, y.isAllowed, "\(request)")
            XCTAssertEqual(x.columns.map(\.treatment), y.columns.map(\.treatment), "\(request)")
            XCTAssertEqual(x.rowFilter.map { Set($0.columns) }, y.rowFilter.map { Set($0.columns) }, "\(request)")
            XCTAssertEqual(x.minGroupSize, y.minGroupSize)
            XCTAssertEqual(x.budget, y.budget)
            XCTAssertEqual(x.reasons.map(\.code), y.reasons.map(\.code), "\(request)")
        }
    }
}
