import CustosDemo
import CustosAudit
@testable import CustosEngine
import CustosGovernance
import CustosRights
import CustosTesting
import CustosVault
import Foundation
import XCTest

/// Issue 10 item 10: no command placed a legal hold. Holds are an officer's step, audited; an erasure
/// under hold is deferred with the subject restricted, and carried out when the last hold is lifted.
final class LegalHoldTests: XCTestCase {
    func approvedErasure(_ f: EngineFixture, customer: String) throws -> String {
        let request = try f.engine.rights.fileRequest(type: .erasure, jurisdiction: .gdpr, channel: .email, contact: try f.emailOnFile(customer),
                                                      customer: customer, actor: f.dana)
        let id = request.id.rawValue
        let challenge = try f.engine.rights.sendVerificationCode(id, actor: f.dana)
        _ = try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: try f.sendmail.latestCode(for: id), actor: f.dana)
        _ = try f.engine.rights.approveRequest(id, actor: f.dana)
        return id
    }

    func testErasureUnderLegalHoldIsDeferredRestrictedAndCarriedOutWhenTheLastHoldIsLifted() throws {
        let f = try EngineFixture(customers: 40)
        let marker = f.generated.markerCustomerID
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        try f.engine.rights.placeLegalHold(customer: marker, caseReference: "case-2026/17", actor: f.dana)
        try f.engine.rights.placeLegalHold(customer: f.generated.markerEmail, caseReference: "tax-audit-3", actor: f.dana)
        XCTAssertTrue(try f.entries().contains { $0.action == .consentChange && $0.reason == "legal hold placed" && $0.actor == "dana" })

        let id = try approvedErasure(f, customer: marker)
        let outcome = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        XCTAssertTrue(outcome.summary.hasPrefix("kept under a legal hold"), outcome.summary)
        XCTAssertEqual(try f.engine.workspace.keys.dataKeys(for: [subject]).count, 1, "deferred: the data is kept")
        let state = try f.engine.controls.consentHistory(customer: marker, actor: f.dana).state
        XCTAssertTrue(state.isRestricted(at: Date()), "and processing is restricted meanwhile")
        XCTAssertTrue(state.isUnderLegalHold(at: Date()))
        XCTAssertFalse(try f.entries().contains { $0.action == .keyShred && $0.requestID == id })

        // Lifting one of two holds keeps the data; an unknown case lifts nothing.
        XCTAssertThrowsError(try f.engine.rights.liftLegalHold(customer: marker, caseReference: "case-9", actor: f.dana))
        let first = try f.engine.rights.liftLegalHold(customer: marker, caseReference: "tax-audit-3", actor: f.dana)
        XCTAssertEqual(first, LegalHoldRelease(holdsLeft: 1, erasuresCompleted: []))
        XCTAssertEqual(try f.engine.workspace.keys.dataKeys(for: [subject]).count, 1)
        // The last lift carries out the deferred erasure, audited under the request.
        let last = try f.engine.rights.liftLegalHold(customer: marker, caseReference: "case-2026/17", actor: f.dana)
        XCTAssertEqual(last, LegalHoldRelease(holdsLeft: 0, erasuresCompleted: [id]))
        XCTAssertEqual(try f.engine.workspace.keys.dataKeys(for: [subject]).count, 0)
        XCTAssertNil(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        XCTAssertTrue(try f.entries().contains { $0.action == .keyShred && $0.requestID == id && $0.details[ErasureLedger.detailKey] != nil })
        XCTAssertTrue(try f.engine.verifyAudit().isValid)
    }

    func testOnlyAnOfficerPlacesOrLiftsAHoldAndRefusalsAreAudited() throws {
        let f = try EngineFixture(customers: 20)
        let marker = f.generated.markerCustomerID
        for (who, step) in [(f.mika, "place"), (f.actor("lena", "legal_hold_custodian"), "lift"),
                            (Caller(principal: "dana", role: "compliance_officer", token: "custos_wrong"), "place")] {
            XCTAssertThrowsError(try {
                if step == "place" { try f.engine.rights.placeLegalHold(customer: marker, caseReference: "case-1", actor: who) }
                else { _ = try f.engine.rights.liftLegalHold(customer: marker, caseReference: "case-1", actor: who) }
            }()) { error in
                guard case EngineError.denied = error else { return XCTFail("\(error)") }
            }
        }
        let refusals = try f.entries().filter { $0.decision == .deny && ($0.reason ?? "").hasPrefix("legal hold ") }
        XCTAssertEqual(refusals.map(\.actor), ["mika", "lena", "dana"])
        XCTAssertFalse(try f.engine.controls.consentHistory(customer: marker, actor: f.dana).state.isUnderLegalHold(at: Date()))
        // A case reference must not smuggle a name into the audit log.
        XCTAssertThrowsError(try f.engine.rights.placeLegalHold(customer: marker, caseReference: "Anna Svensson", actor: f.dana))
        XCTAssertThrowsError(try f.engine.rights.placeLegalHold(customer: marker, caseReference: "", actor: f.dana))
        XCTAssertThrowsError(try f.engine.rights.placeLegalHold(customer: "C9999999", caseReference: "case-1", actor: f.dana)) { error in
            guard case EngineError.notFound = error else { return XCTFail("\(error)") }
        }
    }
}
