import ArgumentParser
import CustosEngine
import Foundation

struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget", abstract: "Privacy budget.",
        discussion: "DP jobs reserve their whole epsilon before reading a row; limits per period come from the policies.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Epsilon spent and remaining per principal, dataset and period.")
        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let lines = try withEngine(options) { try $0.budgetStatement() }
            print(lines)
        }
    }
}
