import CustosClient
import CustosServer
import Foundation
import Hummingbird
import Logging
import XCTest
import Yams

/// The committed OpenAPI document and the routes the service registers are the same set of
/// operations: a route without a description, or a described operation nobody serves, fails here.
final class OpenAPIDocumentTests: XCTestCase {
    func testEveryRouteIsDescribedAndEveryDescribedOperationIsServed() async throws {
        let server = try await ServerFixture.start(customers: 0)
        let served = Set(server.service.makeRouter().routes.map { "\($0.method.rawValue) \(Self.normalised("\($0.path)"))" })
        let document = try await server.client(token: nil).send("GET", "/v1/openapi.yaml", accept: "application/yaml").text
        await server.stop()

        let yaml = try XCTUnwrap(try Yams.load(yaml: document) as? [String: Any])
        XCTAssertEqual(yaml["openapi"] as? String, "3.1.0")
        let paths = try XCTUnwrap(yaml["paths"] as? [String: Any])
        var described = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                described.insert("\(method.uppercased()) \(Self.normalised(path))")
            }
        }
        XCTAssertEqual(served.subtracting(described).sorted(), [], "routes missing from openapi.yaml")
        XCTAssertEqual(described.subtracting(served).sorted(), [], "operations in openapi.yaml that no route serves")
        // Every operation but the anonymous ones declares the problem response.
        for (path, item) in paths {
            for (method, operation) in item as? [String: [String: Any]] ?? [:] {
                let responses = operation["responses"] as? [String: Any] ?? [:]
                if !["/healthz", "/readyz", "/v1/openapi.yaml"].contains(path) {
                    XCTAssertNotNil(responses["default"], "\(method) \(path) declares no problem response")
                }
                XCTAssertNotNil(operation["operationId"], "\(method) \(path) has no operationId")
            }
        }
    }

    /// `/v1/jobs/{id}` and Hummingbird's `/v1/jobs/:id` or `{id}` alike, with a leading slash.
    static func normalised(_ path: String) -> String {
        let parts = path.split(separator: "/").map { part -> String in
            if part.hasPrefix(":") || (part.hasPrefix("{") && part.hasSuffix("}")) { return "{}" }
            return String(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
