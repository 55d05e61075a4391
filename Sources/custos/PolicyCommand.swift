import ArgumentParser
import CustosEngine
import CustosGovernance
import CustosClient
import CustosSchema
import Foundation

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Tools for policy authors: validate, test and explain the policies.",
        discussion: "Policies live in the workspace's policies/ folder (policies/README.md describes the files).",
        subcommands: [Check.self, Test.self, Explain.self, Sign.self])

    /// What `GET /v1/policy` answers.
    struct Status: Decodable { let version: String; let problems: [String] }
    struct TestOutcome: Decodable { let passed: Bool; let report: String }
    struct Explanation: Decodable { let explanation: String }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate every policy file against the dataset schemas.",
            discussion: """
                Prints the policy version (a digest of the files) when they are valid; each problem and exit 1 otherwise. \
                With --server, checks the served workspace's files and prints the version in force (GET /v1/policy).
                """)
        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            if let client = options.client(token: nil, role: nil) {
                let status = try await withService { try await client.send("GET", "/v1/policy").decode(Status.self) }
                if status.problems.isEmpty { return print("policies are valid (version \(status.version))") }
                for problem in status.problems { print(problem) }
                throw ExitCode.failure
            }
            _ = try options.authorizeLocalAccess()
            let problems = PolicyChecker.check(directory: options.url.appendingPathComponent("policies"))
            if problems.isEmpty {
                print("policies are valid (version \(try PolicyVersion.digest(directory: options.url.appendingPathComponent("policies"))))")
                return
            }
            for problem in problems { print(problem) }
            throw ExitCode.failure
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the policies as a compliance officer, so the engine loads them.",
            discussion: """
                Writes policies/.signature: an Ed25519 signature over the policy version (the manifest digest that \
                `policy check` prints). The engine opens only on policies signed, unchanged since, by a key pinned at \
                `custos init` (keys/policy-signers); every accepted change is audited naming the signer. Review the \
                files before signing: whatever they say is what you sign.
                """)
        @OptionGroup var options: WorkspaceOptions
        @Option(help: ArgumentHelp("The officer's Ed25519 private key (PEM), e.g. the one `custos init` wrote.", valueName: "file"),
                completion: .file())
        var key: String
        @Option(help: "The officer's principal id, as pinned.") var signer: String

        func run() throws {
            let directory = options.url.appendingPathComponent("policies")
            let problems = PolicyChecker.check(directory: directory)
            if !problems.isEmpty {
                for problem in problems { print(problem) }
                throw CommandFailure("the policies have problems (above) and were not signed; fix them and sign again")
            }
            let officerKey = try OfficerKeyFile.read(key)
            do {
                let signature = try PolicySignature.sign(directory: directory, signer: signer, key: officerKey)
                try signature.write(to: directory)
                print("signed policies version \(signature.version) as \(signature.signer) (key \(signature.keyID))")
            } catch {
                throw fail(error)
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the golden tests in policies/tests/.",
            discussion: "Exits 1 when a test's expected decision differs. With --server, runs the served workspace's tests (POST /v1/policy/test).")
        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            if let client = options.client(token: nil, role: nil) {
                let outcome = try await withService { try await client.send("POST", "/v1/policy/test").decode(TestOutcome.self) }
                print(outcome.report)
                if !outcome.passed { throw ExitCode.failure }
                return
            }
            _ = try options.authorizeLocalAccess()
            let report = PolicyTestRunner.run(directory: options.url.appendingPathComponent("policies"))
            print(report.text)
            if !report.passed { throw ExitCode.failure }
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the decision for a request and the rules that made it (records nothing, grants nothing).",
            discussion: """
                Example:
                  custos policy explain --principal mika --role marketing_analyst \\
                    --purpose marketing.segmentation --dataset orders \\
                    --output-mode pseudonymous_aggregate --columns items
                """)
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "Principal id (from policies/principals.yaml).") var principal: String
        @Option(help: "Role the principal acts in.") var role: String
        @Option(help: "Purpose key, e.g. marketing.segmentation.") var purpose: String
        @Option(help: "Dataset (declared in policies/datasets/).") var dataset: String
        @Option(parsing: .upToNextOption, help: "Columns requested.") var columns: [String] = []
        @Option(help: "Output mode asked for.") var outputMode: OutputMode
        @Option(help: "Epsilon for DP output (dp_aggregate).") var epsilon: Double?

        func validate() throws {
            if epsilon != nil && outputMode != .dpAggregate { throw ValidationError("--epsilon goes with --output-mode dp_aggregate") }
            if let epsilon, !(epsilon > 0) { throw ValidationError("--epsilon must be positive") }
        }

        /// The body of `POST /v1/policy/explain`.
        struct Ask: Encodable {
            let principal: String, role: String, purpose: String, dataset: String, columns: [String], outputMode: String, epsilon: Double?
            enum CodingKeys: String, CodingKey { case principal, role, purpose, dataset, columns, outputMode = "output_mode", epsilon }
        }

        func run() async throws {
            if let client = options.client(token: nil, role: nil) {
                let ask = Ask(principal: principal, role: role, purpose: purpose, dataset: dataset, columns: columns,
                              outputMode: outputMode.rawValue, epsilon: epsilon)
                let answer = try await withService {
                    try await client.send("POST", "/v1/policy/explain", json: try JSONEncoder().encode(ask)).decode(Explanation.self)
                }
                return print(answer.explanation)
            }
            _ = try options.authorizeLocalAccess()
            let policies = try PolicySet.load(directory: options.url.appendingPathComponent("policies"))
            let request = AccessRequest(principal: principal, token: nil, role: role, purpose: purpose, dataset: dataset,
                                        columns: columns, outputMode: outputMode, epsilon: epsilon)
            print(PolicyExplainer.explain(request, policies: policies))
        }
    }
}
