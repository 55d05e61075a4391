import ArgumentParser
import CustosEngine
import Foundation

struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget", abstract: "Privacy budget.",
        discussion: "DP jobs reserve their whole epsilon before reading a row; limits per period come from the policies.",
        subcommands: [Show.self, Release.self, Reconcile.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Epsilon spent and remaining per principal, dataset and period.")
        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let lines = try withEngine(options) { try $0.reports.budgetStatement() }
            print(lines)
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take back the reservations of DP jobs that died before reading a row (operator or compliance officer).",
            discussion: "Each release is audited as budget.release; a job that started reading stays charged.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            let lines = try withEngine(options) { try $0.jobs.releaseUnreadReservations(actor: actor.actor) }
            print(lines.isEmpty ? "no reservation is waiting for a job that never read" : lines.joined(separator: "\n"))
        }
    }

    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raise a ledger that no longer matches the audit log back to what the log records (compliance officer).",
            discussion: """
                DP jobs are refused when the ledger in data/vault.sqlite holds less than the signed audit log records \
                (an edited table, deleted rows, an older copy restored). This raises every such account to the logged \
                spend; nothing is refunded, and each change is audited as budget.reconcile.
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            let lines = try withEngine(options) { try $0.jobs.reconcileLedger(actor: actor.actor) }
            print(lines.isEmpty ? "the ledger already matches the audit log" : lines.joined(separator: "\n"))
        }
    }
}
