import CustosCrypto
import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

final class PolicyCheckerTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try scratchPolicies() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Writes `rules/zz-test.yaml` and returns the checker's problems located in it as "line: message".
    func problems(_ yaml: String) throws -> [ConfigurationError] {
        try write(yaml, to: dir.appendingPathComponent("rules/zz-test.yaml"))
        return PolicyChecker.check(directory: dir).filter { $0.file == "rules/zz-test.yaml" }
    }

    func assertOne(_ found: [ConfigurationError], line: Int, _ fragment: String, file: StaticString = #filePath, at: UInt = #line) {
        XCTAssertEqual(found.count, 1, found.map(\.description).joined(separator: "\n"), file: file, line: at)
        XCTAssertEqual(found.first?.line, line, found.first?.description ?? "", file: file, line: at)
        XCTAssertTrue(found.first?.message.contains(fragment) ?? false, found.first?.message ?? "", file: file, line: at)
    }

    func testUnknownRolePurposeDatasetAndColumn() throws {
        let header = """
            rules:
              - id: probe
                effect: permit

            """
        assertOne(try problems(header + """
                roles: [analyst, wizard]
                purposes: [analytics.reporting]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns: {amount: dp_only}
                budget: {epsilon_per_job: 1}
            """), line: 4, "unknown role 'wizard'")
        assertOne(try problems(header + """
                roles: [analyst]
                purposes: [analytics.reports]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns: {amount: dp_only}
                budget: {epsilon_per_job: 1}
            """), line: 5, "unknown purpose 'analytics.reports'")
        assertOne(try problems(header + """
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [invoices]
                output_modes: [dp_aggregate]
                columns: {amount: dp_only}
                budget: {epsilon_per_job: 1}
            """), line: 6, "unknown dataset 'invoices'")
        assertOne(try problems(header + """
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns:
                  amount: dp_only
                  total: dp_only
                budget: {epsilon_per_job: 1}
            """), line: 10, "no dataset in the rule's scope (orders) has a column 'total'")
        assertOne(try problems(header + """
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns: {amount: secret}
                budget: {epsilon_per_job: 1}
            """), line: 8, "treatment for 'amount'")
        assertOne(try problems(header + """
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [orders]
                output_modes: [dp_aggregate]
                colums: {amount: dp_only}
            """), line: 8, "unknown key 'colums'")
    }

    func testMissingBudgetAndGroupSize() throws {
        assertOne(try problems("""
            rules:
              - id: no-budget
                effect: permit
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns: {amount: dp_only}
            """), line: 7, "budget.epsilon_per_job")
        assertOne(try problems("""
            rules:
              - id: no-group-size
                effect: permit
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [events]
                output_modes: [pseudonymous_aggregate]
                columns: {event_type: allow}
            """), line: 7, "min_group_size")
    }

    func testRepeatedPermitIsReported() throws {
        let found = try problems("""
            rules:
              - id: copy-of-funnel
                effect: permit
                description: same grant, other words and order
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [events]
                output_modes: [pseudonymous_aggregate]
                min_group_size: 20
                columns:
                  session_id: pseudonymize
                  customer_id: pseudonymize
                  "*": allow
            """)
        assertOne(found, line: 2, "repeats rule 'analytics-events-funnel'")
    }

    func testPermitFullyShadowedByAForbid() throws {
        assertOne(try problems("""
            rules:
              - id: operator-orders
                effect: permit
                roles: [operator]
                purposes: [essential.service.security]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns: {"*": dp_only}
                budget: {epsilon_per_job: 0.1}
            """), line: 2, "can never take effect: everything it grants is refused by forbid forbid-operator-customer-data")
    }

    func testEntryAlwaysRefusedByAForbidOrOutsideThePurpose() throws {
        let found = try problems("""
            rules:
              - id: feedback-topics
                effect: permit
                roles: [marketing_analyst]
                purposes: [marketing.segmentation]
                datasets: [feedback]
                output_modes: [pseudonymous_aggregate]
                min_group_size: 10
                columns:
                  rating: allow
                  comment: allow
                  topic: allow
            """)
        XCTAssertEqual(found.map(\.line), [10, 11], found.map(\.description).joined(separator: "\n"))
        guard found.count == 2 else { return }
        XCTAssertTrue(found[0].message.contains("'rating' is allow here, but purpose marketing.segmentation does not list its data category"), found[0].message)
        XCTAssertTrue(found[1].message.contains("'comment' is allow here but always refused by forbid forbid-comments-outside-service-improvement"), found[1].message)
    }

    func testDPOnlyWithoutDPOutputAndNamedIdentifierAllow() throws {
        assertOne(try problems("""
            rules:
              - id: odd-permit
                effect: permit
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [events]
                output_modes: [pseudonymous_aggregate]
                min_group_size: 20
                columns:
                  event_type: dp_only
                  device: allow
            """), line: 10, "dp_only but the permit has no dp_aggregate output")
        assertOne(try problems("""
            rules:
              - id: odd-permit
                effect: permit
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [events]
                output_modes: [pseudonymous_aggregate]
                min_group_size: 20
                columns:
                  device: allow
                  class:direct_identifier: allow
            """), line: 11, "allow_direct_identifiers")
    }

    func testCrossBorderPurposeNeedsConsent() throws {
        var text = try String(contentsOf: dir.appendingPathComponent("purposes.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: """
                lawful_basis: consent
                data_categories: [user.contact.email, user.unique_id, user.account]
            """, with: """
                lawful_basis: legitimate_interest
                data_categories: [user.contact.email, user.unique_id, user.account]
            """)
        try write(text, to: dir.appendingPathComponent("purposes.yaml"))
        let found = PolicyChecker.check(directory: dir).filter { $0.file == "purposes.yaml" }
        XCTAssertEqual(found.count, 1, found.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(found.first?.message.contains("PIPL art. 39") ?? false)
    }

    func testLoadThrowsEveryProblemAtOnce() throws {
        try write("""
            rules:
              - id: a
                effect: allow
              - id: b
                effect: permit
                roles: [wizard]
            """, to: dir.appendingPathComponent("rules/zz-test.yaml"))
        XCTAssertThrowsError(try PolicySet.load(directory: dir)) { error in
            let errors = (error as? PolicyLoadError)?.errors ?? []
            XCTAssertEqual(errors.map(\.line), [3, 6], "\(error)")
        }
    }

    func testPolicyVersionIsTheDocumentedManifestDigest() throws {
        let set = try PolicySet.load(directory: dir)
        // The pipeline from policies/README.md, run by the shell.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cd '\(dir.path)' && find . -type f ! -path './tests/*' ! -path './README.md' ! -name '.*' | sed 's|^\\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(String(output.prefix(64)), set.version)

        // Tests and the README do not change the version; a rule does.
        try write("tests: []\n", to: dir.appendingPathComponent("tests/extra.yaml"))
        try write("# notes\n", to: dir.appendingPathComponent("README.md"))
        XCTAssertEqual(try PolicySet.load(directory: dir).version, set.version)
        let forbids = dir.appendingPathComponent("rules/forbids.yaml")
        try write(try String(contentsOf: forbids, encoding: .utf8) + "\n", to: forbids)
        XCTAssertNotEqual(try PolicySet.load(directory: dir).version, set.version)
    }
}
