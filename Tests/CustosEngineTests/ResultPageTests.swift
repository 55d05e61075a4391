import CustosCharts
import CustosCrypto
@testable import CustosEngine
import Foundation
import XCTest

/// The job page in the shared layout: hostile values escaped everywhere they appear, the cohort
/// only on pseudonymous results, the DP statement only on DP results, and the one script admitted
/// by its hash.
final class ResultPageTests: XCTestCase {
    static let hostile = "<script>alert('x')</script>\"&"
    static let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"

    func result(cohort: Cohort? = nil, privacy: PrivacyStatement? = nil, value: String = hostile) -> JobResult {
        JobResult(
            jobID: "job-" + value, kind: "rfm", title: value, principal: value, purpose: value, dataset: value, outputMode: value,
            policyVersion: value, cohort: cohort, privacy: privacy, release: nil,
            tables: [ResultTable(title: value, columns: [value, "n"], rows: [[value, "3"]], note: value)],
            charts: [ResultChart(kind: .bar, title: value, labels: [value], values: [3]),
                     ResultChart(kind: .funnel, title: value, labels: [value, "b"], values: [4, 2]),
                     ResultChart(kind: .scatter, title: value, x: [0, 1], y: [1, 0], group: [0, 1])],
            notes: [value], finishedAt: value, resultDigest: value)
    }

    func testHostileValuesAreEscapedOnTheJobPage() throws {
        let cohort = Cohort(subjects: 12, rows: 40, exclusions: [Self.hostile: 2], suppressedGroups: 1, minGroupSize: 5)
        let html = try result(cohort: cohort).html()
        XCTAssertEqual(html.components(separatedBy: "<script").count, 2, "only the page's own script")
        XCTAssertFalse(html.contains("alert('x')"))
        XCTAssertFalse(html.contains("\"&\""))
        for (what, fragment) in [("title", "<title>\(Self.escaped) · Custos</title>"), ("heading", "<h1>\(Self.escaped)</h1>"),
                                 ("meta", "job job-\(Self.escaped) · finished \(Self.escaped)"),
                                 ("pill", "<span class=\"pill\">principal \(Self.escaped)</span>"),
                                 ("exclusion", "<span class=\"pill\">\(Self.escaped) 2</span>"),
                                 ("chart title", "<h2>\(Self.escaped)</h2>"), ("chart label", "<title>\(Self.escaped): 3</title>"),
                                 ("aria label", "aria-label=\"\(Self.escaped)\""), ("table head", "<th>\(Self.escaped)</th>"),
                                 ("cell", "<td>\(Self.escaped)</td>"), ("note", "<p class=\"note\">\(Self.escaped)</p>"),
                                 ("digest", "Result digest <code>\(Self.escaped)</code>")] {
            XCTAssertTrue(html.contains(fragment), "\(what) is escaped")
        }
    }

    func testTheJobPageUsesTheSharedLayout() throws {
        let html = try result(value: "RFM segments").html()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<meta name=\"generator\" content=\"Custos page layout\">"))
        XCTAssertTrue(html.contains("<style>\n" + (try Page.stylesheet) + "</style>"))
        XCTAssertEqual(html.components(separatedBy: "<style").count, 2)
        XCTAssertTrue(html.contains("<footer>Result digest"))
        XCTAssertTrue(html.contains("<table id=\"t0\" class=\"sortable\">"))
        XCTAssertFalse(html.contains("onclick"), "the policy blocks inline handlers; the script attaches them")
    }

    /// The page's Content-Security-Policy admits its one script by SHA-256; a script changed
    /// without its hash would be silently blocked by the browser, so the test recomputes it.
    func testTheScriptHashInThePolicyMatchesTheScript() throws {
        let html = try result(value: "x").html()
        let open = try XCTUnwrap(html.range(of: "<script>")), close = try XCTUnwrap(html.range(of: "</script>"))
        let script = String(html[open.upperBound..<close.lowerBound])
        let digest = Data(SHA256.hash(script)).base64EncodedString()
        XCTAssertTrue(html.contains("; script-src 'sha256-\(digest)'\">"), "CSP hash for the script is sha256-\(digest)")
        XCTAssertFalse(html.contains("unsafe-inline'; script") || html.contains("script-src 'unsafe-inline'"))
    }

    /// The pseudonymous page shows who entered; the DP page shows the declared cost instead and
    /// nothing exact about the cohort.
    func testCohortOnlyOnPseudonymousResultsAndPrivacyOnlyOnDPResults() throws {
        let cohort = Cohort(subjects: 12, rows: 40, exclusions: ["withdrawn": 2], suppressedGroups: 3, minGroupSize: 5)
        let pseudonymous = try result(cohort: cohort, value: "x").html()
        XCTAssertTrue(pseudonymous.contains("12 pseudonymous customers and 40 rows entered this job"))
        XCTAssertTrue(pseudonymous.contains("Excluded by consent or rights: <span class=\"pill\">withdrawn 2</span>"))
        XCTAssertTrue(pseudonymous.contains("3 groups with fewer than 5 customers were suppressed."))
        XCTAssertFalse(pseudonymous.contains("Differentially private:"))

        let dp = try result(privacy: PrivacyStatement(epsilon: 1, delta: 0, rho: 0), value: "x").html()
        XCTAssertTrue(dp.contains("Differentially private: ε 1 reserved and charged. Every number below"))
        XCTAssertTrue(dp.contains("<span class=\"pill\">ε 1.0</span>"))
        XCTAssertFalse(dp.contains("pseudonymous customers and"))
        XCTAssertFalse(dp.contains("Excluded by consent"))
        XCTAssertFalse(dp.contains("were suppressed"))
    }
}
