import CustosSchema
import Foundation
import XCTest

/// Issue 19: a key given twice in one mapping was refused without a line or the key's name. YAML
/// keeps only one of the values, so a reviewer could approve one while the engine enforced the other.
final class YAMLDuplicateKeyTests: XCTestCase {
    func refusal(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigurationError? {
        do {
            _ = try YAMLValue.parse(text, file: "rules/x.yaml")
            XCTFail("accepted a duplicate key", file: file, line: line)
            return nil
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.file, "rules/x.yaml", file: file, line: line)
            return error
        } catch {
            XCTFail("not a ConfigurationError: \(error)", file: file, line: line)
            return nil
        }
    }

    func testARepeatedKeyInARuleNamesTheKeyAndBothLines() throws {
        let text = """
            rules:
              - id: marketing-orders
                effect: permit
                row_filter: country = 'SE'
                roles: [marketing_analyst]
                row_filter: country = 'CN'

            """
        let error = try XCTUnwrap(refusal(text))
        XCTAssertEqual(error.line, 6, "the repeat")
        XCTAssertTrue(error.message.contains("the key 'row_filter' appears twice"), error.message)
        XCTAssertTrue(error.message.contains("lines 4 and 6"), error.message)
        XCTAssertEqual(error.description.prefix(15), "rules/x.yaml:6:")
    }

    func testCRLFQuotedAndTopLevelRepeatsAreLocated() throws {
        let crlf = try XCTUnwrap(refusal("rules: []\r\nother: 1\r\nrules: [x]\r\n"))
        XCTAssertEqual(crlf.line, 3)
        XCTAssertTrue(crlf.message.contains("'rules'"), crlf.message)
        let quoted = try XCTUnwrap(refusal("columns:\n  \"*\": deny\n  amount: allow\n  '*': allow\n"))
        XCTAssertEqual(quoted.line, 4)
        XCTAssertTrue(quoted.message.contains("'*'"), quoted.message)
    }

    func testARepeatInAFlowMappingIsLocatedOnItsLine() throws {
        let error = try XCTUnwrap(refusal("a: 1\ncolumns: {amount: allow, amount: deny}\n"))
        XCTAssertEqual(error.line, 2)
        XCTAssertTrue(error.message.contains("the key 'amount' appears twice"), error.message)
    }

    func testTheSameKeyInSiblingOrNestedMappingsIsNotARepeat() throws {
        let text = """
            rules:
              - id: a
                columns: {id: allow}
              - id: b
                nested:
                  id: c

            """
        XCTAssertNoThrow(try YAMLValue.parse(text, file: "rules/x.yaml"))
    }

    func testSeveralRepeatedKeysAreAllNamed() throws {
        let error = try XCTUnwrap(refusal("b: 1\na: 1\nb: 2\na: 2\n"))
        XCTAssertTrue(error.message.contains("'a'") && error.message.contains("also repeated: 'b'"), error.message)
    }
}
