import XCTest
@testable import CustosMining

final class FrequentItemsetTests: XCTestCase {
    /// Reference lines "count<TAB>item item ..." -> [items: count].
    private func reference(_ name: String) throws -> [[Int32]: Int] {
        var result: [[Int32]: Int] = [:]
        for line in try Fixture.lines(name) {
            let parts = line.split(separator: "\t")
            let items = parts[1].split(separator: " ").map { Int32($0)! }
            result[items] = Int(parts[0])!
        }
        return result
    }

    private func mined(_ db: TransactionDatabase, minCount: Int, threads: Int = 2) throws -> [[Int32]: Int] {
        let itemsets = try FrequentItemsetMiner.mine(db, minCount: minCount, threads: threads)
        var result: [[Int32]: Int] = [:]
        for itemset in itemsets {
            XCTAssertNil(result[itemset.items], "itemset \(itemset.items) reported twice")
            result[itemset.items] = itemset.count
        }
        return result
    }

    func testGroceriesMatchesMlxtendAndPyfimAtThreeSupports() throws {
        let db = try TransactionDatabase(baskets: Fixture.integerLines(Fixture.text("groceries.dat")))
        XCTAssertEqual(db.basketCount, 9835)
        for (support, expectedMinCount) in [("0.01", 99), ("0.005", 50), ("0.002", 20)] {
            let minCount = try SupportThreshold.minimumCount(fraction: Double(support)!, basketCount: db.basketCount)
            XCTAssertEqual(minCount, expectedMinCount)
            let expected = try reference("groceries_itemsets_\(support).txt")
            let got = try mined(db, minCount: minCount)
            XCTAssertEqual(got.count, expected.count, "number of itemsets at \(support)")
            XCTAssertEqual(got, expected, "itemsets and counts at \(support)")
        }
    }

    func testSingleThreadedAndMaxLengthAgree() throws {
        let db = try TransactionDatabase(baskets: Fixture.integerLines(Fixture.text("groceries.dat")))
        let expected = try reference("groceries_itemsets_0.002.txt")
        XCTAssertEqual(try mined(db, minCount: 20, threads: 1), expected)
        let capped = try FrequentItemsetMiner.mine(db, minCount: 20, maxLength: 2)
        XCTAssertEqual(capped.count, expected.keys.filter { $0.count <= 2 }.count)
        XCTAssertTrue(capped.allSatisfy { $0.items.count <= 2 && expected[$0.items] == $0.count })
    }

    func testRetailMatchesReferenceWhenDataPresent() throws {
        guard let text = Fixture.sharedData("retail.dat") else {
            throw XCTSkip("../shared/data/retail.dat not present; the retail comparison is skipped")
        }
        let db = try TransactionDatabase(baskets: Fixture.integerLines(text))
        XCTAssertEqual(db.basketCount, 88162)
        let minCount = try SupportThreshold.minimumCount(fraction: 0.01, basketCount: db.basketCount)
        XCTAssertEqual(minCount, 882)
        XCTAssertEqual(try mined(db, minCount: minCount), try reference("retail_itemsets_0.01.txt"))
    }

    func testHandComputedExample() throws {
        // Baskets: {1,2,3}, {1,2}, {2,3}, {2}, {1,3,3} (duplicate 3 counts once), {} (empty, counts in N).
        let db = try TransactionDatabase(baskets: [[3, 1, 2], [1, 2], [2, 3], [2], [1, 3, 3], []])
        XCTAssertEqual(db.basketCount, 6)
        let got = try mined(db, minCount: 2)
        XCTAssertEqual(got, [[1]: 3, [2]: 4, [3]: 3, [1, 2]: 2, [1, 3]: 2, [2, 3]: 2])
        XCTAssertEqual(try mined(db, minCount: 4), [[2]: 4])
        XCTAssertEqual(try mined(db, minCount: 5), [:])
        XCTAssertThrowsError(try TransactionDatabase(baskets: [[1, -2]]))
        XCTAssertThrowsError(try FrequentItemsetMiner.mine(db, minCount: 0))
    }

    func testSupportThresholdIsExactAtTheBoundary() throws {
        // 0.07 * 100 is 7.000000000000001 in floating point, so a naive ceil gives 8; the exact answer is 7.
        let fraction = 0.07, baskets = 100.0
        XCTAssertEqual((fraction * baskets).rounded(.up), 8)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.07, basketCount: 100), 7)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.07, basketCount: 101), 8)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.55, basketCount: 100), 55)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.1, basketCount: 30), 3)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.1, basketCount: 31), 4)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.01, basketCount: 88162), 882)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 0.001, basketCount: 88162), 89)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 1e-05, basketCount: 100_000), 1)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 1e-05, basketCount: 100_001), 2)
        XCTAssertEqual(try SupportThreshold.minimumCount(fraction: 1, basketCount: 7), 7)
        XCTAssertEqual(try SupportThreshold.minimumCount(numerator: 1, denominator: 10, basketCount: 30), 3)
        XCTAssertEqual(try SupportThreshold.minimumCount(numerator: 1, denominator: 3, basketCount: 10), 4)
        XCTAssertThrowsError(try SupportThreshold.minimumCount(fraction: 0, basketCount: 10))
        XCTAssertThrowsError(try SupportThreshold.minimumCount(fraction: 1.5, basketCount: 10))
        XCTAssertThrowsError(try SupportThreshold.minimumCount(fraction: .nan, basketCount: 10))
    }
}
