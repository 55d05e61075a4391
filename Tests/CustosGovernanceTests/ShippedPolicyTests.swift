import CustosSchema
import XCTest

@testable import CustosGovernance

final class ShippedPolicyTests: XCTestCase {
    func testShippedPoliciesPassTheChecker() {
        let problems = PolicyChecker.check(directory: shippedPolicies)
        XCTAssertEqual(problems.map(\.description), [])
    }

    func testGoldenTestsPass() {
        let report = PolicyTestRunner.run(directory: shippedPolicies)
        XCTAssertTrue(report.passed, report.text)
        XCTAssertGreaterThanOrEqual(report.results.count, 20, report.text)
    }
}
