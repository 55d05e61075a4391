import XCTest
@testable import CustosMining

final class AssociationRuleTests: XCTestCase {
    private struct Reference {
        let support, confidence, lift, leverage, conviction: Double
    }

    private func groceryRules() throws -> (rules: [AssociationRule], reference: [String: Reference]) {
        let db = try TransactionDatabase(baskets: Fixture.integerLines(Fixture.text("groceries.dat")))
        let itemsets = try FrequentItemsetMiner.mine(db, minSupport: 0.01)
        let rules = try AssociationRules.generate(from: itemsets, basketCount: db.basketCount)
        var reference: [String: Reference] = [:]
        for line in try Fixture.lines("groceries_rules_0.01.txt") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let v = f[2...].map { $0 == "inf" ? Double.infinity : Double($0)! }
            reference["\(f[0])|\(f[1])"] = Reference(support: v[0], confidence: v[1], lift: v[2], leverage: v[3], conviction: v[4])
        }
        return (rules, reference)
    }

    private func key(_ rule: AssociationRule) -> String {
        rule.antecedent.map(String.init).joined(separator: " ") + "|" + rule.consequent.map(String.init).joined(separator: " ")
    }

    func testGroceryRulesMatchMlxtend() throws {
        let (rules, reference) = try groceryRules()
        XCTAssertEqual(rules.count, reference.count)
        XCTAssertEqual(Set(rules.map(key)), Set(reference.keys))
        XCTAssertTrue(rules.contains { $0.consequent.count > 1 }, "multi-item consequents are generated")
        for rule in rules {
            guard let r = reference[key(rule)] else { continue }
            XCTAssertEqual(rule.support, r.support, accuracy: 1e-9)
            XCTAssertEqual(rule.confidence, r.confidence, accuracy: 1e-9)
            XCTAssertEqual(rule.lift, r.lift, accuracy: 1e-9)
            XCTAssertEqual(rule.leverage, r.leverage, accuracy: 1e-9)
            if r.conviction.isInfinite { XCTAssertTrue(rule.conviction.isInfinite) } else {
                XCTAssertEqual(rule.conviction, r.conviction, accuracy: 1e-9)
            }
        }
    }

    func testConfidenceAndLiftFilters() throws {
        let (rules, reference) = try groceryRules()
        let db = try TransactionDatabase(baskets: Fixture.integerLines(Fixture.text("groceries.dat")))
        let itemsets = try FrequentItemsetMiner.mine(db, minSupport: 0.01)
        let filtered = try AssociationRules.generate(
            from: itemsets, basketCount: db.basketCount, minConfidence: 0.3, minLift: 1.5, maxConsequentSize: 1)
        let expected = reference.filter { k, r in
            r.confidence >= 0.3 && r.lift >= 1.5 && !k.split(separator: "|")[1].contains(" ")
        }
        XCTAssertEqual(Set(filtered.map(key)), Set(expected.keys))
        XCTAssertFalse(filtered.isEmpty)
        XCTAssertLessThan(filtered.count, rules.count)
    }

    func testHandComputedRule() throws {
        // 10 baskets: {1,2} x4, {1} x2, {2} x2, {} x2. Rule 1 => 2: n(A)=6, n(C)=6, n(AC)=4.
        let baskets: [Basket] = Array(repeating: [1, 2], count: 4) + [[1], [1], [2], [2], [], []]
        let db = try TransactionDatabase(baskets: baskets)
        let itemsets = try FrequentItemsetMiner.mine(db, minCount: 1)
        let rules = try AssociationRules.generate(from: itemsets, basketCount: 10)
        let rule = try XCTUnwrap(rules.first { $0.antecedent == [1] })
        XCTAssertEqual(rule.support, 0.4)
        XCTAssertEqual(rule.confidence, 4.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(rule.lift, (4.0 / 6.0) / 0.6, accuracy: 1e-15)
        XCTAssertEqual(rule.leverage, 0.4 - 0.36, accuracy: 1e-15)
        XCTAssertEqual(rule.conviction, 0.4 / (1 - 4.0 / 6.0), accuracy: 1e-15)
        // An exact rule has infinite conviction.
        let exact = try AssociationRules.generate(from: try FrequentItemsetMiner.mine(TransactionDatabase(baskets: [[1, 2], [1, 2], [2]]), minCount: 1), basketCount: 3)
        XCTAssertTrue(try XCTUnwrap(exact.first { $0.antecedent == [1] }).conviction.isInfinite)
        XCTAssertThrowsError(try AssociationRules.generate(from: [FrequentItemset(items: [1, 2], count: 1)], basketCount: 2))
    }
}
