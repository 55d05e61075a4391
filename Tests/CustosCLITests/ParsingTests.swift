import CustosRights
import ArgumentParser
import CustosSchema
import XCTest

@testable import custos

/// Parsing and validation in process, as argument-parser's MathExampleTests do: what a command
/// line means, and which command lines are refused before any workspace is opened.
final class ParsingTests: XCTestCase {
    let who = ["--principal", "mika", "--role", "marketing_analyst", "--purpose", "marketing.segmentation"]
    let officer = ["--principal", "dana", "--role", "compliance_officer"]

    /// The message and exit code argument-parser gives for a refused command line.
    func refusal<C: ParsableCommand>(_ command: C.Type, _ arguments: [String],
                                     file: StaticString = #filePath, line: UInt = #line) -> (message: String, code: Int32)? {
        do {
            _ = try command.parse(arguments)
            XCTFail("\(arguments) parsed", file: file, line: line)
            return nil
        } catch {
            return (command.message(for: error), command.exitCode(for: error).rawValue)
        }
    }

    func testMineModeDefaultsToWhatTheAlgorithmRunsIn() throws {
        XCTAssertEqual(try MineCommand.parse(["rfm"] + who).outputMode, .pseudonymousRecords)
        XCTAssertEqual(try MineCommand.parse(["kmeans"] + who).outputMode, .pseudonymousRecords)
        for algorithm in ["rules", "sequences", "funnel"] {
            XCTAssertEqual(try MineCommand.parse([algorithm] + who).outputMode, .pseudonymousAggregate, algorithm)
        }
        XCTAssertEqual(try MineCommand.parse(["funnel", "--epsilon", "1"] + who).outputMode, .dpAggregate)
        XCTAssertEqual(try MineCommand.parse(["kmeans", "--mode", "pseudonymous_aggregate"] + who).outputMode, .pseudonymousAggregate)
    }

    /// The bug a new user hit: `--mode` was silently ignored for paths and funnels. Now paths and
    /// funnels run in pseudonymous_records too, and a mode an algorithm cannot run in (rules) is
    /// refused with what it runs in and what to do.
    func testMineHonoursOrRefusesTheMode() throws {
        for algorithm in ["sequences", "funnel"] {
            XCTAssertEqual(try MineCommand.parse([algorithm, "--mode", "pseudonymous_records"] + who).outputMode, .pseudonymousRecords, algorithm)
        }
        for algorithm in ["rules"] {
            let refused = try XCTUnwrap(refusal(MineCommand.self, [algorithm, "--mode", "pseudonymous_records"] + who))
            XCTAssertEqual(refused.code, ExitCode.validationFailure.rawValue)
            XCTAssertTrue(refused.message.contains("\(algorithm) runs in pseudonymous_aggregate, or dp_aggregate with --epsilon"), refused.message)
            XCTAssertTrue(refused.message.contains("cannot run in pseudonymous_records"), refused.message)
            XCTAssertTrue(refused.message.contains("ask the data protection officer"), refused.message)
        }
    }

    func testMineChecksModeAgainstEpsilon() throws {
        let noEpsilon = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--mode", "dp_aggregate"] + who))
        XCTAssertTrue(noEpsilon.message.contains("--mode dp_aggregate needs --epsilon"), noEpsilon.message)
        let both = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--mode", "pseudonymous_records", "--epsilon", "1"] + who))
        XCTAssertTrue(both.message.contains("drop --mode pseudonymous_records or --epsilon"), both.message)
        let negative = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--epsilon=-1"] + who))
        XCTAssertTrue(negative.message.contains("--epsilon must be a positive number"), negative.message)
        let date = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--as-of", "31/12/2026"] + who))
        XCTAssertTrue(date.message.contains("--as-of must be YYYY-MM-DD"), date.message)
    }

    func testUnknownEnumValuesAreRefusedWithTheValues() throws {
        let mode = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--mode", "reidentified_export"] + who))
        XCTAssertTrue(mode.message.contains("'pseudonymous_records', 'pseudonymous_aggregate' or 'dp_aggregate'"), mode.message)
        let algorithm = try XCTUnwrap(refusal(MineCommand.self, ["churn"] + who))
        XCTAssertTrue(algorithm.message.contains("The value 'churn' is invalid for '<algorithm>'"), algorithm.message)
        let format = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--format", "pdf"] + who))
        XCTAssertTrue(format.message.contains("'text', 'json' or 'html'"), format.message)
        let type = try XCTUnwrap(refusal(DSRCommand.File.self, ["--type", "deletion", "--email", "a@b.c", "--customer", "C1"] + officer))
        XCTAssertTrue(type.message.contains("The value 'deletion' is invalid for '--type <type>'"), type.message)
    }

    func testOutputFormatComesFromFormatThenFileExtensionThenText() throws {
        XCTAssertEqual(try OutputOptions.parse([]).resolvedFormat, .text)
        XCTAssertEqual(try OutputOptions.parse(["--format", "html"]).resolvedFormat, .html)
        XCTAssertEqual(try OutputOptions.parse(["--format", "table"]).resolvedFormat, .text, "the old name of text still works")
        XCTAssertEqual(try OutputOptions.parse(["--output", "r.JSON"]).resolvedFormat, .json)
        XCTAssertEqual(try OutputOptions.parse(["--output", "r.txt"]).resolvedFormat, .text)
        XCTAssertEqual(try OutputOptions.parse(["--output", "report"]).resolvedFormat, .html)
        XCTAssertEqual(try OutputOptions.parse(["--output", "r.json", "--format", "html"]).resolvedFormat, .html)
        XCTAssertThrowsError(try OutputOptions.parse(["--output", " "]))
    }

    func testAuditProveTakesTreeSizesAndOneKindOfProof() throws {
        let inclusion = try AuditCommand.Prove.parse(["--entry", "3", "--size", "10"])
        XCTAssertEqual(inclusion.entry, 3)
        XCTAssertEqual(inclusion.size, 10)
        let consistency = try AuditCommand.Prove.parse(["--old-size", "4", "--size", "10"])
        XCTAssertEqual(consistency.oldSize, 4)
        XCTAssertTrue(refusal(AuditCommand.Prove.self, [])?.message.contains("give --entry N") ?? false)
        XCTAssertTrue(refusal(AuditCommand.Prove.self, ["--entry", "1", "--old-size", "2"])?.message.contains("exclude each other") ?? false)
        XCTAssertTrue(refusal(AuditCommand.Prove.self, ["--old-size", "9", "--size", "4"])?.message.contains("larger than --size 4") ?? false)
        XCTAssertTrue(refusal(AuditCommand.Prove.self, ["--entry", "4", "--size", "4"])?.message.contains("not in a tree of --size 4") ?? false)
        XCTAssertTrue(refusal(AuditCommand.Prove.self, ["--old-size", "2", "--format", "tlog"])?.message.contains("no C2SP text form") ?? false)
        // The date-valued names belong to `audit report` only.
        XCTAssertEqual(refusal(AuditCommand.Prove.self, ["--from", "2", "--to", "5"])?.message,
                       "audit prove takes tree sizes as --old-size M and --size N (--from and --to are the dates of `audit report`)")
        XCTAssertNotNil(try AuditCommand.Report.parse(["--from", "2026-01-01", "--to", "2026-01-31"]))
        XCTAssertTrue(refusal(AuditCommand.Report.self, ["--from", "2026-02-01", "--to", "2026-01-31"])?.message.contains("is after --to") ?? false)
        XCTAssertTrue(refusal(AuditCommand.Report.self, ["--from", "yesterday"])?.message.contains("is not a date; use YYYY-MM-DD") ?? false)
    }

    func testDSRVerifyNeedsSendOrCodeButNoChallenge() throws {
        let verify = try DSRCommand.Verify.parse(["DSR-1", "--code", "123456"] + officer)
        XCTAssertNil(verify.challenge)
        XCTAssertTrue(refusal(DSRCommand.Verify.self, ["DSR-1"] + officer)?.message.contains("give --send to send a code, or --code CODE") ?? false)
        XCTAssertTrue(refusal(DSRCommand.Verify.self, ["DSR-1", "--send", "--code", "1"] + officer)?.message.contains("exclude each other") ?? false)
    }

    func testDSRFileChecksScopeAndCorrections() throws {
        let base = ["--email", "a@example.com", "--customer", "C1"] + officer
        XCTAssertEqual(try DSRCommand.File.parse(["--type", "access", "--jurisdiction", "pipl"] + base).jurisdiction, .pipl)
        XCTAssertTrue(refusal(DSRCommand.File.self, ["--type", "objection"] + base)?.message.contains("needs --scope") ?? false)
        XCTAssertTrue(refusal(DSRCommand.File.self, ["--type", "rectification", "--correct", "city=Lund"] + base)?
            .message.contains("--correct takes dataset.column=value") ?? false)
        XCTAssertTrue(refusal(DSRCommand.File.self, ["--type", "access", "--correct", "customers.city=Lund"] + base)?
            .message.contains("only to --type rectification") ?? false)
    }

    func testMissingRequiredOptionIsNamed() throws {
        let refused = try XCTUnwrap(refusal(MineCommand.self, ["rfm", "--principal", "mika", "--role", "marketing_analyst"]))
        XCTAssertEqual(refused.message, "Missing expected argument '--purpose <purpose>'")
        XCTAssertEqual(refused.code, ExitCode.validationFailure.rawValue)
    }
}
