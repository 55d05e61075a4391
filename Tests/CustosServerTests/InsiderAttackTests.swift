import CustosAudit
import CustosServer
import Foundation
import XCTest

/// The insider review's attacks, replayed against a running service by another OS account (`nobody`)
/// that cannot read the workspace: the API is its only way in. Needs root (to switch accounts) and
/// `runuser` and `curl`; skipped otherwise.
final class InsiderAttackTests: XCTestCase {
    func testAnotherAccountReachesNothingWithoutATokenAndNoKeysOrStoreWithOne() async throws {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            throw XCTSkip("needs root, runuser and curl to act as another OS account")
        }
        let server = try await ServerFixture.start(customers: 20)
        let keyFile = server.root.appendingPathComponent("keys/kek-v1.key").path
        let store = server.root.appendingPathComponent("data").path

        // The files themselves: the workspace is the service account's alone.
        for target in [keyFile, store, server.root.path] {
            let (status, _) = try asNobody("/bin/cat", [target])
            XCTAssertNotEqual(status, 0, "nobody must not read \(target)")
        }
        let (listed, _) = try asNobody("/bin/ls", [server.root.path])
        XCTAssertNotEqual(listed, 0)

        // No token: every operation is refused, a consent change included, and the refusal is audited.
        let grant = #"{"customer":"C00001","purpose":"marketing.segmentation"}"#
        let (_, noToken) = try asNobody("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                                          "-d", grant, "\(server.url)/v1/consent/grant"])
        XCTAssertEqual(noToken, "401")
        for path in ["/v1/session", "/v1/budget", "/v1/requests", "/v1/audit/report", "/metrics"] {
            let (_, code) = try asNobody("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "\(server.url)\(path)"])
            XCTAssertEqual(code, "401", path)
        }
        XCTAssertTrue(try server.auditEntries().contains { $0.action == .requestDenied && $0.details["route"] == "/v1/consent/grant" })

        // With an analyst's token: no path reaches key material or the store's files.
        let kek = try Data(contentsOf: URL(fileURLWithPath: keyFile))
        let token = try XCTUnwrap(server.tokens["alice"])
        for path in ["/keys/kek-v1.key", "/v1/../keys/kek-v1.key", "/v1/%2e%2e/keys/kek-v1.key", "/v1/jobs/..%2f..%2fkeys%2fkek-v1.key",
                     "/data/vault.sqlite", "/v1/openapi.yaml/../../keys/kek-v1.key"] {
            let (_, body) = try asNobody("/usr/bin/curl", ["-s", "--path-as-is", "-H", "Authorization: Bearer \(token)", "\(server.url)\(path)"])
            XCTAssertFalse(body.contains("BEGIN") || body.contains("SQLite format"), "\(path) answered with file contents")
            XCTAssertFalse(Data(body.utf8).range(of: kek) != nil, path)
        }
        // An analyst cannot change consent even with a valid token (the role may not take that action).
        let (_, analystGrant) = try asNobody("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
                                                                "-H", "Content-Type: application/json", "-d", grant, "\(server.url)/v1/consent/grant"])
        XCTAssertEqual(analystGrant, "403")
        await server.stop()
    }

    /// Runs a program as `nobody`, returning its exit status and standard output.
    func asNobody(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "nobody", "--", program] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
