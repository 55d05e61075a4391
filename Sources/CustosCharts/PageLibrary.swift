import Foundation
import Mustache

/// The page templates, loaded once from the resource bundle: the layout and chart partials, each
/// page, and the stylesheet registered as the partial `stylesheet` (a partial is inserted as
/// written, so the CSS is not HTML-escaped, while every value in a page still is).
enum PageLibrary {
    static let folder = "Pages"
    static let stylesheetName = "custos"
    static let partialNames = ["layout", "chart-bars", "chart-series", "chart-funnel", "chart-scatter"]
    static var templateNames: [String] { partialNames + Page.allCases.map(\.rawValue) }

    /// Loaded on first use; a missing or broken resource is reported on every render, not a crash.
    static let shared: Result<MustacheLibrary, PageError> = Result { try load() }.mapError {
        $0 as? PageError ?? .templateDoesNotParse(name: "?", reason: "\($0)")
    }

    static func load() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for name in templateNames {
            try register(source(named: name, extension: "mustache"), as: name, file: name + ".mustache", in: &library)
        }
        let css = try source(named: stylesheetName, extension: "css")
        // The stylesheet goes in verbatim; a Mustache tag in it would be a template bug, not styling.
        guard !css.contains("{{") else {
            throw PageError.templateDoesNotParse(name: stylesheetName + ".css", reason: "the stylesheet contains '{{'")
        }
        try register(css, as: "stylesheet", file: stylesheetName + ".css", in: &library)
        return library
    }

    static func register(_ text: String, as name: String, file: String, in library: inout MustacheLibrary) throws {
        do {
            try library.register(text, named: name)
        } catch {
            throw PageError.templateDoesNotParse(name: file, reason: "\(error)")
        }
    }

    static func source(named name: String, extension ext: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: folder) else {
            throw PageError.resourceMissing(name: "\(folder)/\(name).\(ext)", bundle: Bundle.module.bundlePath)
        }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PageError.resourceMissing(name: "\(folder)/\(name).\(ext)", bundle: Bundle.module.bundlePath)
        }
    }
}
