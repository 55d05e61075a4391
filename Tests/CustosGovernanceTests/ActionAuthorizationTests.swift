import Foundation
import XCTest

@testable import CustosGovernance

/// `PolicySet.authorize`: who may change data, consent or keys (issue 10 item 4), on the shipped
/// policies and their demo tokens (policies/README.md).
final class ActionAuthorizationTests: XCTestCase {
    let oscar = "custos_g8v1uCXFbMrQRRBeghE42ZzJs-_TZ6P3udMoyfqyuHM"
    let pat = "custos_S798NXbXf5BhxGFfBbozYuvQe0Pwkdg1njoaY7TGVBw"
    let prefs = "custos_49YEptekAonqSLMDeCLjBT8pQPvzeSBbqexdnRwELpg"

    func testEachActionNeedsTheRightTokenRoleAndPermission() throws {
        let policies = try loadShipped()
        guard case let .allowed(principal) = policies.authorize(principal: "oscar", token: oscar, role: "operator", action: .ingest) else {
            return XCTFail("the operator may ingest")
        }
        XCTAssertEqual(principal.id, "oscar")
        XCTAssertEqual(policies.authorize(principal: "prefs", token: prefs, role: "consent_collector", action: .consentImport),
                       .allowed(try XCTUnwrap(policies.principals["prefs"])))
        func denial(_ id: String, _ token: String?, _ role: String, _ action: AdministrativeAction) -> String {
            if case let .denied(reason) = policies.authorize(principal: id, token: token, role: role, action: action) { return reason }
            return "allowed"
        }
        XCTAssertTrue(denial("oscar", nil, "operator", .ingest).hasPrefix("'ingest' needs an authenticated principal"))
        XCTAssertTrue(denial("oscar", prefs, "operator", .ingest).hasPrefix("principal 'oscar' could not be authenticated"))
        XCTAssertEqual(denial("nobody", oscar, "operator", .ingest), denial("oscar", prefs, "operator", .ingest).replacingOccurrences(of: "oscar", with: "nobody"),
                       "an unknown principal and a wrong token read the same")
        XCTAssertTrue(denial("pat", pat, "analyst", .ingest).hasPrefix("principal 'pat' could not be authenticated"), "disabled")
        XCTAssertTrue(denial("oscar", oscar, "compliance_officer", .ingest).hasPrefix("principal 'oscar' does not hold role 'compliance_officer'"))
        XCTAssertEqual(denial("oscar", oscar, "operator", .consentRecord),
                       "role 'operator' may not take action 'consent.record'; roles.yaml allows it for: compliance_officer, consent_collector")
        XCTAssertTrue(denial("prefs", prefs, "consent_collector", .keysRotate).contains("roles.yaml allows it for: operator"))
    }
}
