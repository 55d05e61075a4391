import CustosSchema
import Foundation
import XCTest

/// Issue 19 item 2: an 838-byte roles.yaml whose last key is an alias to a 9-deep, 9-wide mapping
/// ran for minutes. Policy files need no anchors or aliases, so they are refused before parsing.
final class YAMLAliasTests: XCTestCase {
    /// The bomb: each level is a mapping holding nine aliases of the level below, and the last
    /// key of the file is an alias to the top level, so building it hashes an exponential tree.
    func bomb() -> String {
        var text = "a0: &a0 {x: 1}\n"
        for level in 1...9 {
            let refs = (0..<9).map { "k\($0): *a\(level - 1)" }.joined(separator: ", ")
            text += "a\(level): &a\(level) {\(refs)}\n"
        }
        return text + "roles:\n  *a9 : boom\n"
    }

    func testAnAliasBombIsRefusedAtOnceWithItsLine() {
        // Refused before the YAML library sees it (a regression would hang here, not pass).
        XCTAssertThrowsError(try YAMLValue.parse(bomb(), file: "roles.yaml")) { error in
            let problem = error as? ConfigurationError
            XCTAssertEqual(problem?.file, "roles.yaml")
            XCTAssertEqual(problem?.line, 1, "the first anchor")
            XCTAssertTrue(problem?.message.contains("anchors (&name) and aliases (*name) are not allowed") ?? false, "\(error)")
        }
    }

    func testAliasesAnywhereAreRefusedButQuotedStarsCommentsAndBlockTextAreNot() throws {
        XCTAssertNotNil(YAMLValue.firstAnchorOrAliasForTests("datasets: [*x]\n"))
        XCTAssertEqual(YAMLValue.firstAnchorOrAliasForTests("a: 1\nb:\n  - &x 2\n"), 3)
        XCTAssertEqual(YAMLValue.firstAnchorOrAliasForTests("a: 1\r\nb: *x\r\n"), 2, "CRLF lines are counted")
        let fine = """
            datasets: ["*"]
            columns:
              "*": dp_only
              'class:sensitive': deny   # a comment with *stars* & ampersands
            description: >-
              Research & Development reads *only* aggregates,
              never rows.
            note: "a literal &amp; and *star*"
            """
        XCTAssertNil(YAMLValue.firstAnchorOrAliasForTests(fine))
        XCTAssertNoThrow(try YAMLValue.parse(fine, file: "rules/x.yaml"))
    }

    func testOversizedPolicyFilesAreRefused() {
        let huge = "rules:\n" + String(repeating: "# padding line of a comment\n", count: 40_000)
        XCTAssertThrowsError(try YAMLValue.parse(huge, file: "rules/huge.yaml")) { error in
            XCTAssertTrue("\(error)".contains("larger than 1024 KiB"), "\(error)")
        }
    }
}
