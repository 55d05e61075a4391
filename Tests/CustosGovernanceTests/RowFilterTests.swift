import CustosSchema
import XCTest

@testable import CustosGovernance

final class RowFilterTests: XCTestCase {
    var orders: DatasetSchema!

    override func setUpWithError() throws {
        orders = try loadShipped().catalog.dataset("orders")
    }

    /// A full orders row in declaration order:
    /// customer_id, order_id, order_time, amount, item_count, items, channel, country.
    func row(amount: Value = .decimal(1000), country: Value = .category("SE"), channel: Value = .category("web"),
             items: Value = .items(["P1", "P2"]), time: Value = .timestamp(1_700_000_000_000), count: Value = .integer(2)) -> [Value] {
        [.string("c1"), .string("o1"), time, amount, count, items, channel, country]
    }

    func matches(_ text: String, _ row: [Value]) throws -> Bool {
        try RowFilter.compile(text, for: orders).bind(to: orders).matches(row)
    }

    func testComparisonsOnEachType() throws {
        XCTAssertTrue(try matches("amount >= 10.00", row(amount: .decimal(1000))))
        XCTAssertFalse(try matches("amount > 10", row(amount: .decimal(1000))))
        XCTAssertTrue(try matches("amount > 9.99", row(amount: .decimal(1000))))
        XCTAssertTrue(try matches("item_count = 2", row()))
        XCTAssertTrue(try matches("item_count != 3", row()))
        XCTAssertTrue(try matches("country = 'SE'", row()))
        XCTAssertTrue(try matches("country = 'se'", row()), "declared category values match case-insensitively")
        XCTAssertFalse(try matches("country in ['DE', 'FR']", row()))
        XCTAssertTrue(try matches("country not in ['DE', 'FR']", row()))
        XCTAssertTrue(try matches("items contains 'P2'", row()))
        XCTAssertFalse(try matches("items contains 'P3'", row()))
        // 1_700_000_000_000 ms = 2023-11-14T22:13:20Z
        XCTAssertTrue(try matches("order_time >= '2023-11-14T22:13:20Z'", row()))
        XCTAssertFalse(try matches("order_time > '2023-11-14T22:13:20Z'", row()))
        XCTAssertTrue(try matches("order_time < '2023-11-15'", row()))
        XCTAssertTrue(try matches("order_time < '2023-11-15T00:00:00+01:00'", row()), "offsets are applied: 23:00Z")
    }

    func testPrecedenceNotBindsTighterThanAndThanOr() throws {
        // country = 'SE' or channel = 'app' and item_count = 5  ==  SE or (app and 5)
        let text = "country = 'SE' or channel = 'app' and item_count = 5"
        XCTAssertTrue(try matches(text, row(country: .category("SE"), channel: .category("web"), count: .integer(1))))
        XCTAssertFalse(try matches(text, row(country: .category("DE"), channel: .category("app"), count: .integer(1))))
        XCTAssertTrue(try matches(text, row(country: .category("DE"), channel: .category("app"), count: .integer(5))))
        // Parentheses change it.
        let grouped = "(country = 'SE' or channel = 'app') and item_count = 5"
        XCTAssertFalse(try matches(grouped, row(country: .category("SE"), channel: .category("web"), count: .integer(1))))
        XCTAssertTrue(try matches("not country = 'DE' and item_count = 2", row()))
        XCTAssertTrue(try matches("not not country = 'SE'", row()))
    }

    func testMissingValuesAreUnknownAndNeverLetARowThrough() throws {
        let noCountry = row(country: .missing)
        XCTAssertFalse(try matches("country = 'CN'", noCountry))
        XCTAssertFalse(try matches("not (country = 'CN')", noCountry), "unknown stays unknown under not")
        XCTAssertFalse(try matches("country != 'CN'", noCountry))
        XCTAssertTrue(try matches("country is missing", noCountry))
        XCTAssertFalse(try matches("country is not missing", noCountry))
        XCTAssertTrue(try matches("country = 'CN' or item_count = 2", noCountry), "unknown or true is true")
        XCTAssertFalse(try matches("country = 'CN' or item_count = 3", noCountry), "unknown or false is unknown")
        XCTAssertFalse(try matches("item_count = 2 and country != 'CN'", noCountry), "true and unknown is unknown")
    }

    func testCanonicalTextParsesBackToTheSameFilter() throws {
        let texts = [
            "country in ['SE','DE'] and amount >= 0",
            "not (channel = 'web' or items contains 'it''s') and order_time < '2024-01-01'",
            "amount<=12.5 or item_count<>3",
        ]
        for text in texts {
            let filter = try RowFilter.compile(text, for: orders)
            let again = try RowFilter.compile(filter.description, for: orders)
            XCTAssertEqual(filter, again, filter.description)
        }
        XCTAssertEqual(try RowFilter.compile("amount<=12.5 or item_count<>3", for: orders).description, "amount <= 12.50 or item_count != 3")
        XCTAssertEqual(try RowFilter.compile("order_time < '2024-01-01'", for: orders).description, "order_time < '2024-01-01T00:00:00Z'")
    }

    func testCombinedFiltersBothApply() throws {
        let a = try RowFilter.compile("country = 'SE'", for: orders)
        let b = try RowFilter.compile("amount > 5", for: orders)
        let both = try a.and(b).bind(to: orders)
        XCTAssertTrue(both.matches(row(amount: .decimal(600))))
        XCTAssertFalse(both.matches(row(amount: .decimal(400))))
        XCTAssertFalse(both.matches(row(amount: .decimal(600), country: .category("DE"))))
        XCTAssertEqual(a.and(b).columns, ["amount", "country"])
    }

    func testBindingToAPartialLayout() throws {
        let filter = try RowFilter.compile("country = 'SE' and amount > 5", for: orders)
        let bound = try filter.bind(to: ["amount", "country"])
        XCTAssertTrue(bound.matches([.decimal(600), .category("SE")]))
        XCTAssertThrowsError(try filter.bind(to: ["amount"])) { error in
            XCTAssertEqual(error as? GovernanceError, .rowFilterColumnNotInRow(column: "country"))
        }
    }

    func assertRejects(_ text: String, at offset: Int, containing fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try RowFilter.compile(text, for: orders), file: file, line: line) { error in
            guard let e = error as? RowFilterError else { return XCTFail("not a RowFilterError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.offset, offset, e.message, file: file, line: line)
            XCTAssertTrue(e.message.contains(fragment), e.message, file: file, line: line)
        }
    }

    func testMalformedFiltersArePointedAt() {
        assertRejects("country = 'SE", at: 11, containing: "never closed")
        assertRejects("amount >=", at: 10, containing: "ends early")
        assertRejects("country = SE", at: 11, containing: "quote texts")
        assertRejects("country = 'SE' amount > 1", at: 16, containing: "after a complete filter")
        assertRejects("(country = 'SE'", at: 16, containing: "expected ')'")
        assertRejects("country ! 'SE'", at: 9, containing: "'!' must be followed by '='")
        assertRejects("country in 'SE'", at: 12, containing: "'['")
        assertRejects("country in ['SE' 'DE']", at: 18, containing: "',' or ']'")
        assertRejects("amount > 10abc", at: 12, containing: "runs into a word")
        assertRejects("and = 1", at: 1, containing: "expected a column name")
        assertRejects("country is present", at: 12, containing: "'missing'")
        assertRejects("country ~ 'x'", at: 9, containing: "unexpected character")
    }

    func testIllTypedFiltersAreRejected() {
        assertRejects("customer_id = 'c1'", at: 1, containing: "direct identifier")
        assertRejects("colour = 'red'", at: 1, containing: "has no column 'colour'")
        assertRejects("country < 'SE'", at: 1, containing: "not ordered")
        assertRejects("country = 'XX'", at: 1, containing: "not a declared value")
        assertRejects("amount = 'ten'", at: 1, containing: "compare it with a number")
        assertRejects("amount >= 1.234", at: 1, containing: "at most 2 digits")
        assertRejects("item_count = 2.5", at: 1, containing: "whole number")
        assertRejects("items = 'P1'", at: 1, containing: "contains")
        assertRejects("channel contains 'web'", at: 1, containing: "item-list")
        assertRejects("order_time > '2024-13-01'", at: 1, containing: "ISO 8601")
        assertRejects("amount > 1 and country = 1", at: 16, containing: "quoted text")
    }

    func testMalformedFilterInAPolicyFileReportsFileAndLine() throws {
        let dir = try scratchPolicies()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            rules:
              - id: bad-filter
                effect: permit
                roles: [marketing_analyst]
                purposes: [marketing.segmentation]
                datasets: [orders]
                output_modes: [pseudonymous_records]
                columns: {customer_id: pseudonymize, amount: allow}
                row_filter: |
                  country in ['SE', 'DE']
                    and amount >> 5
              - id: bad-inline-filter
                effect: permit
                roles: [marketing_analyst]
                purposes: [marketing.segmentation]
                datasets: [orders]
                output_modes: [pseudonymous_records]
                columns: {customer_id: pseudonymize, amount: allow}
                row_filter: customer_id = 'x'

            """, to: dir.appendingPathComponent("rules/zz-bad.yaml"))
        let problems = PolicyChecker.check(directory: dir)
        let located = problems.filter { $0.file == "rules/zz-bad.yaml" }
        XCTAssertEqual(located.count, 2, problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(located.first?.line, 11, located.first?.description ?? "")
        XCTAssertTrue(located.first?.message.contains("expected a value") ?? false, located.first?.message ?? "")
        XCTAssertEqual(located.last?.line, 19)
        XCTAssertTrue(located.last?.message.contains("direct identifier") ?? false)
    }
}
