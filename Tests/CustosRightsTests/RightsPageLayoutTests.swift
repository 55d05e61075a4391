import CustosCharts
@testable import CustosRights
import Foundation
import XCTest

/// The access report and the record of processing in the shared page layout.
final class RightsPageLayoutTests: XCTestCase {
    static let hostile = "<script>alert('x')</script>\"&"
    static let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"

    func assertSharedLayout(_ html: String, footer: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), file: file, line: line)
        XCTAssertTrue(html.contains("<meta name=\"generator\" content=\"Custos page layout\">"), file: file, line: line)
        XCTAssertTrue(html.contains("<style>\n" + (try Page.stylesheet) + "</style>"), "the one stylesheet, inlined", file: file, line: line)
        XCTAssertEqual(html.components(separatedBy: "<style").count, 2, "no stylesheet of its own", file: file, line: line)
        XCTAssertTrue(html.contains("<footer>" + footer), file: file, line: line)
        XCTAssertFalse(html.contains("<script"), "no script on a rights page", file: file, line: line)
    }

    func testAccessReportUsesTheSharedLayout() throws {
        let tests = AccessReportTests(name: "layout") { _ in }
        let html = try tests.report().html().text
        try assertSharedLayout(html, footer: "Reference DSR-")
        XCTAssertTrue(html.contains("<header>\n<h1>Your personal data: access report</h1>\n<p class=\"meta\">Reference DSR-"))
    }

    func testROPAUsesTheSharedLayout() throws {
        let tests = ROPAAndTombstoneTests(name: "layout") { _ in }
        let html = try tests.ropa().html().text
        try assertSharedLayout(html, footer: "Record of processing activities under GDPR art. 30(1)")
        XCTAssertTrue(html.contains("<h1>Record of processing activities</h1>\n<p class=\"meta\">GDPR art. 30(1) &middot; generated 2024-09-10"))
    }

    func testHostileValuesAreEscapedOnTheROPA() throws {
        let tests = ROPAAndTombstoneTests(name: "hostile") { _ in }
        var list = tests.activities()
        list[0].purpose.name = Self.hostile
        list[0].retention = Self.hostile
        list[0].recipients = .stated([Recipient(name: Self.hostile, role: "processor", purpose: "parcel delivery", country: "SE")])
        let html = try tests.ropa(list, measures: [Self.hostile]).html().text
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("alert('x')"))
        XCTAssertTrue(html.contains("<h2>\(Self.escaped) <span class=\"provision\">"), "activity name")
        XCTAssertTrue(html.contains("<dd>\(Self.escaped)</dd>"), "retention")
        XCTAssertTrue(html.contains("<tr><td>\(Self.escaped)</td><td>processor</td>"), "recipient")
        XCTAssertTrue(html.contains("<li>\(Self.escaped)</li>"), "security measure")
    }
}
