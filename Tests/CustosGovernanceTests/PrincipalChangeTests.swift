import XCTest

@testable import CustosGovernance

/// Disabling, enabling, granting and revoking change only what they say, keep the token hash, and
/// refuse what would leave a principal unusable or unknown.
final class PrincipalChangeTests: XCTestCase {
    func directory() throws -> (PrincipalDirectory, String) {
        var d = PrincipalDirectory([], file: "principals.yaml")
        let token = try d.add(id: "alice", displayName: "Alice", roles: ["analyst"])
        return (d, token)
    }

    func testDisableStopsTheTokenAndEnableRestoresIt() throws {
        var (d, token) = try directory()
        try d.disable(id: "alice")
        XCTAssertNil(d.authenticate(token: token))
        XCTAssertTrue(d.rendered().contains("disabled: true"))
        try d.enable(id: "alice")
        XCTAssertEqual(d.authenticate(token: token)?.id, "alice")
        XCTAssertFalse(d.rendered().contains("disabled"))
    }

    func testGrantAndRevokeChangeRolesOnlyAndKeepTheToken() throws {
        var (d, token) = try directory()
        try d.grant(role: "marketing_analyst", to: "alice")
        try d.grant(role: "marketing_analyst", to: "alice")
        XCTAssertEqual(d.authenticate(token: token)?.roles, ["analyst", "marketing_analyst"])
        try d.revoke(role: "analyst", from: "alice")
        XCTAssertEqual(d.authenticate(token: token)?.roles, ["marketing_analyst"])
    }

    func testRevokingTheLastRoleOrAnUnheldRoleIsRefused() throws {
        var (d, _) = try directory()
        XCTAssertThrowsError(try d.revoke(role: "analyst", from: "alice")) { XCTAssertEqual($0 as? GovernanceError, .noRoles(id: "alice")) }
        XCTAssertThrowsError(try d.revoke(role: "operator", from: "alice"))
        XCTAssertEqual(d.entries["alice"]?.roles, ["analyst"])
    }

    func testChangesToAnUnknownPrincipalAreRefused() throws {
        var (d, _) = try directory()
        for change in [{ try d.disable(id: "bob") }, { try d.enable(id: "bob") }, { try d.grant(role: "analyst", to: "bob") }] {
            XCTAssertThrowsError(try change()) { XCTAssertEqual($0 as? GovernanceError, .unknownPrincipal(id: "bob")) }
        }
    }

    func testGrantingADataSubjectRoleToAnUnboundPrincipalIsRefused() throws {
        var (d, _) = try directory()
        XCTAssertThrowsError(try d.grant(role: StandardRole.dataSubject, to: "alice"))
        XCTAssertEqual(d.entries["alice"]?.roles, ["analyst"])
    }
}
