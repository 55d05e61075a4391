import ArgumentParser
import CustosClient
import CustosEngine
import Foundation

struct BudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget", abstract: "Privacy budget.",
        discussion: "DP jobs reserve their whole epsilon before reading a row; limits per period come from the policies.",
        subcommands: [Show.self, Release.self, Reconcile.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Epsilon spent and remaining per principal, dataset and period.",
            discussion: "With --server, the token in $CUSTOS_TOKEN says who asks (GET /v1/budget).")
        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            if let client = options.client(token: nil, role: nil) {
                let text = try await withService { try await client.send("GET", "/v1/budget", accept: "text/plain").text }
                return print(text, terminator: "")
            }
            let lines = try withEngine(options) { try $0.reports.budgetStatement() }
            print(lines)
        }
    }

    /// The lines `POST /v1/budget/release` and `/reconcile` answer with.
    struct Lines: Decodable { let lines: [String] }

    /// Runs a budget change on the service or the workspace.
    static func change(_ path: String, options: WorkspaceOptions, actor: ActorOptions, local: (Engine) throws -> [String]) async throws -> [String] {
        if let client = options.client(token: actor.token, role: actor.role) {
            return try await withService { try await client.send("POST", "/v1/budget/" + path).decode(Lines.self).lines }
        }
        return try withEngine(options, local)
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take back the reservations of DP jobs that died before reading a row (operator or compliance officer).",
            discussion: "Each release is audited as budget.release; a job that started reading stays charged.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions

        func run() async throws {
            let lines = try await change("release", options: options, actor: actor) { try $0.jobs.releaseUnreadReservations(actor: actor.actor) }
            print(lines.isEmpty ? "no reservation is waiting for a job that never read" : lines.joined(separator: "\n"))
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raise a ledger that no longer matches the audit log back to what the log records (compliance officer).",
            discussion: """
                DP jobs are refused when the ledger in data/vault.sqlite holds less than the signed audit log records \
                (an edited table, deleted rows, an older copy restored). This raises every such account to the logged \
                spend; nothing is refunded, and each change is audited as budget.reconcile.
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions

        func run() async throws {
            let lines = try await change("reconcile", options: options, actor: actor) { try $0.jobs.reconcileLedger(actor: actor.actor) }
            print(lines.isEmpty ? "the ledger already matches the audit log" : lines.joined(separator: "\n"))
        }
    }
}
