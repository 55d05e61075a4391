/// Why an HTML page could not be rendered. Each case names the file and what to do about it.
public enum PageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A template or the stylesheet is not in the resource bundle.
    case resourceMissing(name: String, bundle: String)
    /// A template does not parse as Mustache.
    case templateDoesNotParse(name: String, reason: String)
    /// A page's template was not registered.
    case templateMissing(name: String)

    public var description: String {
        switch self {
        case let .resourceMissing(name, bundle):
            "the page resource \(name) is missing from \(bundle); install the Custos_CustosCharts.resources bundle beside the custos binary"
        case let .templateDoesNotParse(name, reason):
            "the page template \(name) does not parse (\(reason)); fix the template in Sources/CustosCharts/Pages"
        case let .templateMissing(name):
            "the page template \(name) is not registered; add it to Sources/CustosCharts/Pages"
        }
    }
}
