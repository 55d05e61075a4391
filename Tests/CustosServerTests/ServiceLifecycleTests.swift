import CustosAudit
import CustosClient
import CustosEngine
import CustosServer
import Foundation
import XCTest

/// How the service starts, listens and stops.
final class ServiceLifecycleTests: XCTestCase {
    func testPlainHTTPOnANonLoopbackAddressIsRefusedUnlessAskedFor() throws {
        var settings = ServiceSettings()
        settings.listener = .tcp(host: "0.0.0.0", port: 8420)
        XCTAssertThrowsError(try settings.validate()) { error in
            XCTAssertTrue("\(error)".contains("--tls-cert"), "\(error)")
        }
        settings.insecureHTTP = true
        XCTAssertNoThrow(try settings.validate())
        settings.insecureHTTP = false
        settings.listener = .tcp(host: "127.0.0.1", port: 8420)
        XCTAssertNoThrow(try settings.validate())
        settings.listener = .unixSocket(path: "/tmp/custos.sock")
        XCTAssertNoThrow(try settings.validate())
    }

    func testListenAddressesParse() throws {
        XCTAssertEqual(try ServiceSettings.parseListen("127.0.0.1:8420"), .tcp(host: "127.0.0.1", port: 8420))
        XCTAssertEqual(try ServiceSettings.parseListen("[::1]:9000"), .tcp(host: "::1", port: 9000))
        for bad in ["8420", "host:", ":8420", "127.0.0.1:99999", "127.0.0.1:http"] {
            XCTAssertThrowsError(try ServiceSettings.parseListen(bad), bad)
        }
    }

    func testStoppingSignsAFinalCheckpointCoveringEveryEntry() async throws {
        let server = try await ServerFixture.start(customers: 0)
        _ = try await server.client("alice").send("GET", "/v1/budget")
        _ = await server.client(token: nil).problem("GET", "/v1/budget")
        let audit = server.service.engine.audit
        let root = server.root
        let sizeBefore = audit.size
        await server.stopKeepingWorkspace()
        XCTAssertFalse(audit.isWritable, "the engine is closed after a graceful stop")
        let checkpoint = try XCTUnwrap(audit.latestCheckpoint)
        XCTAssertEqual(checkpoint.size, sizeBefore, "the final checkpoint covers every entry written while serving")
        try? FileManager.default.removeItem(at: root)
    }

    func testServesOnAUnixSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("custos-\(UUID().uuidString.prefix(6)).sock").path
        let server = try await ServerFixture.start(customers: 0, listener: .unixSocket(path: path))
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
        let client = APIClient(server: "http+unix://\(encoded)", token: server.tokens["alice"], role: nil)
        let session = try await client.send("GET", "/v1/session").decode([String: AnyJSON].self)
        XCTAssertEqual(session["principal"]?.string, "alice")
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o660, "owner and group only")
        await server.stop()
        try? FileManager.default.removeItem(atPath: path)
    }
}
