import CustosCharts
import XCTest

/// The shared page layout: resources load from the bundle, every page extends the one layout and
/// inlines the one stylesheet, and every value is escaped.
final class PageTests: XCTestCase {
    /// The layout's landmarks, in order; each appears exactly once on every page.
    static let landmarks = ["<!DOCTYPE html>", "<meta http-equiv=\"Content-Security-Policy\"",
                            "<meta name=\"generator\" content=\"Custos page layout\">", "<style>", "</style>",
                            "<main>", "<header>", "<h1>", "<p class=\"meta\">", "</header>", "<footer>", "</footer>",
                            "</main>", "</body>", "</html>"]

    func testResourcesLoadFromTheBundle() throws {
        let sources = try Page.allTemplateSources
        XCTAssertEqual(Set(sources.keys), ["layout.mustache", "chart-bars.mustache", "chart-series.mustache", "chart-funnel.mustache",
                                           "chart-scatter.mustache", "audit-report.mustache", "job-result.mustache",
                                           "access-report.mustache", "record-of-processing.mustache"])
        for page in Page.allCases {
            let source = try page.templateSource
            XCTAssertTrue(source.hasPrefix("{{<layout}}"), "\(page) extends the layout")
            XCTAssertTrue(source.hasSuffix("{{/layout}}\n"), "\(page) is wholly inside the layout")
        }
        XCTAssertTrue(try Page.stylesheet.contains(":root { --ink: #1d2329;"))
    }

    func testEveryPageUsesTheOneLayoutAndTheOneStylesheet() throws {
        let css = try Page.stylesheet
        for page in Page.allCases {
            let html = try page.render([:])
            XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n<head>"), "\(page)")
            var rest = Substring(html)
            for landmark in Self.landmarks {
                XCTAssertEqual(html.components(separatedBy: landmark).count, 2, "\(page): \(landmark) exactly once")
                guard let range = rest.range(of: landmark) else { XCTFail("\(page): \(landmark) out of order"); break }
                rest = rest[range.upperBound...]
            }
            XCTAssertTrue(html.contains("<style>\n" + css + "</style>"), "\(page) inlines the stylesheet verbatim")
            XCTAssertEqual(html.components(separatedBy: "<style").count, 2, "\(page) has no style of its own")
            XCTAssertFalse(html.contains("style=\""), "\(page) has no inline style attributes")
        }
    }

    func testPagesAreSelfContained() throws {
        XCTAssertFalse(try Page.stylesheet.contains("{{"))
        for page in Page.allCases {
            let html = try page.render([:])
            for forbidden in ["<link", "<img", "<iframe", "@import", "url(", "http://", "https://", " src=", " href="] {
                XCTAssertFalse(html.contains(forbidden), "\(page) refers to \(forbidden)")
            }
            XCTAssertTrue(html.contains("default-src 'none'"), "\(page)")
            XCTAssertTrue(html.contains("@media print"), "\(page)")
        }
    }

    func testTemplatesOnlyUseEscapedTags() throws {
        for (name, source) in try Page.allTemplateSources {
            XCTAssertFalse(source.contains("{{{"), "\(name): triple mustache would skip escaping")
            XCTAssertFalse(source.contains("{{&"), "\(name): ampersand tag would skip escaping")
            XCTAssertFalse(source.contains("{{="), "\(name): changed delimiters hide tags from this check")
            let styles = source.components(separatedBy: "<style").count - 1
            XCTAssertEqual(styles, name == "layout.mustache" ? 1 : 0, "\(name): one stylesheet, in custos.css, inlined by the layout")
            XCTAssertFalse(source.contains("style=\""), "\(name): no inline style attributes")
        }
    }

    /// Only the job page carries a script, and the policy admits it by hash alone (no
    /// 'unsafe-inline' scripts, no inline event handlers); the other pages allow no script at all.
    func testOnlyTheJobPageHasAScriptAndTheOthersForbidScripts() throws {
        for page in Page.allCases {
            let html = try page.render([:])
            XCTAssertFalse(html.contains(" onclick="), "\(page)")
            if page == .jobResult {
                XCTAssertEqual(html.components(separatedBy: "<script>").count, 2)
                XCTAssertTrue(html.contains("; script-src 'sha256-"))
            } else {
                XCTAssertFalse(html.contains("<script"), "\(page)")
                XCTAssertFalse(html.contains("script-src"), "\(page)")
            }
        }
    }

    func testHostileValuesAreEscapedInTheLayoutAndCharts() throws {
        let hostile = "<script>alert('x')</script>\"&"
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"
        var bars = ChartGeometry.bars([(hostile, 3, hostile)])
        bars["caption"] = hostile
        let html = try Page.auditReport.render(["title": hostile, "asOf": hostile, "chartPrincipal": bars])
        XCTAssertFalse(html.contains("alert('x')"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertTrue(html.contains("<title>\(escaped)</title>"))
        XCTAssertTrue(html.contains("<h1>\(escaped)</h1>"))
        XCTAssertTrue(html.contains("<p class=\"meta\">As of \(escaped) "))
        XCTAssertTrue(html.contains("aria-label=\"\(escaped)\""), "attribute values are escaped too")
    }
}
