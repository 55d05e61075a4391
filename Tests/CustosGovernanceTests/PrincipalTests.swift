import CustosSchema
import XCTest

@testable import CustosGovernance

final class PrincipalTests: XCTestCase {
    func testTokensAreRandomPrintableAnd256Bits() {
        let a = AccessToken.generate()
        let b = AccessToken.generate()
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.hasPrefix("custos_"))
        let body = a.dropFirst("custos_".count)
        XCTAssertEqual(body.count, 43, "32 bytes in unpadded base64url")
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        XCTAssertTrue(body.allSatisfy { alphabet.contains($0) })
    }

    func testTokenHashIsSHA256OfTheTokenText() {
        // FIPS 180-2 example: SHA-256("abc").
        XCTAssertEqual(AccessToken.hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertTrue(AccessToken.matches("abc", storedHash: "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
        XCTAssertFalse(AccessToken.matches("abd", storedHash: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        XCTAssertFalse(AccessToken.matches("abc", storedHash: "not hex"))
        XCTAssertFalse(AccessToken.matches("abc", storedHash: "ba7816bf"))
    }

    func testDemoCredentialsInTheReadmeMatchTheShippedHashes() throws {
        let directory = try loadShipped().principals
        let demo: [(String, String)] = [
            ("alice", DemoToken.alice), ("mika", DemoToken.mika), ("sam", DemoToken.sam), ("dana", DemoToken.dana),
            ("oscar", DemoToken.oscar), ("lena", DemoToken.lena), ("dsr-demo-0001", DemoToken.dsrDemo),
        ]
        let readme = try String(contentsOf: shippedPolicies.appendingPathComponent("README.md"), encoding: .utf8)
        for (id, token) in demo {
            XCTAssertEqual(directory.authenticate(principal: id, token: token)?.id, id)
            XCTAssertTrue(readme.contains(token), "README lists the demo token of \(id)")
        }
        XCTAssertNil(directory.authenticate(principal: "alice", token: DemoToken.mika), "another principal's token")
        XCTAssertNil(directory.authenticate(principal: "nobody", token: DemoToken.alice))
        XCTAssertNil(directory.authenticate(principal: "pat", token: DemoToken.pat), "disabled")
    }

    func testAddPrincipalWritesOnlyTheHashAndTheTokenWorks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("custos-principals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("principals.yaml")
        let roles = RoleCatalog(StandardRole.all.map { Role(name: $0, description: "") })

        let token = try PrincipalDirectory.addPrincipal(id: "bo", displayName: "Bo \"BI\" Ek", roles: ["analyst"], in: file, knownRoles: roles)
        let subjectToken = try PrincipalDirectory.addPrincipal(
            id: "dsr-7", displayName: "Request 7", roles: ["data_subject"], subject: "00ff", in: file, knownRoles: roles)
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertFalse(text.contains(token))
        XCTAssertFalse(text.contains(subjectToken))
        XCTAssertTrue(text.contains(AccessToken.hash(token)))

        let loaded = try PrincipalDirectory.load(file)
        XCTAssertEqual(loaded.authenticate(principal: "bo", token: token)?.displayName, "Bo \"BI\" Ek")
        XCTAssertEqual(loaded.authenticate(principal: "dsr-7", token: subjectToken)?.subject, "00ff")
        XCTAssertNil(loaded.authenticate(principal: "bo", token: subjectToken))

        XCTAssertThrowsError(try PrincipalDirectory.addPrincipal(id: "bo", displayName: "x", roles: ["analyst"], in: file)) {
            XCTAssertEqual($0 as? GovernanceError, .principalExists(id: "bo"))
        }
        XCTAssertThrowsError(try PrincipalDirectory.addPrincipal(id: "Bad Id", displayName: "x", roles: ["analyst"], in: file))
        XCTAssertThrowsError(try PrincipalDirectory.addPrincipal(id: "ann", displayName: "x", roles: ["wizard"], in: file, knownRoles: roles))
        XCTAssertThrowsError(try PrincipalDirectory.addPrincipal(id: "dsr-8", displayName: "x", roles: ["data_subject"], in: file),
                             "a data subject must be bound to a subject")
        XCTAssertThrowsError(try PrincipalDirectory.addPrincipal(id: "cy", displayName: "x", roles: ["analyst"], subject: "00ff", in: file),
                             "only data subjects are bound")

        let rotated = try PrincipalDirectory.rotateToken(id: "bo", in: file)
        let reloaded = try PrincipalDirectory.load(file)
        XCTAssertNil(reloaded.authenticate(principal: "bo", token: token), "old token stops working")
        XCTAssertNotNil(reloaded.authenticate(principal: "bo", token: rotated))
        XCTAssertNotNil(reloaded.authenticate(principal: "dsr-7", token: subjectToken), "others unaffected")
    }

    func testPrincipalFileProblemsAreLocated() throws {
        let dir = try scratchPolicies()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            principals:
              - id: zed
                roles: [wizard]
                token_sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
              - id: yan
                roles: [analyst]
                token_sha256: 1234
              - id: xu
                roles: [data_subject]
                token_sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad

            """, to: dir.appendingPathComponent("principals.yaml"))
        let problems = PolicyChecker.check(directory: dir).filter { $0.file == "principals.yaml" }
        XCTAssertEqual(problems.map(\.line), [7, 8, 2], problems.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(problems[0].message.contains("64 hex"))
        XCTAssertTrue(problems[1].message.contains("must name the subject"))
        XCTAssertTrue(problems[2].message.contains("'wizard'"))
    }
}
