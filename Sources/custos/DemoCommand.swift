import CustosDemo
import ArgumentParser
import CustosEngine
import Foundation

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole story in a fresh workspace: init, generate, ingest, mine, serve a data-subject request, verify the audit log.",
        discussion: "Exits 1 if any check fails: plaintext on disk, an unexpected allow, a withdrawal or erasure not honoured, an unverifiable log.")

    @Option(help: "Workspace folder to create (default: a fresh temporary folder).", completion: .directory) var workspace: String?
    @Option(help: "Number of synthetic customers.") var customers: Int = 2_000
    @Option(help: "Seed for the synthetic data.") var seed: UInt64 = 42

    func run() throws {
        var options = Demo.Options()
        options.workspace = workspace.map { URL(fileURLWithPath: $0).standardizedFileURL }
        options.customers = customers
        options.seed = seed
        do {
            let result = try Demo(options: options).run()
            if !result.plaintextFindings.isEmpty || !result.auditVerified || result.unexpectedAllows > 0 || !result.withdrawalExcluded
                || !result.erasureFindings.isEmpty {
                throw ExitCode.failure
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}
