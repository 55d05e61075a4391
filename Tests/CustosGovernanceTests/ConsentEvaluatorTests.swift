import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

final class ConsentEvaluatorTests: XCTestCase {
    var purposes: PurposeRegistry!
    var evaluator: ConsentEvaluator!
    let subject = "9d2e4f"
    let jobTime = Date(timeIntervalSince1970: 1_740_000_000)  // 2025-02-19T21:20:00Z

    override func setUpWithError() throws {
        purposes = try loadShipped().purposes
        evaluator = ConsentEvaluator(purposes: purposes)
    }

    func record(_ purpose: String, _ action: ConsentAction, daysBefore: Double, version: Int? = nil, separate: Bool = false) -> ConsentRecord {
        let p = purposes[purpose]
        return ConsentRecord(
            subject: subject, purpose: purpose, purposeVersion: version ?? p?.version ?? 1, action: action,
            noticeVersion: p?.notice.version ?? "-", noticeSHA256: p?.notice.sha256 ?? "", language: "sv-SE",
            time: jobTime.addingTimeInterval(-daysBefore * 86_400), channel: "web", collector: "shop-cmp", separateConsent: separate)
    }

    func status(_ purpose: String, _ records: [ConsentRecord], _ state: SubjectProcessingState = SubjectProcessingState()) -> ConsentStatus {
        evaluator.evaluate(purpose: purpose, records: records, state: state, at: jobTime)
    }

    func testGrantForTheCurrentVersionIsInForce() {
        XCTAssertEqual(status("marketing.segmentation", [record("marketing.segmentation", .granted, daysBefore: 10)]), .inForce(.consent))
    }

    func testSubjectWithoutConsent() {
        XCTAssertEqual(status("marketing.segmentation", []), .excluded(.noConsent))
        XCTAssertEqual(status("marketing.segmentation", [record("personalize.recommendations", .granted, daysBefore: 3)]), .excluded(.noConsent),
                       "consent to another purpose does not count")
    }

    func testWithdrawnConsentAndWithdrawalIsANewRecord() {
        let history = [
            record("marketing.segmentation", .granted, daysBefore: 30),
            record("marketing.segmentation", .withdrawn, daysBefore: 2),
        ]
        XCTAssertEqual(status("marketing.segmentation", history), .excluded(.withdrawn))
        // The order of records does not matter; time does.
        XCTAssertEqual(status("marketing.segmentation", history.reversed()), .excluded(.withdrawn))
        // Granting again later puts it back in force.
        XCTAssertEqual(status("marketing.segmentation", history + [record("marketing.segmentation", .granted, daysBefore: 1)]), .inForce(.consent))
        // A withdrawal recorded after job time takes effect for the next job, not this one.
        XCTAssertEqual(status("marketing.segmentation", [history[0], record("marketing.segmentation", .withdrawn, daysBefore: -1)]), .inForce(.consent))
        // Same instant: the withdrawal wins.
        XCTAssertEqual(status("marketing.segmentation", [record("marketing.segmentation", .granted, daysBefore: 5),
                                                         record("marketing.segmentation", .withdrawn, daysBefore: 5)]), .excluded(.withdrawn))
    }

    func testConsentToAnOldPurposeVersion() {
        // marketing.segmentation is at version 2 in the shipped purposes.
        XCTAssertEqual(purposes["marketing.segmentation"]?.version, 2)
        XCTAssertEqual(status("marketing.segmentation", [record("marketing.segmentation", .granted, daysBefore: 400, version: 1)]),
                       .excluded(.outdatedPurposeVersion))
    }

    func testSeparateConsentForCrossBorderAndSensitivePurposes() {
        XCTAssertEqual(status("marketing.advertising", [record("marketing.advertising", .granted, daysBefore: 1)]), .excluded(.separateConsentMissing))
        XCTAssertEqual(status("marketing.advertising", [record("marketing.advertising", .granted, daysBefore: 1, separate: true)]), .inForce(.consent))
        XCTAssertEqual(status("functional.service.improve", [record("functional.service.improve", .granted, daysBefore: 1)]),
                       .excluded(.separateConsentMissing))
        XCTAssertEqual(status("functional.service.improve", [record("functional.service.improve", .granted, daysBefore: 1, separate: true)]),
                       .inForce(.consent))
    }

    func testOtherLawfulBasesNeedNoConsent() {
        XCTAssertEqual(status("analytics.reporting", []), .inForce(.legitimateInterest))
        XCTAssertEqual(status("essential.legal_obligation", []), .inForce(.legalObligation))
    }

    func testRestrictedSubject() {
        let state = SubjectProcessingState(restriction: Restriction(since: jobTime.addingTimeInterval(-86_400), ground: "accuracy contested (art. 18(1)(a))"))
        let consent = [record("marketing.segmentation", .granted, daysBefore: 10)]
        XCTAssertEqual(status("marketing.segmentation", consent, state), .excluded(.restricted))
        XCTAssertEqual(status("analytics.reporting", [], state), .excluded(.restricted))
        XCTAssertEqual(status("essential.legal_obligation", [], state), .inForce(.legalObligation), "answering the subject's own requests continues")
        let later = SubjectProcessingState(restriction: Restriction(since: jobTime.addingTimeInterval(60), ground: "objection pending (art. 18(1)(d))"))
        XCTAssertEqual(status("marketing.segmentation", consent, later), .inForce(.consent), "a restriction starting after the job does not apply")
    }

    func testObjectingSubject() {
        let state = SubjectProcessingState(objections: [Objection(purposes: "marketing.*", since: jobTime.addingTimeInterval(-3600))])
        let consents = [record("marketing.segmentation", .granted, daysBefore: 10), record("marketing.advertising", .granted, daysBefore: 10, separate: true)]
        XCTAssertEqual(status("marketing.segmentation", consents, state), .excluded(.objected))
        XCTAssertEqual(status("marketing.advertising", consents, state), .excluded(.objected))
        XCTAssertEqual(status("analytics.reporting", [], state), .inForce(.legitimateInterest), "the objection names marketing only")
        let toReporting = SubjectProcessingState(objections: [Objection(purposes: "analytics.reporting", since: jobTime.addingTimeInterval(-3600))])
        XCTAssertEqual(status("analytics.reporting", [], toReporting), .excluded(.objected), "art. 21 reaches legitimate interest")
        let toEverything = SubjectProcessingState(objections: [Objection(purposes: "*", since: jobTime.addingTimeInterval(-3600))])
        XCTAssertEqual(status("essential.legal_obligation", [], toEverything), .inForce(.legalObligation), "art. 21 does not reach legal obligations")
    }

    func testSubjectUnderLegalHold() {
        let state = SubjectProcessingState(legalHolds: [LegalHold(caseReference: "LIT-2025-014", since: jobTime.addingTimeInterval(-86_400))])
        XCTAssertEqual(status("marketing.segmentation", [record("marketing.segmentation", .granted, daysBefore: 10)], state), .excluded(.legalHold))
        XCTAssertEqual(status("analytics.reporting", [], state), .excluded(.legalHold))
        XCTAssertEqual(status("essential.legal_obligation.legal_hold", [], state), .inForce(.legalObligation))
        XCTAssertEqual(status("essential.service.security", [], state), .inForce(.legitimateInterest), "security measures continue (PIPL 47(2))")
        XCTAssertEqual(status("essential.legal_obligation.legal_hold", []), .excluded(.notUnderLegalHold),
                       "the custodian reads held subjects only")
        let lifted = SubjectProcessingState(legalHolds: [LegalHold(caseReference: "LIT-2025-015", since: jobTime.addingTimeInterval(3600))])
        XCTAssertEqual(status("essential.legal_obligation.legal_hold", [], lifted), .excluded(.notUnderLegalHold), "a hold starting later does not count yet")
    }

    func testUnknownPurpose() {
        XCTAssertEqual(status("marketing.everything", []), .excluded(.unknownPurpose))
    }

    func testTallyCountsPerReason() {
        var tally = ConsentTally()
        for s: ConsentStatus in [.inForce(.consent), .excluded(.withdrawn), .excluded(.noConsent), .excluded(.withdrawn), .inForce(.consent)] {
            tally.add(s)
        }
        XCTAssertEqual(tally.included, 2)
        XCTAssertEqual(tally.excluded, [.withdrawn: 2, .noConsent: 1])
        XCTAssertEqual(tally.excludedTotal, 3)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(tally), as: UTF8.self), #"{"excluded":{"no_consent":1,"withdrawn":2},"included":2}"#)
    }

    func testRecordsRoundTripThroughCanonicalJSON() throws {
        let r = ConsentRecord(
            id: "00112233445566778899aabbccddeeff", subject: "9d2e4f", purpose: "marketing.advertising", purposeVersion: 1,
            action: .granted, noticeVersion: "2024-11", noticeSHA256: String(repeating: "ab", count: 32), language: "zh-Hans-CN",
            time: Date(timeIntervalSince1970: 1_735_689_600.25), channel: "app", collector: "app-cmp", separateConsent: true)
        let bytes = r.encoded()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), """
            {"action":"granted","channel":"app","collector":"app-cmp","id":"00112233445566778899aabbccddeeff","language":"zh-Hans-CN",\
            "notice_sha256":"\(String(repeating: "ab", count: 32))","notice_version":"2024-11","purpose":"marketing.advertising",\
            "purpose_version":1,"separate_consent":true,"subject":"9d2e4f","time":"2025-01-01T00:00:00.250Z"}
            """)
        XCTAssertEqual(try ConsentRecord(bytes: bytes), r)
        XCTAssertThrowsError(try ConsentRecord(bytes: Array("{}".utf8)))

        let state = SubjectProcessingState(
            restriction: Restriction(since: Date(timeIntervalSince1970: 1_700_000_000), ground: "art. 18(1)(a)"),
            objections: [Objection(purposes: "marketing.*", since: Date(timeIntervalSince1970: 1_700_000_100))],
            legalHolds: [LegalHold(caseReference: "LIT-1", since: Date(timeIntervalSince1970: 1_700_000_200))])
        XCTAssertEqual(try SubjectProcessingState(bytes: state.encoded()), state)
        XCTAssertTrue(state.objects(to: "marketing", at: Date(timeIntervalSince1970: 1_800_000_000)), "marketing.* covers marketing itself")
        XCTAssertFalse(state.objects(to: "marketingx.a", at: Date(timeIntervalSince1970: 1_800_000_000)))
    }
}
