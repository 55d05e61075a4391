import CustosServer
import Foundation
import XCTest

/// HTTPS with the service's certificate, and mutual TLS where client certificates are required.
/// Certificates come from the `openssl` command and requests from `curl`, two independent
/// implementations; the test is skipped on a machine without them.
final class TransportSecurityTests: XCTestCase {
    func testHTTPSServesAndMutualTLSRefusesAClientWithoutACertificate() async throws {
        let pki = try PKI.make()
        defer { try? FileManager.default.removeItem(at: pki.folder) }
        // HTTPS, no client certificates asked for.
        let server = try await ServerFixture.start(customers: 0, tls: .init(certificateChain: pki.path("server.pem"), privateKey: pki.path("server.key")))
        let token = try XCTUnwrap(server.tokens["alice"])
        let ok = try curl(["--cacert", pki.path("ca.pem"), "-H", "Authorization: Bearer \(token)", "https://127.0.0.1:\(server.port)/v1/session"])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.contains("\"principal\":\"alice\""), ok.output)
        // Plain HTTP to the TLS port gets nowhere.
        let plain = try curl(["http://127.0.0.1:\(server.port)/v1/session"])
        XCTAssertNotEqual(plain.status, 0)
        await server.stop()

        // Mutual TLS: a client without a certificate from the configured CA cannot even complete the handshake.
        let mutual = try await ServerFixture.start(customers: 0, tls: .init(certificateChain: pki.path("server.pem"), privateKey: pki.path("server.key"),
                                                                          clientCA: pki.path("ca.pem")))
        let refused = try curl(["--cacert", pki.path("ca.pem"), "https://127.0.0.1:\(mutual.port)/healthz"])
        XCTAssertNotEqual(refused.status, 0, "no client certificate, no connection")
        let accepted = try curl(["--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"), "--key", pki.path("client.key"),
                                 "https://127.0.0.1:\(mutual.port)/healthz"])
        XCTAssertEqual(accepted.status, 0, accepted.output)
        XCTAssertEqual(accepted.output, "ok\n")
        await mutual.stop()
    }

    /// Runs curl quietly, returning its exit status and body.
    func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try PKI.run("curl", ["-s", "-S", "--max-time", "10"] + arguments)
    }
}

/// A throwaway CA with a server certificate for 127.0.0.1 and a client certificate.
struct PKI {
    let folder: URL
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func make() throws -> PKI {
        for tool in ["openssl", "curl"] where !FileManager.default.isExecutableFile(atPath: "/usr/bin/\(tool)") {
            throw XCTSkip("\(tool) is not installed")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-pki-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pki = PKI(folder: folder)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pki.path("ca.key"), "-out", pki.path("ca.pem"),
             "-days", "2", "-subj", "/CN=Custos Test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pki.path("server.key"), "-out", pki.path("server.csr"),
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", pki.path("server.csr"), "-CA", pki.path("ca.pem"), "-CAkey", pki.path("ca.key"), "-CAcreateserial",
             "-out", pki.path("server.pem"), "-days", "2", "-extfile", pki.path("san.cnf")],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pki.path("client.key"), "-out", pki.path("client.csr"),
             "-subj", "/CN=scheduler"],
            ["x509", "-req", "-in", pki.path("client.csr"), "-CA", pki.path("ca.pem"), "-CAkey", pki.path("ca.key"), "-CAcreateserial",
             "-out", pki.path("client.pem"), "-days", "2"],
        ]
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: folder.appendingPathComponent("san.cnf"))
        for step in steps {
            let (status, output) = try run("openssl", step)
            guard status == 0 else { throw XCTSkip("openssl failed: \(output)") }
        }
        return pki
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
