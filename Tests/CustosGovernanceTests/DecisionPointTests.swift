import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

final class DecisionPointTests: XCTestCase {
    var policies: PolicySet!
    var authority: GrantAuthority!
    var recorder: RecordingRecorder!
    var pdp: PolicyDecisionPoint!

    override func setUpWithError() throws {
        policies = try loadShipped()
        authority = GrantAuthority()
        recorder = RecordingRecorder()
        pdp = PolicyDecisionPoint(policies: policies, authority: authority, recorder: recorder)
    }

    func dpStats(principal: String = "alice", token: String? = DemoToken.alice, role: String = "analyst",
                 columns: [String] = ["customer_id", "amount", "country"], epsilon: Double? = 0.5) -> AccessRequest {
        AccessRequest(principal: principal, token: token, role: role, purpose: "analytics.reporting", dataset: "orders",
                      columns: columns, outputMode: .dpAggregate, epsilon: epsilon)
    }

    func assertDenied(_ request: AccessRequest, _ code: ReasonCode, file: StaticString = #filePath, line: UInt = #line) -> Decision {
        let decision = pdp.decide(request)
        XCTAssertEqual(decision.effect, .deny, file: file, line: line)
        XCTAssertNil(decision.grant, "a refusal never carries a grant", file: file, line: line)
        XCTAssertTrue(decision.reasons.contains { $0.code == code }, "\(decision.reasons)", file: file, line: line)
        XCTAssertEqual(recorder.decisions.last?.id, decision.id, "every refusal is recorded", file: file, line: line)
        return decision
    }

    func testAllowedRequestCarriesAVerifiedGrantAndIsRecorded() {
        let decision = pdp.decide(dpStats())
        XCTAssertEqual(decision.effect, .allow, decision.explanation)
        XCTAssertEqual(decision.treatments, ["customer_id": .pseudonymize, "amount": .dpOnly, "country": .dpOnly])
        XCTAssertEqual(decision.matchedRules, ["analytics-dp-baseline", "analytics-orders-dp"])
        XCTAssertEqual(decision.columns.first { $0.column == "amount" }?.rules, ["analytics-dp-baseline", "analytics-orders-dp"])
        XCTAssertEqual(decision.budget.epsilonPerJob, 1.0)
        XCTAssertEqual(decision.budget.perPeriod, [PeriodBudget(period: .month, epsilon: 8.0, delta: 1e-5)])
        XCTAssertEqual(decision.policyVersion, policies.version)
        XCTAssertEqual(decision.id.count, 32)
        guard let grant = decision.grant else { return XCTFail("no grant") }
        XCTAssertTrue(authority.verify(grant))
        XCTAssertFalse(GrantAuthority().verify(grant), "another authority's key does not verify it")
        XCTAssertEqual(grant.decisionID, decision.id)
        XCTAssertEqual(grant.treatments, decision.treatments)
        XCTAssertEqual(grant.policyVersion, policies.version)
        XCTAssertEqual(recorder.decisions.map(\.id), [decision.id])
    }

    func testUnknownPrincipalBadTokenMissingTokenAndDisabledPrincipal() {
        _ = assertDenied(dpStats(principal: "mallory", token: DemoToken.alice), .unknownPrincipal)
        let bad = assertDenied(dpStats(token: DemoToken.mika), .invalidToken)
        _ = assertDenied(dpStats(token: nil), .invalidToken)
        _ = assertDenied(dpStats(token: DemoToken.alice + "x"), .invalidToken)
        _ = assertDenied(dpStats(principal: "pat", token: DemoToken.pat), .principalDisabled)
        XCTAssertFalse(bad.explanation.contains(DemoToken.mika), "tokens never appear in reasons")
        XCTAssertEqual(recorder.decisions.count, 5)
    }

    func testWrongRole() {
        _ = assertDenied(dpStats(role: "marketing_analyst"), .roleNotHeld)
        _ = assertDenied(dpStats(role: "wizard"), .unknownRole)
    }

    func testPurposeNotPermitted() {
        var request = dpStats()
        request.purpose = "marketing.segmentation"
        request.outputMode = .pseudonymousAggregate
        request.epsilon = nil
        let decision = assertDenied(request, .purposeNotPermitted)
        XCTAssertTrue(decision.explanation.contains("analytics.reporting"), "names the purposes that are permitted")
    }

    func testColumnDeniedByAForbidDespiteAPermit() {
        let request = AccessRequest(
            principal: "mika", token: DemoToken.mika, role: "marketing_analyst", purpose: "marketing.segmentation",
            dataset: "customers", columns: ["customer_id", "postcode"], outputMode: .pseudonymousRecords)
        let decision = assertDenied(request, .forbidden)
        XCTAssertEqual(decision.treatments["postcode"], .deny)
        XCTAssertEqual(decision.treatments["customer_id"], .pseudonymize)
        XCTAssertEqual(decision.reasons.first { $0.code == .forbidden }?.rule, "forbid-postcode-in-marketing")
        XCTAssertEqual(decision.matchedRules, ["forbid-postcode-in-marketing", "marketing-customers-segments"])
    }

    func testOutputModeNotAllowed() {
        var request = dpStats()
        request.outputMode = .pseudonymousRecords
        request.epsilon = nil
        let decision = assertDenied(request, .outputModeNotPermitted)
        XCTAssertTrue(decision.explanation.contains("dp_aggregate"), decision.explanation)
    }

    func testEpsilonOverThePerJobLimit() {
        let decision = assertDenied(dpStats(epsilon: 1.01), .epsilonOverJobLimit)
        XCTAssertEqual(decision.reasons.first?.message, "epsilon 1.01 is over the per-job limit 1.0 set by rule analytics-dp-baseline, analytics-orders-dp")
        var customers = dpStats(columns: ["country"], epsilon: 0.75)
        customers.dataset = "customers"
        let tighter = assertDenied(customers, .epsilonOverJobLimit)
        XCTAssertEqual(tighter.budget.epsilonPerJob, 0.5, "the smallest limit of the applicable permits")
        XCTAssertEqual(tighter.reasons.first?.rule, "analytics-customers-dp")
        _ = assertDenied(dpStats(epsilon: nil), .epsilonRequired)
        _ = assertDenied(dpStats(epsilon: -1), .epsilonRequired)
        _ = assertDenied(dpStats(epsilon: .infinity), .epsilonRequired)
        XCTAssertEqual(pdp.decide(dpStats(epsilon: 1.0)).effect, .allow, "the limit itself is allowed")
    }

    func testEpsilonOnANonDPRequestIsRefused() {
        let request = AccessRequest(
            principal: "alice", token: DemoToken.alice, role: "analyst", purpose: "analytics.reporting", dataset: "events",
            columns: ["event_type"], outputMode: .pseudonymousAggregate, epsilon: 0.3)
        _ = assertDenied(request, .epsilonNotApplicable)
    }

    func testRawReadOfADirectIdentifier() throws {
        // A permit that allows "*" on customers for pseudonymous records: the wildcard must not
        // reach email, phone or name, and a named identifier without the flag is a load error.
        let dir = try scratchPolicies()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            rules:
              - id: careless-wildcard
                effect: permit
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [customers]
                output_modes: [pseudonymous_records]
                columns: {"*": allow}

            """, to: dir.appendingPathComponent("rules/careless.yaml"))
        let set = try PolicySet.load(directory: dir)
        let local = PolicyDecisionPoint(policies: set, authority: authority, recorder: recorder)
        let decision = local.decide(AccessRequest(
            principal: "alice", token: DemoToken.alice, role: "analyst", purpose: "analytics.reporting", dataset: "customers",
            columns: ["customer_id", "loyalty_tier"], outputMode: .pseudonymousRecords))
        XCTAssertEqual(decision.effect, .deny)
        XCTAssertEqual(decision.treatments, ["customer_id": .deny, "loyalty_tier": .allow])
        XCTAssertEqual(decision.reasons.map(\.code), [.directIdentifier])
        XCTAssertEqual(decision.reasons.first?.rule, "careless-wildcard")
        XCTAssertNil(decision.grant)

        // Even the DPO's explicit identifier permit gives no raw identifiers outside subject access.
        try write("""
            rules:
              - id: explicit-but-wrong-mode
                effect: permit
                roles: [analyst]
                purposes: [analytics.reporting]
                datasets: [customers]
                output_modes: [pseudonymous_records]
                columns: {email: allow}

            """, to: dir.appendingPathComponent("rules/careless.yaml"))
        let problems = PolicyChecker.check(directory: dir)
        XCTAssertEqual(problems.map(\.file), ["rules/careless.yaml"])
        XCTAssertEqual(problems.first?.line, 8)
        XCTAssertTrue(problems.first?.message.contains("allow_direct_identifiers") ?? false)
    }

    func testDataSubjectReadsOnlyTheirOwnData() {
        let own = AccessRequest(
            principal: "dsr-demo-0001", token: DemoToken.dsrDemo, role: "data_subject", purpose: "essential.legal_obligation",
            dataset: "customers", columns: ["email", "full_name", "loyalty_tier"], outputMode: .subjectAccess,
            subjectScope: "5f0c2a9e4b7d13c8a6e2f19d0b3c7a41")
        let decision = pdp.decide(own)
        XCTAssertEqual(decision.effect, .allow, decision.explanation)
        XCTAssertEqual(decision.grant?.subjectScope, "5f0c2a9e4b7d13c8a6e2f19d0b3c7a41")
        XCTAssertEqual(decision.treatments["email"], .allow)
        var other = own
        other.subjectScope = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
        _ = assertDenied(other, .subjectScopeMismatch)
        other.subjectScope = nil
        _ = assertDenied(other, .subjectScopeMismatch)
        var export = own
        export.outputMode = .reidentifiedExport
        _ = assertDenied(export, .outputModeNotPermitted)
    }

    func testRowFilterColumnsAreReadForFilteringOnly() {
        let request = AccessRequest(
            principal: "mika", token: DemoToken.mika, role: "marketing_analyst", purpose: "marketing.segmentation",
            dataset: "orders", columns: ["customer_id", "order_time", "amount"], outputMode: .pseudonymousRecords)
        let decision = pdp.decide(request)
        XCTAssertEqual(decision.effect, .allow, decision.explanation)
        XCTAssertEqual(decision.filterColumns, ["country"])
        XCTAssertEqual(decision.treatments, ["customer_id": .pseudonymize, "order_time": .allow, "amount": .allow])
        XCTAssertEqual(decision.grant?.treatments["country"], .dpOnly, "readable for the filter, never as output")
        XCTAssertEqual(decision.rowFilter?.columns, ["amount", "country"])
    }

    func testWhenTheAuditSinkFailsAccessIsRefused() {
        let failing = RecordingRecorder(failing: true)
        let local = PolicyDecisionPoint(policies: policies, authority: authority, recorder: failing)
        let decision = local.decide(dpStats())
        XCTAssertEqual(decision.effect, .deny)
        XCTAssertNil(decision.grant)
        XCTAssertEqual(decision.reasons.map(\.code), [.auditUnavailable])
        XCTAssertEqual(failing.decisions.map(\.id), [decision.id], "the refusal itself is offered to the recorder")
    }

    func testAuditRecordHoldsNoTokenAndNoSubjectID() throws {
        let request = AccessRequest(
            principal: "dana", token: DemoToken.dana, role: "compliance_officer", purpose: "essential.legal_obligation",
            dataset: "customers", columns: ["email"], outputMode: .subjectAccess, subjectScope: "5f0c2a9e4b7d13c8a6e2f19d0b3c7a41")
        let decision = pdp.decide(request)
        XCTAssertEqual(decision.effect, .allow, decision.explanation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(decision.auditRecord), as: UTF8.self)
        XCTAssertFalse(json.contains(DemoToken.dana))
        XCTAssertFalse(json.contains("5f0c2a9e4b7d13c8a6e2f19d0b3c7a41"))
        XCTAssertTrue(json.contains("\"subjectScoped\":true"))
        XCTAssertTrue(json.contains(policies.version))
        XCTAssertFalse(request.description.contains(DemoToken.dana))
    }

    func testExplainNamesTheDecisionTheRulesAndTheReasons() {
        let allowed = pdp.explain(AccessRequest(
            principal: "mika", token: nil, role: "marketing_analyst", purpose: "marketing.segmentation", dataset: "orders",
            columns: ["customer_id", "items"], outputMode: .pseudonymousAggregate))
        XCTAssertTrue(allowed.contains("decision: ALLOW"), allowed)
        XCTAssertTrue(allowed.contains("marketing-orders-baskets  (rules/marketing.yaml:"), allowed)
        XCTAssertTrue(allowed.contains("row filter: country in ['SE', 'DE', 'FR', 'GB', 'NO', 'DK', 'FI', 'NL']"), allowed)
        XCTAssertTrue(allowed.contains("minimum group size: 10"), allowed)
        XCTAssertTrue(allowed.contains("country"), "filter-only column listed")
        let denied = pdp.explain(AccessRequest(
            principal: "alice", token: nil, role: "analyst", purpose: "analytics.reporting", dataset: "feedback",
            columns: ["rating", "comment"], outputMode: .dpAggregate, epsilon: 0.1))
        XCTAssertTrue(denied.contains("decision: DENY"), denied)
        XCTAssertTrue(denied.contains("[forbidden] column 'comment' is forbidden by rule forbid-comments-outside-service-improvement"), denied)
        XCTAssertTrue(recorder.decisions.isEmpty, "explain records nothing")
    }
}
