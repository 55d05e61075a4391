import Mustache

/// Rendering of self-contained, print-friendly HTML pages through swift-mustache. Templates use only
/// escaped `{{name}}` tags (never `{{{ }}}` or `{{& }}`), so every data value is HTML-escaped;
/// nothing is concatenated into markup. A Content-Security-Policy forbids scripts and any external
/// resource, as a second line of defence.
enum HTMLPage {
    /// Shared `<head>` content: charset, CSP, viewport and the inline style sheet.
    static let head = """
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <style>
        body { font-family: "Helvetica Neue", Arial, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
               color: #111; background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; font-size: 11pt; }
        h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
        h2 { font-size: 1.15rem; border-bottom: 1px solid #999; padding-bottom: 0.15rem; margin-top: 1.8rem; }
        h3 { font-size: 1rem; margin-bottom: 0.3rem; }
        .provision { font-weight: normal; color: #555; font-size: 0.85rem; }
        .meta, .note { color: #444; font-size: 0.9rem; }
        .na { font-style: italic; }
        table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
        th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #eee; }
        table.data td { white-space: pre-wrap; }
        th small { display: block; font-weight: normal; color: #555; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
        dt { font-weight: bold; }
        dd { margin: 0; }
        @media print {
          body { margin: 0; max-width: none; font-size: 10pt; }
          section { break-inside: avoid-page; }
          table { break-inside: auto; }
          tr, td, th { break-inside: avoid; }
          thead { display: table-header-group; }
          h2, h3 { break-after: avoid; }
        }
        @page { margin: 15mm; }
        </style>
        """

    /// Renders `template` with `context` (dictionaries, arrays, strings and booleans only).
    static func render(template: String, context: [String: Any]) throws -> String {
        let compiled: MustacheTemplate
        do {
            compiled = try MustacheTemplate(string: template)
        } catch {
            throw ExportError.template("the built-in template does not parse: \(error)")
        }
        return compiled.render(context)
    }

    /// A disclosure as a template context: `items` when stated, `notApplicable` (the reason) otherwise.
    static func disclosure<T>(_ value: Disclosure<T>, items: (T) -> Any) -> [String: Any] {
        switch value {
        case let .stated(item): return ["items": items(item)]
        case let .notApplicable(reason): return ["notApplicable": reason]
        }
    }
}
