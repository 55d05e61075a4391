import CustosBase
@testable import CustosRights
import CustosSchema
import Foundation
import XCTest

final class LifecycleTests: XCTestCase {
    let t0 = instant("2024-09-03T10:00:00Z")
    func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }

    func refusal() -> RefusalNotice {
        .standard(jurisdiction: .gdpr, reasons: ["The request is manifestly excessive: the same copy was sent last week."],
                  legalGround: "GDPR art. 12(5)(b)", supervisoryAuthority: Sample.authority)
    }

    func testHappyPathRecordsEveryStepWithActorRoleAndTime() throws {
        var request = try Sample.request()
        XCTAssertEqual(request.state, .received)
        XCTAssertEqual(request.dueDate.iso8601, "2024-10-03")
        try request.verifyIdentity(method: .oneTimeCode, by: Sample.webForm, at: at(1))
        XCTAssertEqual(request.state, .identityVerified)
        try request.approve(by: Sample.staff, at: at(2))
        XCTAssertEqual(request.state, .approved)
        let summary = try request.fulfil(FulfilmentRecord(summary: "access report sent", evidenceDigests: ["ab12"]), by: Sample.staff, at: at(3))
        XCTAssertEqual(request.state, .fulfilled)
        XCTAssertEqual(request.history.map(\.step.name), ["received", "identity_verified", "approved", "fulfilled"])
        XCTAssertEqual(request.history.map(\.actor.principal), ["web-form", "web-form", "dpo-anna", "dpo-anna"])
        XCTAssertEqual(request.history.map(\.at), [t0, at(1), at(2), at(3)])
        XCTAssertEqual(summary["state"], "fulfilled")
        XCTAssertEqual(summary["late"], "false")
        XCTAssertEqual(summary["role"], "compliance_officer")
        XCTAssertEqual(summary["at"], "2024-09-03T13:00:00Z")
    }

    func testCannotApproveBeforeIdentityIsVerified() throws {
        var request = try Sample.request()
        XCTAssertThrowsError(try request.approve(by: Sample.staff, at: at(1))) { error in
            XCTAssertEqual(error as? RequestError, .identityNotVerified)
        }
        XCTAssertEqual(request.history.count, 1, "a rejected step leaves no trace in the history")
    }

    func testCannotFulfilARefusedOrUnapprovedRequest() throws {
        var request = try Sample.request(.erasure)
        XCTAssertThrowsError(try request.fulfil(FulfilmentRecord(summary: "x"), by: Sample.staff, at: at(1))) { error in
            XCTAssertEqual(error as? RequestError, .notApproved(state: .received))
        }
        try request.verifyIdentity(method: .documentSeenInPerson, by: Sample.staff, at: at(1))
        try request.refuse(refusal(), by: Sample.staff, at: at(2))
        XCTAssertEqual(request.state, .refused)
        XCTAssertThrowsError(try request.fulfil(FulfilmentRecord(summary: "x"), by: Sample.staff, at: at(3))) { error in
            XCTAssertEqual(error as? RequestError, .refusedCannotBeFulfilled)
        }
        XCTAssertThrowsError(try request.approve(by: Sample.staff, at: at(3))) { error in
            XCTAssertEqual(error as? RequestError, .closed(.refused))
        }
    }

    func testClosedRequestsAcceptNothingMore() throws {
        var request = try Sample.request()
        try request.verifyIdentity(method: .authenticatedSession, by: Sample.webForm, at: at(1))
        XCTAssertThrowsError(try request.verifyIdentity(method: .oneTimeCode, by: Sample.webForm, at: at(1))) { error in
            XCTAssertEqual(error as? RequestError, .identityAlreadyVerified)
        }
        try request.approve(by: Sample.staff, at: at(2))
        XCTAssertThrowsError(try request.approve(by: Sample.staff, at: at(2))) { error in
            XCTAssertEqual(error as? RequestError, .alreadyApproved)
        }
        try request.fulfil(FulfilmentRecord(summary: "done"), by: Sample.staff, at: at(3))
        XCTAssertThrowsError(try request.refuse(refusal(), by: Sample.staff, at: at(4))) { error in
            XCTAssertEqual(error as? RequestError, .closed(.fulfilled))
        }
    }

    func testRefusalNeedsReasonsAndTheNoticeOfRemedies() throws {
        var request = try Sample.request()
        var noReasons = refusal()
        noReasons.reasons = ["  "]
        XCTAssertThrowsError(try request.refuse(noReasons, by: Sample.staff, at: at(1))) { error in
            guard case .missingReasons = error as? RequestError else { return XCTFail("\(error)") }
        }
        var noAuthority = refusal()
        noAuthority.supervisoryAuthority = ComplaintAuthority(name: "", contact: "")
        XCTAssertThrowsError(try request.refuse(noAuthority, by: Sample.staff, at: at(1))) { error in
            guard case .missingRemedyNotice = error as? RequestError else { return XCTFail("\(error)") }
        }
        var noStatement = refusal()
        noStatement.remediesStatement = ""
        XCTAssertThrowsError(try request.refuse(noStatement, by: Sample.staff, at: at(1)))
        // Refusal straight from `received` is allowed (e.g. identity could not be confirmed).
        let summary = try request.refuse(refusal(), by: Sample.staff, at: at(1))
        XCTAssertEqual(summary["reasons_count"], "1")
        XCTAssertNil(summary["reasons"], "free-text reasons stay out of the audit summary")
        guard case let .refused(notice) = request.history.last?.step else { return XCTFail("last step is not a refusal") }
        XCTAssertTrue(notice.remediesStatement.contains("GDPR art. 77"))
        XCTAssertTrue(notice.remediesStatement.contains("GDPR art. 79"))
        XCTAssertTrue(RightsText.remedies(.pipl).contains("PIPL art. 50"))
    }

    func testExtensionBeforeTheOriginalDueDateMovesTheDueDate() throws {
        let uk = try Sample.ukCalculator()
        var request = try Sample.request(receivedAt: instant("2023-01-31T09:00:00Z"), calculator: uk)
        XCTAssertEqual(request.dueDate.iso8601, "2023-02-28")
        let notice = ExtensionNotice(reasons: ["Several related requests received together"], additionalMonths: 2,
                                     noticeSentAt: instant("2023-02-28T16:00:00Z"))
        // On the original due date itself: still within the first month.
        let summary = try request.extend(notice, by: Sample.staff, at: instant("2023-02-28T16:05:00Z"), calculator: uk)
        XCTAssertEqual(request.dueDate.iso8601, "2023-05-02")
        XCTAssertEqual(request.originalDueDate.iso8601, "2023-02-28")
        XCTAssertEqual(request.state, .received, "an extension is an event, not a state")
        XCTAssertEqual(summary["step"], "extended")
        XCTAssertEqual(summary["due_date"], "2023-05-02")
        XCTAssertEqual(summary["original_due_date"], "2023-02-28")
        XCTAssertEqual(summary["additional_months"], "2")
        // Not overdue in April any more; overdue after the extended date.
        XCTAssertFalse(request.isOverdue(asOf: instant("2023-04-20T10:00:00Z")))
        XCTAssertTrue(request.isOverdue(asOf: instant("2023-05-03T10:00:00Z")))
    }

    func testExtensionRulesAreEnforced() throws {
        let uk = try Sample.ukCalculator()
        let notice = ExtensionNotice(reasons: ["Complex request"], additionalMonths: 2, noticeSentAt: at(24))
        // After the original due date (3 October 2024): refused.
        var late = try Sample.request(calculator: uk)
        let afterDue = instant("2024-10-04T09:00:00Z")
        XCTAssertThrowsError(try late.extend(ExtensionNotice(reasons: ["Complex"], noticeSentAt: afterDue), by: Sample.staff,
                                             at: afterDue, calculator: uk)) { error in
            XCTAssertEqual(error as? RequestError, .extensionAfterDueDate(originalDueDate: "2024-10-03", recordedOn: "2024-10-04"))
        }
        // Recorded in time but the notice was sent late: refused too.
        XCTAssertThrowsError(try late.extend(ExtensionNotice(reasons: ["Complex"], noticeSentAt: afterDue), by: Sample.staff,
                                             at: at(1), calculator: uk))
        // More than two further months: refused.
        var greedy = try Sample.request(calculator: uk)
        XCTAssertThrowsError(try greedy.extend(ExtensionNotice(reasons: ["Complex"], additionalMonths: 3, noticeSentAt: at(1)),
                                               by: Sample.staff, at: at(1), calculator: uk)) { error in
            XCTAssertEqual(error as? RequestError, .extensionTooLong(requestedMonths: 3))
        }
        // No reasons: refused.
        XCTAssertThrowsError(try greedy.extend(ExtensionNotice(reasons: [], noticeSentAt: at(1)), by: Sample.staff, at: at(1), calculator: uk))
        // Only once, so the total never exceeds two further months.
        var twice = try Sample.request(calculator: uk)
        try twice.extend(ExtensionNotice(reasons: ["Complex"], additionalMonths: 1, noticeSentAt: at(24)), by: Sample.staff,
                         at: at(24), calculator: uk)
        XCTAssertEqual(twice.dueDate.iso8601, "2024-11-04")  // 3 November 2024 is a Sunday
        XCTAssertThrowsError(try twice.extend(notice, by: Sample.staff, at: at(25), calculator: uk)) { error in
            XCTAssertEqual(error as? RequestError, .alreadyExtended)
        }
        // PIPL has no extension.
        var pipl = try Sample.request(jurisdiction: .pipl, calculator: uk)
        XCTAssertThrowsError(try pipl.extend(notice, by: Sample.staff, at: at(24), calculator: uk)) { error in
            XCTAssertEqual(error as? RequestError, .extensionNotAvailable(.pipl))
        }
    }

    func testScopesAreRequiredForObjectionRestrictionAndWithdrawal() throws {
        XCTAssertThrowsError(try Sample.request(.objection)) { error in
            XCTAssertEqual(error as? RequestError, .scopeRequired(.objection))
        }
        let marketing = try ProcessingScope(purposes: ["marketing.*", "Profiling.Segments"])
        let objection = try Sample.request(.objection, scope: marketing)
        XCTAssertEqual(objection.scope?.purposes, ["marketing.*", "profiling.segments"])
        XCTAssertTrue(marketing.covers(purpose: "marketing.email"))
        XCTAssertTrue(marketing.covers(purpose: "marketing"))
        XCTAssertFalse(marketing.covers(purpose: "marketingx.email"))
        XCTAssertTrue(marketing.covers(purpose: "profiling.segments"))
        XCTAssertFalse(marketing.covers(purpose: "profiling.churn"))
        XCTAssertTrue(try ProcessingScope(purposes: ["*"]).covers(purpose: "anything.at.all"))
        XCTAssertEqual(try Sample.request(.restriction, scope: marketing).latestAuditSummary["scope"], "marketing.*,profiling.segments")
        XCTAssertThrowsError(try Sample.request(.access, scope: marketing))
        XCTAssertThrowsError(try ProcessingScope(purposes: []))
        XCTAssertThrowsError(try ProcessingScope(purposes: ["marketing..email"]))
        XCTAssertThrowsError(try ProcessingScope(purposes: ["<script>"]))
    }

    func testStepsMustBeInTimeOrderAndNamed() throws {
        var request = try Sample.request()
        XCTAssertThrowsError(try request.verifyIdentity(method: .oneTimeCode, by: Sample.webForm, at: t0.addingTimeInterval(-1))) { error in
            XCTAssertEqual(error as? RequestError, .outOfOrder)
        }
        XCTAssertThrowsError(try request.verifyIdentity(method: .oneTimeCode, by: RequestActor(principal: " ", role: "intake"), at: at(1))) {
            XCTAssertEqual($0 as? RequestError, .invalidActor)
        }
    }

    func testAuditSummariesHoldNoContactOrSubjectData() throws {
        var request = try DataSubjectRequest(
            jurisdiction: .gdpr, type: .rectification, channel: .post,
            personal: RequestPersonalData(
                contact: .postal(PostalAddress(recipient: "Åsa Öberg", lines: ["Storgatan 5"], postcode: "111 22", city: "Stockholm", country: "SE")),
                subjectReference: "asa.oberg@example.se", corrections: [Correction(dataset: "customers", column: "postcode", newValue: "113 30")],
                note: "Jag har flyttat"),
            receivedAt: t0, recordedBy: Sample.staff, calculator: try Sample.ukCalculator())
        try request.verifyIdentity(method: .documentSeenInPerson, by: Sample.staff, at: at(1))
        try request.approve(by: Sample.staff, at: at(2))
        try request.fulfil(FulfilmentRecord(summary: "postcode corrected"), by: Sample.staff, at: at(3))
        let secrets = ["Åsa", "Öberg", "Storgatan", "111 22", "asa.oberg", "113 30", "flyttat", "postcode corrected"]
        for index in request.history.indices {
            let summary = request.auditSummary(ofStepAt: index)
            XCTAssertEqual(Set(summary.keys).isSuperset(of: ["request_id", "type", "jurisdiction", "state", "due_date", "actor", "role", "at"]), true)
            let text = summary.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
            for secret in secrets { XCTAssertFalse(text.contains(secret), "audit summary leaks '\(secret)'") }
        }
        XCTAssertEqual(request.auditSummary(ofStepAt: 0)["state"], "received")
        XCTAssertEqual(request.auditSummary(ofStepAt: 2)["state"], "approved")
        XCTAssertEqual(request.latestAuditSummary["type"], "rectification")
        XCTAssertEqual(request.latestAuditSummary["channel"], "post")
    }

    func testLateFulfilmentIsFlaggedAndOverdueOnlyWhileOpen() throws {
        var request = try Sample.request()
        XCTAssertEqual(request.daysLeft(asOf: instant("2024-09-30T09:00:00Z")), 3)
        XCTAssertTrue(request.isOverdue(asOf: instant("2024-10-04T09:00:00Z")))
        try request.verifyIdentity(method: .oneTimeCode, by: Sample.webForm, at: at(1))
        try request.approve(by: Sample.staff, at: at(2))
        let summary = try request.fulfil(FulfilmentRecord(summary: "sent"), by: Sample.staff, at: instant("2024-10-04T09:00:00Z"))
        XCTAssertEqual(summary["late"], "true")
        XCTAssertFalse(request.isOverdue(asOf: instant("2024-10-05T09:00:00Z")), "a closed request is no longer overdue")
    }

    func testRequestsRoundTripThroughJSON() throws {
        var request = try Sample.request(.objection, scope: try ProcessingScope(purposes: ["marketing.*"]))
        try request.extend(ExtensionNotice(reasons: ["Complex"], noticeSentAt: at(5)), by: Sample.staff, at: at(5), calculator: try Sample.ukCalculator())
        try request.verifyIdentity(method: .oneTimeCode, by: Sample.webForm, at: at(6))
        try request.refuse(refusal(), by: Sample.staff, at: at(7))
        let data = try JSONEncoder().encode(request)
        let decoded = try JSONDecoder().decode(DataSubjectRequest.self, from: data)
        XCTAssertEqual(decoded, request)
        XCTAssertEqual(decoded.dueDate.iso8601, "2024-12-03")
        XCTAssertEqual(decoded.state, .refused)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""due_date":"2024-12-03""#))
        XCTAssertTrue(text.contains(#""received_on":"2024-09-03""#))
    }

    func testRequestIDsAreRandomPrintableAndParseBack() throws {
        let ids = (0..<200).map { _ in DataSubjectRequestID() }
        XCTAssertEqual(Set(ids).count, 200)
        for id in ids {
            XCTAssertEqual(id.rawValue.count, 30)
            XCTAssertTrue(id.rawValue.hasPrefix("DSR-"))
            XCTAssertEqual(DataSubjectRequestID(id.rawValue.lowercased()), id)
        }
        // Known answer: all-zero bytes and all-one bytes.
        XCTAssertEqual(DataSubjectRequestID(randomBytes: [UInt8](repeating: 0, count: 16)).rawValue, "DSR-" + String(repeating: "0", count: 26))
        XCTAssertEqual(DataSubjectRequestID(randomBytes: [UInt8](repeating: 0xFF, count: 16)).rawValue, "DSR-7" + String(repeating: "Z", count: 25))
        // Crockford reading: O -> 0, I/L -> 1.
        XCTAssertEqual(DataSubjectRequestID("dsr-OOOOOOOOOOOOOOOOOOOOOOOOOI")?.rawValue, "DSR-" + String(repeating: "0", count: 25) + "1")
        XCTAssertNil(DataSubjectRequestID("DSR-123"))
        XCTAssertNil(DataSubjectRequestID("DSR-" + String(repeating: "U", count: 26)))
        XCTAssertNil(DataSubjectRequestID("DSR-8" + String(repeating: "0", count: 25)), "more than 128 bits")
    }

    func testContactsAreValidated() {
        XCTAssertEqual(try DeliveryContact.emailAddress("  Li.Wei@Example.CN "), .email("li.wei@example.cn"))
        XCTAssertThrowsError(try DeliveryContact.emailAddress("not an address"))
        XCTAssertThrowsError(try DataSubjectRequest(
            jurisdiction: .gdpr, type: .access, channel: .web, personal: RequestPersonalData(contact: .email("Bad@Example.com")),
            receivedAt: t0, recordedBy: Sample.webForm, calculator: DeadlineCalculator()))
        XCTAssertThrowsError(try DeliveryContact.postal(PostalAddress(recipient: "A", lines: [], postcode: "", city: "", country: "")).validate())
    }
}
