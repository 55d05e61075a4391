import CustosEngine
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer: gives every request an id (bound for the engine's audit entries), turns
/// any error into a problem response, logs one line per request without personal data or tokens,
/// and counts it in the metrics.
struct EnvelopeMiddleware: RouterMiddleware {
    typealias Context = CustosRequestContext
    let metrics: ServiceMetrics
    let logger: Logger
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = Self.acceptedID(request.headers[.requestID]) ?? Self.newID()
        context.requestID = id
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await RequestScope.$requestID.withValue(id) { try await next(request, context) }
        } catch {
            response = Problem.from(error).response(requestID: id)
            if response.status == .notFound, let allowed = routes.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                response = Problem("method-not-allowed", status: 405, title: "Method not allowed",
                                   detail: "\(request.uri.path) takes \(allowed.sorted().joined(separator: ", ")); see /v1/openapi.yaml")
                    .response(requestID: id)
                response.headers[.allow] = allowed.sorted().joined(separator: ", ")
            }
        }
        response.headers[.requestID] = id
        let route = context.endpointPath ?? "unmatched"
        let elapsed = started.duration(to: .now)
        metrics.request(route: route, method: request.method.rawValue, status: Int(response.status.code), duration: elapsed)
        logger.info("request", metadata: [
            "request_id": .string(id), "method": .string(request.method.rawValue), "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "ms": .stringConvertible(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000),
        ])
        return response
    }

    /// A client's id is kept only if it is short and made of safe characters, so nothing hostile
    /// reaches logs or audit entries through it.
    static func acceptedID(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.utf8.count),
              value.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x2E || $0 == 0x5F || (0x30...0x39).contains($0)
                  || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else { return nil }
        return value
    }

    static func newID() -> String { "req-" + UUID().uuidString.lowercased() }
}
