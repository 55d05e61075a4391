import ArgumentParser
import Foundation
import XCTest

@testable import custos

/// Every command explains itself: an abstract, help on every option, the values of every enum
/// option, and `--help` that names every option the command takes (argument-parser's own dump of
/// the command tree is the list to check against, so a new option cannot slip through).
final class HelpTests: XCTestCase {
    /// One command of the tree from `custos --experimental-dump-help`.
    struct CommandInfo: Decodable {
        struct Name: Decodable {
            let kind: String
            let name: String
        }
        struct Argument: Decodable {
            let kind: String
            let names: [Name]?
            let valueName: String?
            let abstract: String?
            let shouldDisplay: Bool
            let allValues: [String]?
        }
        let commandName: String
        let abstract: String?
        let arguments: [Argument]?
        let subcommands: [CommandInfo]?
    }

    struct ToolInfo: Decodable { let command: CommandInfo }

    /// Every command with its path of command names below `custos`.
    func commands() throws -> [(path: [String], info: CommandInfo)] {
        let dump = try CustosProcess.run(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let root = try JSONDecoder().decode(ToolInfo.self, from: Data(dump.stdout.utf8)).command
        var found: [(path: [String], info: CommandInfo)] = []
        func walk(_ command: CommandInfo, _ path: [String]) {
            found.append((path, command))
            for sub in command.subcommands ?? [] where sub.commandName != "help" { walk(sub, path + [sub.commandName]) }
        }
        walk(root, [])
        return found
    }

    func testVersionComesFromTheOneConstant() throws {
        let result = try CustosProcess.run(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, CustosVersion.current + "\n")
        XCTAssertEqual(Custos.configuration.version, CustosVersion.current)
    }

    func testEveryCommandHasAnAbstractAndEveryOptionHasHelp() throws {
        let all = try commands()
        XCTAssertGreaterThan(all.count, 30, "the tree should hold every command and subcommand")
        for (path, command) in all {
            let name = (["custos"] + path).joined(separator: " ")
            XCTAssertFalse((command.abstract ?? "").isEmpty, "\(name) has no abstract")
            for argument in command.arguments ?? [] where argument.shouldDisplay {
                let label = argument.names?.first?.name ?? argument.valueName ?? "?"
                XCTAssertFalse((argument.abstract ?? "").isEmpty, "\(name): \(label) has no help text")
            }
        }
    }

    func testEachCommandsHelpNamesEveryOptionItTakes() throws {
        for (path, command) in try commands() {
            let help = try CustosProcess.run(path + ["--help"])
            let name = (["custos"] + path).joined(separator: " ")
            XCTAssertEqual(help.status, 0, "\(name) --help")
            XCTAssertTrue(help.stdout.contains("OVERVIEW: "), "\(name) --help has no overview")
            let flowed = help.stdout.flowed
            for argument in command.arguments ?? [] where argument.shouldDisplay {
                if argument.kind == "positional" {
                    XCTAssertTrue(help.stdout.contains("<\(argument.valueName ?? "")>"), "\(name) --help does not show <\(argument.valueName ?? "")>")
                    continue
                }
                for option in argument.names ?? [] where option.kind == "long" {
                    XCTAssertTrue(help.stdout.contains("--\(option.name)"), "\(name) --help does not mention --\(option.name)")
                }
                if let values = argument.allValues, !values.isEmpty {
                    XCTAssertTrue(flowed.contains("values: \(values.joined(separator: ", "))"),
                                  "\(name) --help does not list the values of \(argument.names?.first?.name ?? "?")")
                }
            }
        }
    }

    func testEnumOptionsListTheirValuesInHelp() throws {
        let mine = try CustosProcess.run(["mine", "--help"]).stdout.flowed
        XCTAssertTrue(mine.contains("(values: rfm, kmeans, rules, sequences, funnel)"))
        XCTAssertTrue(mine.contains("(values: pseudonymous_records, pseudonymous_aggregate, dp_aggregate)"))
        XCTAssertTrue(mine.contains("(values: text, json, html)"))
        let file = try CustosProcess.run(["dsr", "file", "--help"]).stdout.flowed
        XCTAssertTrue(file.contains("(values: access, portability, rectification, erasure, restriction, objection, consent_withdrawal)"))
        XCTAssertTrue(file.contains("(values: web, email, post, phone, in_person; default: email)"))
        XCTAssertTrue(file.contains("(values: GDPR, PIPL; default: GDPR)"))
    }

    /// One `OutputOptions` group, not copies: every command that writes a result or report takes
    /// the same --format and --output with the same help.
    func testEveryResultCommandSharesOneOutputGroup() throws {
        var formatHelp = Set<String>(), outputHelp = Set<String>()
        var withOutput: [String] = []
        for (path, command) in try commands() {
            let arguments = command.arguments ?? []
            func named(_ n: String) -> CommandInfo.Argument? { arguments.first { $0.names?.contains { $0.name == n } ?? false } }
            guard let output = named("output"), path.first != "generate" else { continue }
            withOutput.append(path.joined(separator: " "))
            outputHelp.insert(output.abstract ?? "")
            formatHelp.insert(named("format")?.abstract ?? "missing --format")
        }
        XCTAssertEqual(Set(withOutput), ["stats", "cube", "mine", "audit report", "report ropa"])
        XCTAssertEqual(formatHelp.count, 1, "--format differs between commands: \(formatHelp)")
        XCTAssertEqual(outputHelp.count, 1, "--output differs between commands: \(outputHelp)")
    }

    func testAuditProveHelpIsGolden() throws {
        let help = try CustosProcess.run(["audit", "prove", "--help"])
        XCTAssertEqual(help.stdout, """
            OVERVIEW: Emit an RFC 6962 inclusion proof (--entry N) or consistency proof
            (--old-size M) as JSON or C2SP tlog-proof.

            Sizes are tree sizes (numbers of entries), not dates. An inclusion proof shows
            that entry N is in the tree of --size entries; a consistency proof shows that
            the tree of --old-size entries is a prefix of the tree of --size entries.
            --size defaults to the latest signed checkpoint.
            Examples:
              custos audit prove --entry 3 --format tlog
              custos audit prove --old-size 10 --size 40
            With --server: POST /v1/audit/prove (compliance officer or operator).

            USAGE: custos audit prove [--workspace <workspace>] [--passphrase-file <passphrase-file>] [--server <url>] [--local] [--entry <index>] [--old-size <tree-size>] [--size <tree-size>] [--format <format>]

            OPTIONS:
              --workspace <workspace> Workspace folder (default: $CUSTOS_WORKSPACE or the
                                      current directory).
              --passphrase-file <passphrase-file>
                                      File holding the passphrase of a passphrase-protected
                                      key (default: $CUSTOS_PASSPHRASE).
              --server <url>          Call this Custos service instead of opening the
                                      workspace (default: $CUSTOS_SERVER).
              --local                 Break-glass: open the workspace directly although a
                                      server is configured (needs the KEK passphrase;
                                      audited).
              --entry <index>         Entry index (0-based) for an inclusion proof.
              --old-size <tree-size>  Tree size of the earlier tree, for a consistency
                                      proof.
              --size <tree-size>      Tree size the proof is against (default: the latest
                                      signed checkpoint).
              --format <format>       Proof form (tlog: C2SP tlog-proof text, inclusion
                                      proofs only). (values: json, tlog; default: json)
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    func testCompletionScriptsAreGenerated() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try CustosProcess.run(["--generate-completion-script", shell])
            XCTAssertEqual(script.status, 0, shell)
            XCTAssertTrue(script.stdout.contains("custos"), shell)
            XCTAssertTrue(script.stdout.contains("old-size"), "\(shell) completion knows the subcommands' options")
        }
        let unknown = try CustosProcess.run(["--generate-completion-script", "powershell"])
        XCTAssertNotEqual(unknown.status, 0)
    }
}

extension String {
    /// Help text with its line wrapping undone (every run of white space one space), so a phrase
    /// can be found wherever the 80-column layout broke it.
    var flowed: String { split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
