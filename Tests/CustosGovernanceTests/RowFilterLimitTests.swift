import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

/// The fuzzed row filters of issue 19 that crashed every command (stack overflow in the parser
/// and checker): each now fails at once with the limit it broke, and a filter just inside every
/// limit compiles, renders and evaluates.
final class RowFilterLimitTests: XCTestCase {
    var orders: DatasetSchema!

    override func setUpWithError() throws {
        orders = try loadShipped().catalog.dataset("orders")
    }

    let limits = RowFilterLimits.standard

    func assertRejects(_ text: String, at offset: Int? = nil, containing fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try RowFilter.compile(text, for: orders), file: file, line: line) { error in
            guard let e = error as? RowFilterError else { return XCTFail("not a RowFilterError: \(error)", file: file, line: line) }
            if let offset { XCTAssertEqual(e.offset, offset, e.message, file: file, line: line) }
            for fragment in fragments { XCTAssertTrue(e.message.contains(fragment), e.message, file: file, line: line) }
        }
    }

    /// ~2,900 terms, about 55 KB: the shape that killed `policy check` with a segmentation fault.
    func testALongAndChainIsRefusedAtTheTermLimit() {
        let term = "country = 'SE'"
        let text = Array(repeating: term, count: 2_900).joined(separator: " and ")
        // The 257th condition starts after 256 terms and 256 separators.
        let offset = 256 * (term.count + " and ".count) + 1
        assertRejects(text, at: offset, containing: ["more than 256 conditions", "in [...]"])
    }

    func testALongOrChainIsRefusedAtTheTermLimit() {
        let text = Array(repeating: "amount > 1", count: 2_900).joined(separator: " or ")
        assertRejects(text, containing: ["more than 256 conditions"])
    }

    func testANotNotChainIsRefusedAtTheDepthLimit() {
        let text = String(repeating: "not ", count: 2_900) + "country = 'SE'"
        // The 33rd 'not' is one level too many.
        assertRejects(text, at: 32 * 4 + 1, containing: ["more than 32 levels", "double negations"])
    }

    func testDeeplyNestedParenthesesAreRefusedAtTheDepthLimit() {
        let text = String(repeating: "(", count: 6_900) + "country = 'SE'" + String(repeating: ")", count: 6_900)
        assertRejects(text, at: 33, containing: ["more than 32 levels", "parentheses"])
    }

    func testALongInListIsRefusedAtTheListLimit() {
        let text = "country in [" + Array(repeating: "'SE'", count: 5_000).joined(separator: ",") + "]"
        assertRejects(text, at: 12, containing: ["more than 1024 values", "'in' list"])
    }

    func testAMultiMegabyteFilterIsRefusedBeforeItIsRead() {
        // The 8.7 MB filter that took 10-18 s to check.
        let text = "country in [" + Array(repeating: "'SE'", count: 1_800_000).joined(separator: ",") + "]"
        assertRejects(text, at: 1, containing: ["bytes long", "the limit is 65536 bytes"])
    }

    func testALongLiteralIsRefused() {
        assertRejects("country = '" + String(repeating: "x", count: 10_000) + "'", at: 11, containing: ["longer than 256 characters", "literal"])
        assertRejects("item_count = " + String(repeating: "9", count: 10_000), at: 14, containing: ["longer than 256 characters", "literal"])
    }

    /// A filter at every limit at once: 256 conditions, 32 levels, a 1,024-value list and a
    /// 256-character literal. It compiles, prints back to itself and evaluates.
    func testAFilterJustInsideEveryLimitCompilesAndEvaluates() throws {
        let list = "item_count in [" + (0..<limits.maxListLength).map(String.init).joined(separator: ", ") + "]"
        // A 256-digit number (zero) as the longest literal.
        let literal = "item_count >= " + String(repeating: "0", count: limits.maxLiteralLength)
        // 254 more conditions: 256 in all.
        let chain = Array(repeating: "amount >= 0", count: limits.maxTerms - 2).joined(separator: " and ")
        let inner = "\(list) and \(literal) and \(chain)"
        let text = String(repeating: "not ", count: 16) + String(repeating: "(", count: 16) + inner + String(repeating: ")", count: 16)
        XCTAssertLessThanOrEqual(text.utf8.count, limits.maxTextBytes)
        let filter = try RowFilter.compile(text, for: orders)
        XCTAssertEqual(try RowFilter.compile(filter.description, for: orders), filter)
        XCTAssertEqual(filter.columns, ["amount", "item_count"])
        let bound = try filter.bind(to: orders)
        let row: [Value] = [.string("c1"), .string("o1"), .timestamp(0), .decimal(100), .integer(2), .items([]), .category("web"), .category("SE")]
        XCTAssertTrue(bound.matches(row), "an even number of nots around a true condition")
        // One more of anything is refused.
        assertRejects(text + " and amount >= 0", containing: ["more than 256 conditions"])
        assertRejects("not " + text, containing: ["more than 32 levels"])
        // The longest quoted literal, with an escaped quote counted as one character.
        let quoted = "it''s" + String(repeating: "q", count: limits.maxLiteralLength - 4)
        XCTAssertNoThrow(try RowFilter.compile("items contains '\(quoted)'", for: orders))
        assertRejects("items contains '\(quoted)q'", at: 16, containing: ["longer than 256 characters"])
    }

    func testCombiningManyPermitFiltersStaysFlat() throws {
        let one = try RowFilter.compile("amount >= 0 and country = 'SE'", for: orders)
        var combined = one
        for _ in 0..<5_000 { combined = combined.and(one) }
        guard case let .and(parts) = combined.condition else { return XCTFail("an and") }
        XCTAssertEqual(parts.count, 10_002, "one flat and, not 5,000 levels")
        let row: [Value] = [.string("c1"), .string("o1"), .timestamp(0), .decimal(100), .integer(2), .items([]), .category("web"), .category("SE")]
        XCTAssertTrue(try combined.bind(to: orders).matches(row))
    }

    /// The checker also bounds a tree built by hand (not from text), so it cannot recurse without end.
    func testTheCheckerRefusesAHandBuiltTreeDeeperThanAnyParsedOne() {
        var syntax = RowFilterSyntax.missing(column: "country", negated: false, offset: 1)
        for _ in 0..<200 { syntax = .not(syntax) }
        XCTAssertThrowsError(try RowFilterChecker.check(syntax, schema: orders)) { error in
            XCTAssertTrue((error as? RowFilterError)?.message.contains("more than 32 levels") ?? false, "\(error)")
        }
    }

    /// In a policy file the refusal names the file, the line, the rule and the limit, and the same
    /// error stops the load: what `policy check` passes is what loads, and what loads runs.
    func testAnOversizedFilterInAPolicyFileNamesTheRuleAndTheLimitAtCheckAndAtLoad() throws {
        let dir = try scratchPolicies()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chain = Array(repeating: "country = 'SE'", count: 2_900).joined(separator: " and ")
        try write("""
            rules:
              - id: huge-filter
                effect: permit
                roles: [marketing_analyst]
                purposes: [marketing.segmentation]
                datasets: [orders]
                output_modes: [pseudonymous_records]
                columns: {customer_id: pseudonymize, amount: allow}
                row_filter: \(chain)

            """, to: dir.appendingPathComponent("rules/zz-huge.yaml"))
        let problems = PolicyChecker.check(directory: dir).filter { $0.file == "rules/zz-huge.yaml" }
        XCTAssertEqual(problems.count, 1, problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(problems.first?.line, 9)
        let message = problems.first?.message ?? ""
        XCTAssertTrue(message.contains("rule 'huge-filter'"), message)
        XCTAssertTrue(message.contains("more than 256 conditions"), message)
        XCTAssertThrowsError(try PolicySet.load(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("rule 'huge-filter'") && "\(error)".contains("256"), "\(error)")
        }
    }
}
