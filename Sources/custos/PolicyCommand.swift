import ArgumentParser
import CustosEngine
import CustosGovernance
import CustosSchema
import Foundation

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Tools for policy authors.", subcommands: [Check.self, Test.self, Explain.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate every policy file against the dataset schemas.")
        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let problems = PolicyChecker.check(directory: options.url.appendingPathComponent("policies"))
            if problems.isEmpty {
                print("policies are valid (version \(try PolicyVersion.digest(directory: options.url.appendingPathComponent("policies"))))")
                return
            }
            for problem in problems { print(problem) }
            throw ExitCode.failure
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the golden tests in policies/tests/.")
        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let report = PolicyTestRunner.run(directory: options.url.appendingPathComponent("policies"))
            print(report.text)
            if !report.passed { throw ExitCode.failure }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the decision for a request and the rules that made it (records nothing, grants nothing).")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "Principal id.") var principal: String
        @Option(help: "Role.") var role: String
        @Option(help: "Purpose key.") var purpose: String
        @Option(help: "Dataset.") var dataset: String
        @Option(parsing: .upToNextOption, help: "Columns requested.") var columns: [String] = []
        @Option(help: "Output mode: \(OutputMode.allCases.map(\.rawValue).joined(separator: ", ")).") var outputMode: String
        @Option(help: "Epsilon for DP output.") var epsilon: Double?

        func run() throws {
            guard let mode = OutputMode(rawValue: outputMode) else {
                throw ValidationError("unknown output mode '\(outputMode)'; use one of \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let policies = try PolicySet.load(directory: options.url.appendingPathComponent("policies"))
            let request = AccessRequest(principal: principal, token: nil, role: role, purpose: purpose, dataset: dataset,
                                        columns: columns, outputMode: mode, epsilon: epsilon)
            print(PolicyExplainer.explain(request, policies: policies))
        }
    }
}
