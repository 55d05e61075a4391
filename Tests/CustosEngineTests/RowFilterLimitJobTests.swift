@testable import CustosEngine
import CustosGovernance
import CustosSchema
import Foundation
import XCTest

/// Issue 19: just below the size that crashed `policy check`, a filter passed the check but `mine`
/// still died. Now a filter at every limit (256 conditions, 32 levels) runs a job to completion
/// and selects exactly what the plain filter selects.
final class RowFilterLimitJobTests: XCTestCase {
    static let plain = "country in ['SE', 'DE', 'FR', 'GB', 'NO', 'DK', 'FI', 'NL']\n        and amount >= 0\n"

    /// The shipped RFM permit's filter, padded to the limits without changing its meaning.
    static var padded: String {
        let limits = RowFilterLimits.standard
        let chain = Array(repeating: "amount >= 0", count: limits.maxTerms - 1).joined(separator: " and ")
        let inner = "country in ['SE', 'DE', 'FR', 'GB', 'NO', 'DK', 'FI', 'NL'] and \(chain)"
        let nots = limits.maxDepth / 2
        return String(repeating: "not ", count: nots) + String(repeating: "(", count: limits.maxDepth - nots) + inner
            + String(repeating: ")", count: limits.maxDepth - nots) + "\n"
    }

    func testAJobRunsWithAFilterAtEveryLimit() throws {
        let baseline = try EngineFixture(customers: 60)
        let expected = try baseline.engine.jobs.mineRFM(actor: baseline.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: MiningParameters())
        let f = try EngineFixture(customers: 60) { policies in
            let url = policies.appendingPathComponent("rules/marketing.yaml")
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssertTrue(text.contains(Self.plain))
            try Data(text.replacingOccurrences(of: Self.plain, with: "        " + Self.padded).utf8).write(to: url)
        }
        let policy = try XCTUnwrap(f.engine.policies.rules.first { $0.id == "marketing-orders-rfm" })
        XCTAssertEqual(policy.rowFilter?.description.components(separatedBy: " and ").count, 256)
        let result = try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: MiningParameters())
        XCTAssertEqual(result.subjects, expected.subjects)
        XCTAssertGreaterThan(result.subjects, 0)
        XCTAssertEqual(result.tables.first?.rows.count, expected.tables.first?.rows.count)
    }
}
