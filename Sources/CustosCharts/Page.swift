import Foundation
import Mustache

/// The HTML pages Custos renders. Each is a Mustache template in this module's `Pages/` resources
/// that extends the one layout (`layout.mustache`: header, meta line, main, footer) and shares the
/// one stylesheet (`custos.css`), which is inlined so that an exported page stays self-contained.
///
/// Templates use only escaped `{{name}}` tags, so every value is HTML-escaped by the renderer;
/// callers pass plain values (strings, numbers, booleans, arrays, dictionaries), never markup.
public enum Page: String, CaseIterable, Sendable {
    /// The compliance officer's audit report (`AuditReport.html()`).
    case auditReport = "audit-report"
    /// One mining or statistics job's result (`JobResult.html()`).
    case jobResult = "job-result"
    /// The data subject's access report (GDPR art. 15, PIPL art. 45).
    case accessReport = "access-report"
    /// The record of processing activities (GDPR art. 30).
    case recordOfProcessing = "record-of-processing"

    /// Renders the page with `context` (dictionaries, arrays, strings, numbers and booleans).
    public func render(_ context: [String: Any]) throws -> String {
        let library = try PageLibrary.shared.get()
        guard let html = library.render(context, withTemplate: rawValue) else {
            throw PageError.templateMissing(name: rawValue + ".mustache")
        }
        return html
    }

    /// The page's template source as shipped, for checks such as "no unescaped tags".
    public var templateSource: String {
        get throws { try PageLibrary.source(named: rawValue, extension: "mustache") }
    }

    /// The one stylesheet every page inlines.
    public static var stylesheet: String {
        get throws { try PageLibrary.source(named: PageLibrary.stylesheetName, extension: "css") }
    }

    /// Every template source shipped in `Pages/`: the pages, the layout and the chart partials.
    public static var allTemplateSources: [String: String] {
        get throws {
            try Dictionary(uniqueKeysWithValues: PageLibrary.templateNames.map {
                ($0 + ".mustache", try PageLibrary.source(named: $0, extension: "mustache"))
            })
        }
    }
}
