import CustosCharts

/// Rendering of the rights pages through the shared page layout (`CustosCharts.Page`): one
/// stylesheet, self-contained and print-friendly. Templates use only escaped `{{name}}` tags (never
/// `{{{ }}}` or `{{& }}`), so every data value is HTML-escaped; nothing is concatenated into markup.
/// The layout's Content-Security-Policy forbids scripts and any external resource, as a second line
/// of defence.
enum HTMLPage {
    /// Renders `page` with `context` (dictionaries, arrays, strings and booleans only).
    static func render(_ page: Page, context: [String: Any]) throws -> String {
        do {
            return try page.render(context)
        } catch let error as PageError {
            throw ExportError.template("the built-in page \(page.rawValue) cannot be rendered: \(error)")
        }
    }

    /// A disclosure as a template context: `items` when stated, `notApplicable` (the reason) otherwise.
    static func disclosure<T>(_ value: Disclosure<T>, items: (T) -> Any) -> [String: Any] {
        switch value {
        case let .stated(item): return ["items": items(item)]
        case let .notApplicable(reason): return ["notApplicable": reason]
        }
    }
}
