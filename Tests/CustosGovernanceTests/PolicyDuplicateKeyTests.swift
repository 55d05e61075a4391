import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

/// A rule that states a key twice (two row filters, two budgets) is refused at load and by
/// `policy check` with the file, the line of the repeat and the key.
final class PolicyDuplicateKeyTests: XCTestCase {
    func testARuleWithTwoRowFiltersIsRefusedWithFileLineAndKey() throws {
        let dir = try scratchPolicies()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            rules:
              - id: two-filters
                effect: permit
                roles: [marketing_analyst]
                purposes: [marketing.segmentation]
                datasets: [orders]
                output_modes: [pseudonymous_records]
                row_filter: country = 'SE'
                columns: {customer_id: pseudonymize, amount: allow}
                row_filter: country = 'CN'

            """, to: dir.appendingPathComponent("rules/zz-dup.yaml"))
        let problems = PolicyChecker.check(directory: dir).filter { $0.file == "rules/zz-dup.yaml" }
        XCTAssertEqual(problems.count, 1, problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(problems.first?.line, 10)
        XCTAssertTrue(problems.first?.message.contains("the key 'row_filter' appears twice") ?? false, problems.first?.message ?? "")
        XCTAssertThrowsError(try PolicySet.load(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("rules/zz-dup.yaml:10") && "\(error)".contains("'row_filter'"), "\(error)")
        }
    }
}
