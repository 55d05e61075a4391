@testable import CustosRights
import CustosCrypto
import CustosSchema
import Foundation
import XCTest

final class VerificationTests: XCTestCase {
    let start = instant("2024-09-03T10:00:00Z")
    let key = SymmetricKey(bytes: [UInt8](repeating: 7, count: 32))

    func verifier(_ clock: TestClock, policy: VerificationPolicy = VerificationPolicy()) throws -> IdentityVerifier {
        try IdentityVerifier(key: key, policy: policy, fromAddress: "Nordhav Privacy <privacy@nordhav.example>",
                             organisation: "Nordhav Handel AB", now: { clock.now })
    }

    /// A code different from `code` with the same length.
    func wrong(_ code: String) -> String {
        String(code.map { $0 == "9" ? "0" : Character(String(($0.wholeNumberValue ?? 0) + 1)) })
    }

    func testTheRightCodeVerifiesOnceAndOnlyItsHashIsStored() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        let request = try Sample.request()
        let issued = try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender)
        XCTAssertEqual(issued.outcome, .issued(expiresAt: start.addingTimeInterval(900)))
        let challengeID = try XCTUnwrap(issued.challengeID)
        let code = try XCTUnwrap(sender.lastCode)
        XCTAssertEqual(code.count, 6)
        XCTAssertEqual(sender.messages.first?.to, .email("li.wei@example.cn"), "the code goes to the contact on file")
        XCTAssertTrue(sender.messages.first?.body.contains(challengeID) ?? false)
        XCTAssertFalse(sender.messages.first?.subject.contains(code) ?? true, "the code is not in the subject line")

        // The ledger holds the HMAC of the code, never the code or the contact.
        let stored = String(decoding: try JSONEncoder().encode(ledger), as: UTF8.self)
        XCTAssertFalse(stored.contains("\"\(code)\""))
        XCTAssertFalse(stored.contains("li.wei"))
        let challenge = try XCTUnwrap(ledger.challenges[challengeID])
        let expected = HMACSHA256.authenticationCode(
            for: Array(challengeID.utf8) + [0] + Array(code.utf8),
            using: try HKDF.deriveKey(from: key, label: "custos/rights/v1/one-time-code"))
        XCTAssertEqual(challenge.codeHash, expected.hexString)

        clock.advance(60)
        let spaced = String(code.prefix(3)) + " " + String(code.suffix(3))
        let result = verifier.verify(code: spaced, challengeID: challengeID, requestID: request.id, ledger: &ledger)
        XCTAssertEqual(result.outcome, .verified)
        XCTAssertEqual(result.auditSummary["outcome"], "verified")
        XCTAssertEqual(verifier.verify(code: code, challengeID: challengeID, requestID: request.id, ledger: &ledger).outcome, .alreadyUsed)
    }

    func testWrongCodesCountDownThenLockEvenAgainstTheRightCode() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        let request = try Sample.request()
        let challengeID = try XCTUnwrap(try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender).challengeID)
        let code = try XCTUnwrap(sender.lastCode)
        var outcomes: [VerificationOutcome] = []
        for _ in 0..<5 {
            clock.advance(10)
            outcomes.append(verifier.verify(code: wrong(code), challengeID: challengeID, requestID: request.id, ledger: &ledger).outcome)
        }
        XCTAssertEqual(outcomes, [.wrongCode(attemptsLeft: 4), .wrongCode(attemptsLeft: 3), .wrongCode(attemptsLeft: 2),
                                  .wrongCode(attemptsLeft: 1), .locked])
        XCTAssertEqual(verifier.verify(code: code, challengeID: challengeID, requestID: request.id, ledger: &ledger).outcome, .locked)
        XCTAssertEqual(ledger.challenges[challengeID]?.status, .locked)
        XCTAssertEqual(ledger.challenges[challengeID]?.failedAttempts, 5)
    }

    /// Attack (issue 10 item 6): a requester names someone else and types their own address. The
    /// engine finds no contact on file matching it, so the request has none; the verifier answers
    /// exactly as for a real request, sends nothing anywhere, and no code ever verifies it.
    func testCodeForARequestWhoseContactIsNotOnFileIsSentNowhereAndTheAnswerIsTheSame() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        let attacker = try DataSubjectRequest(
            jurisdiction: .gdpr, type: .access, channel: .email,
            personal: RequestPersonalData(contact: .email("attacker@evil.example"), subjectReference: "CUST-000123"),
            receivedAt: clock.now, recordedBy: Sample.webForm, calculator: DeadlineCalculator())
        let issued = try verifier.issueChallenge(for: attacker, ledger: &ledger, sender: sender)
        XCTAssertEqual(issued.outcome, .issued(expiresAt: start.addingTimeInterval(900)), "the same answer as a real request")
        XCTAssertEqual(Set(issued.auditSummary.keys), Set(try verifier.issueChallenge(for: try Sample.request(), ledger: &ledger,
                                                                                     sender: CapturingSender()).auditSummary.keys))
        XCTAssertTrue(sender.messages.isEmpty, "nothing is sent to the address the requester typed")
        let challengeID = try XCTUnwrap(issued.challengeID)
        for guess in ["000000", "123456", "999999"] {
            XCTAssertNotEqual(verifier.verify(code: guess, challengeID: challengeID, requestID: attacker.id, ledger: &ledger).outcome, .verified)
        }
    }

    func testCodesExpire() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock, policy: VerificationPolicy(codeDigits: 8, codeLifetime: 600))
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        let request = try Sample.request()
        let challengeID = try XCTUnwrap(try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender).challengeID)
        let code = try XCTUnwrap(sender.lastCode)
        XCTAssertEqual(code.count, 8)
        clock.advance(600)  // exactly at expiry: still valid
        var copy = ledger
        XCTAssertEqual(verifier.verify(code: code, challengeID: challengeID, requestID: request.id, ledger: &copy).outcome, .verified)
        clock.advance(1)
        XCTAssertEqual(verifier.verify(code: code, challengeID: challengeID, requestID: request.id, ledger: &ledger).outcome, .expired)
        XCTAssertEqual(verifier.verify(code: code, challengeID: challengeID, requestID: request.id, ledger: &ledger).outcome, .expired)
    }

    func testRateLimitPerContactWithASlidingWindow() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        // Three different requests from the same contact: the limit is per contact, not per request.
        for minute in [0, 10, 20] {
            clock.advance(minute == 0 ? 0 : 600)
            let request = try Sample.request()
            XCTAssertEqual(try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender).outcome.name, "issued")
        }
        clock.advance(600)  // 10:30
        let fourth = try verifier.issueChallenge(for: try Sample.request(), ledger: &ledger, sender: sender)
        XCTAssertEqual(fourth.outcome, .rateLimited(retryAfter: start.addingTimeInterval(3600)))
        XCTAssertNil(fourth.challengeID)
        XCTAssertEqual(fourth.auditSummary["retry_after"], "2024-09-03T11:00:00Z")
        XCTAssertEqual(sender.messages.count, 3, "nothing is sent when rate limited")
        // Another contact is not affected.
        let other = try DataSubjectRequest(
            jurisdiction: .gdpr, type: .access, channel: .email, personal: RequestPersonalData(contact: .email("erik@example.se"), contactOnFile: .email("erik@example.se")),
            receivedAt: clock.now, recordedBy: Sample.webForm, calculator: DeadlineCalculator())
        XCTAssertEqual(try verifier.issueChallenge(for: other, ledger: &ledger, sender: sender).outcome.name, "issued")
        // After the first issue leaves the window (11:00 + 1 s), one more is allowed.
        clock.advance(30 * 60 + 1)
        XCTAssertEqual(try verifier.issueChallenge(for: try Sample.request(), ledger: &ledger, sender: sender).outcome.name, "issued")
        XCTAssertEqual(try verifier.issueChallenge(for: try Sample.request(), ledger: &ledger, sender: sender).outcome.name, "rate_limited")
    }

    func testANewChallengeSupersedesTheOldOne() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        let request = try Sample.request()
        let first = try XCTUnwrap(try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender).challengeID)
        let firstCode = try XCTUnwrap(sender.lastCode)
        clock.advance(60)
        let second = try XCTUnwrap(try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender).challengeID)
        let secondCode = try XCTUnwrap(sender.lastCode)
        XCTAssertEqual(verifier.verify(code: firstCode, challengeID: first, requestID: request.id, ledger: &ledger).outcome, .superseded)
        // A challenge is bound to its request.
        XCTAssertEqual(verifier.verify(code: secondCode, challengeID: second, requestID: DataSubjectRequestID(), ledger: &ledger).outcome,
                       .unknownChallenge)
        XCTAssertEqual(verifier.verify(code: secondCode, challengeID: "otp-nope", requestID: request.id, ledger: &ledger).outcome,
                       .unknownChallenge)
        XCTAssertEqual(verifier.verify(code: secondCode, challengeID: second, requestID: request.id, ledger: &ledger).outcome, .verified)
    }

    func testOnlyReceivedRequestsGetCodesAndFailedDeliveryRecordsNothing() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        var ledger = VerificationLedger()
        var request = try Sample.request()
        XCTAssertThrowsError(try verifier.issueChallenge(for: request, ledger: &ledger, sender: FailingSender())) { error in
            guard case .deliveryFailed = error as? VerificationError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(ledger, VerificationLedger())
        try request.verifyIdentity(method: .authenticatedSession, by: Sample.webForm, at: start)
        XCTAssertThrowsError(try verifier.issueChallenge(for: request, ledger: &ledger, sender: CapturingSender())) { error in
            XCTAssertEqual(error as? VerificationError, .requestNotAwaitingVerification(.identityVerified))
        }
    }

    func testAuditSummariesCarryNoCodeOrContact() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        let sender = CapturingSender()
        var ledger = VerificationLedger()
        let request = try Sample.request()
        let issued = try verifier.issueChallenge(for: request, ledger: &ledger, sender: sender)
        let code = try XCTUnwrap(sender.lastCode)
        let challengeID = try XCTUnwrap(issued.challengeID)
        let results = [issued, verifier.verify(code: wrong(code), challengeID: challengeID, requestID: request.id, ledger: &ledger)]
        for result in results {
            let text = result.auditSummary.values.joined(separator: " ")
            XCTAssertFalse(text.contains(code))
            XCTAssertFalse(text.contains("li.wei"))
            XCTAssertEqual(result.auditSummary["request_id"], request.id.rawValue)
        }
        XCTAssertEqual(results[1].auditSummary["attempts_left"], "4")
        XCTAssertEqual(results[0].auditSummary["expires_at"], "2024-09-03T10:15:00Z")
    }

    func testPolicyLimitsAreChecked() {
        XCTAssertThrowsError(try verifier(TestClock(start), policy: VerificationPolicy(codeDigits: 4)))
        XCTAssertThrowsError(try verifier(TestClock(start), policy: VerificationPolicy(maximumAttempts: 0)))
    }

    func testLedgerPruningDropsOldState() throws {
        let clock = TestClock(start)
        let verifier = try verifier(clock)
        var ledger = VerificationLedger()
        _ = try verifier.issueChallenge(for: try Sample.request(), ledger: &ledger, sender: CapturingSender())
        ledger.prune(asOf: start.addingTimeInterval(300), window: 3600)
        XCTAssertEqual(ledger.challenges.count, 1)
        ledger.prune(asOf: start.addingTimeInterval(7200), window: 3600)
        XCTAssertEqual(ledger, VerificationLedger())
    }

    // MARK: Code generation

    func testRejectionSamplingDiscardsTheBiasedTail() {
        // For 6 digits the bound is 10^6; 2^64 mod 10^6 = 551616, so words below it are redrawn.
        XCTAssertEqual((0 &- UInt64(1_000_000)) % 1_000_000, 551_616)
        var script: [UInt64] = [0, 551_615, 551_616 + 42]
        let value = OneTimeCode.uniform(below: 1_000_000) { script.removeFirst() }
        XCTAssertEqual(value, (551_616 + 42) % 1_000_000)
        XCTAssertTrue(script.isEmpty, "both biased words were rejected")
        var top: [UInt64] = [UInt64.max]
        XCTAssertEqual(OneTimeCode.uniform(below: 1_000_000) { top.removeFirst() }, UInt64.max % 1_000_000)
        // Leading zeros are kept.
        var small: [UInt64] = [7_000_042]
        XCTAssertEqual(OneTimeCode.code(digits: 6) { small.removeFirst() }, "000042")
    }

    func testGeneratedCodesCoverEveryDigitEvenly() {
        // 20,000 CSPRNG codes of 6 digits = 120,000 digits, 12,000 expected per digit. A chi-square
        // statistic with 9 degrees of freedom above 27.88 has probability 0.001 under uniformity,
        // so this test fails spuriously about once in a thousand runs.
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 {
            let code = OneTimeCode.generate(digits: 6)
            XCTAssertEqual(code.count, 6)
            for ch in code { counts[ch.wholeNumberValue ?? 0] += 1 }
        }
        let expected = 12_000.0
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chiSquare, 27.88, "digit counts \(counts)")
    }
}
