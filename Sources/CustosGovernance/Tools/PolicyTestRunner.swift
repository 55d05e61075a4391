import CustosSchema
import Foundation

/// The outcome of one golden test.
public struct PolicyTestResult: Sendable, Equatable {
    /// Display name of the source file.
    public let file: String
    /// Line in the source file (1-based), for diagnostics.
    public let line: Int?
    /// Name.
    public let name: String
    /// What differed from the expectation; empty when the test passed.
    public let failures: [String]

    /// Whether everything passed.
    public var passed: Bool { failures.isEmpty }
}

/// The outcome of a golden-test run.
public struct PolicyTestReport: Sendable {
    /// One result per golden test.
    public let results: [PolicyTestResult]
    /// Problems that kept tests from running (policies or test files that do not load).
    public let errors: [ConfigurationError]

    /// Whether everything passed.
    public var passed: Bool { errors.isEmpty && !results.isEmpty && results.allSatisfy(\.passed) }

    /// A printable summary: one line per test, failures indented, then a total.
    public var text: String {
        var lines = errors.map { "ERROR \($0)" }
        for r in results {
            lines.append("\(r.passed ? "ok  " : "FAIL") \(r.file):\(r.line ?? 0) \(r.name)")
            lines += r.failures.map { "       \($0)" }
        }
        let failed = results.filter { !$0.passed }.count
        lines.append("\(results.count) tests, \(failed) failed\(errors.isEmpty ? "" : ", \(errors.count) errors")")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Runs the golden tests in `policies/tests/*.yaml`: each names a request and the decision,
/// treatments, row filter, group size, budget, reasons and rules expected for it.
///
/// ```yaml
/// tests:
///   - name: analyst computes DP sales statistics
///     request: {principal: alice, role: analyst, purpose: analytics.reporting, dataset: orders,
///               columns: [amount, country], output_mode: dp_aggregate, epsilon: 0.5}
///     expect:
///       decision: allow
///       treatments: {amount: dp_only, country: dp_only}
///       row_filter: none
///       rules: [analytics-orders-dp]
/// ```
/// Tokens are not part of golden tests (they are not checked); every other step of the
/// decision is.
public enum PolicyTestRunner {
    /// Loads the policies in `directory` and runs the tests in `directory/tests`.
    public static func run(directory: URL) -> PolicyTestReport {
        let policies: PolicySet
        do { policies = try PolicySet.load(directory: directory) } catch let error as PolicyLoadError {
            return PolicyTestReport(results: [], errors: error.errors)
        } catch {
            return PolicyTestReport(results: [], errors: [ConfigurationError(file: ".", line: nil, message: "\(error)")])
        }
        return run(policies: policies, testsDirectory: directory.appendingPathComponent("tests"))
    }

    /// Runs the tests in `testsDirectory` against already loaded policies.
    public static func run(policies: PolicySet, testsDirectory: URL) -> PolicyTestReport {
        let files = ((try? FileManager.default.contentsOfDirectory(at: testsDirectory, includingPropertiesForKeys: nil)) ?? [])
            .filter { ["yaml", "yml"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !files.isEmpty else {
            return PolicyTestReport(results: [], errors: [ConfigurationError(file: "tests", line: nil, message: "no golden tests (tests/*.yaml)")])
        }
        var results: [PolicyTestResult] = []
        var errors: [ConfigurationError] = []
        let evaluator = PolicyEvaluator(policies: policies)
        for file in files {
            do {
                let yaml = try YAMLValue.load(file, displayName: "tests/\(file.lastPathComponent)")
                try yaml.checkKeys(["tests"])
                for item in try yaml.required("tests").list() {
                    do { results.append(try runTest(item, evaluator: evaluator)) } catch let error as ConfigurationError { errors.append(error) }
                }
            } catch let error as ConfigurationError {
                errors.append(error)
            } catch {
                errors.append(ConfigurationError(file: "tests/\(file.lastPathComponent)", line: nil, message: "\(error)"))
            }
        }
        return PolicyTestReport(results: results, errors: errors)
    }

    static let requestKeys: Set<String> = ["principal", "role", "purpose", "dataset", "columns", "output_mode", "epsilon", "subject"]
    static let expectKeys: Set<String> = ["decision", "treatments", "row_filter", "min_group_size", "epsilon_per_job", "reasons", "rules"]

    static func runTest(_ item: YAMLValue, evaluator: PolicyEvaluator) throws -> PolicyTestResult {
        try item.checkKeys(["name", "request", "expect"])
        let name = try item.string("name")
        let r = try item.required("request")
        try r.checkKeys(requestKeys)
        let modeNode = try r.required("output_mode")
        guard let mode = OutputMode(rawValue: try modeNode.string()) else {
            throw modeNode.error("unknown output mode; use \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let request = AccessRequest(
            principal: try r.string("principal"), token: nil, role: try r.string("role"), purpose: try r.string("purpose"),
            dataset: try r.string("dataset"), columns: try r.stringList("columns"), outputMode: mode,
            epsilon: try r.optionalDouble("epsilon"), subjectScope: try r.optionalString("subject"))
        let e = try item.required("expect")
        try e.checkKeys(expectKeys)
        let evaluation = evaluator.evaluate(request, authenticate: false)
        var failures: [String] = []

        let expectedDecision = try e.string("decision")
        guard ["allow", "deny"].contains(expectedDecision) else { throw e.error("decision must be allow or deny") }
        let actualDecision = evaluation.isAllowed ? "allow" : "deny"
        if expectedDecision != actualDecision {
            let why = evaluation.reasons.map { "[\($0.code.rawValue)] \($0.message)" }.joined(separator: "; ")
            failures.append("decision: expected \(expectedDecision), got \(actualDecision)\(why.isEmpty ? "" : " (\(why))")")
        }
        if let node = e["treatments"] {
            var expected: [String: String] = [:]
            for key in node.keys { expected[key] = try node[key]?.string() }
            var actual: [String: String] = [:]
            for c in evaluation.columns where !c.filterOnly { actual[c.column] = c.treatment.rawValue }
            if expected != actual {
                failures.append("treatments: expected \(render(expected)), got \(render(actual))")
            }
        }
        if let node = e["row_filter"] {
            let text = try node.string()
            let actual = evaluation.rowFilter?.description ?? "none"
            var expected = text
            if text != "none", let schema = evaluator.policies.catalog.datasets[request.dataset] {
                expected = try RowFilter.compile(node, for: schema).description
            }
            if expected != actual { failures.append("row_filter: expected \(expected), got \(actual)") }
        }
        if let size = try e.optionalInt("min_group_size"), size != evaluation.minGroupSize {
            failures.append("min_group_size: expected \(size), got \(evaluation.minGroupSize.map(String.init) ?? "none")")
        }
        if let epsilon = try e.optionalDouble("epsilon_per_job"), epsilon != evaluation.budget.epsilonPerJob {
            failures.append("epsilon_per_job: expected \(epsilon), got \(evaluation.budget.epsilonPerJob.map { "\($0)" } ?? "none")")
        }
        let codes = Set(evaluation.reasons.map(\.code.rawValue))
        for code in try e.stringList("reasons") {
            guard ReasonCode(rawValue: code) != nil else {
                throw ConfigurationError(file: e.file, line: e.line(ofKey: "reasons"), message: "unknown reason code '\(code)'; codes: \(ReasonCode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !codes.contains(code) { failures.append("reasons: expected \(code), got \(codes.sorted().joined(separator: ", "))") }
        }
        if e["rules"] != nil {
            let expected = try e.stringList("rules").sorted()
            if expected != evaluation.matchedRules {
                failures.append("rules: expected [\(expected.joined(separator: ", "))], got [\(evaluation.matchedRules.joined(separator: ", "))]")
            }
        }
        return PolicyTestResult(file: item.file, line: item.line, name: name, failures: failures)
    }

    static func render(_ map: [String: String]) -> String {
        "{" + map.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
