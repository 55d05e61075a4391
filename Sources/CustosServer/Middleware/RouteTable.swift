import Foundation
import Synchronization

/// The paths the service serves and the methods each takes, so a request with a method a path does
/// not take gets 405 with `Allow` (RFC 9110) instead of a 404 that hides that the path exists.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], methods: Set<String>)]>([])

    /// Records the router's routes (`GET /v1/jobs/{id}` and the like), once they are all registered.
    func load(_ descriptions: [(method: String, path: String)]) {
        var table: [String: Set<String>] = [:]
        for route in descriptions { table[route.path, default: []].insert(route.method) }
        routes.withLock { $0 = table.map { (Self.segments($0.key), $0.value) } }
    }

    /// The methods of the route whose template matches `path`, or nil when no route does.
    func methods(for path: String) -> Set<String>? {
        let parts = Self.segments(path)
        return routes.withLock { routes in
            routes.first { route in
                route.segments.count == parts.count && zip(route.segments, parts).allSatisfy { template, part in
                    template.hasPrefix("{") || template.hasPrefix(":") || template == part
                }
            }?.methods
        }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
    }
}
