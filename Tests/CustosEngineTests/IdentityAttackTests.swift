import CustosDemo
import CustosAudit
@testable import CustosEngine
import CustosGovernance
import CustosRights
import CustosTesting
import CustosVault
import Foundation
import XCTest

/// Issue 10, items 4, 6 and 7: every change comes from an authenticated principal, codes go only to
/// the contact on file, and a data subject acts only on their own requests. Each test reproduces an
/// attack and asserts that it now fails.
final class IdentityAttackTests: XCTestCase {
    func assertDenied(_ body: @autoclosure () throws -> some Any, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let EngineError.denied(reason) = error else { return XCTFail("expected a denial, got \(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), reason, file: file, line: line)
        }
    }

    // MARK: Item 4: changes need an authenticated principal in a role allowed to make them

    /// Attack: `custos consent withdraw`, `ingest` and `keys rotate` ran with no principal or token
    /// and were audited as `os:operator`. Now each is refused without a token, and the refusal is audited.
    func testConsentChangeIngestAndKeyRotationWithoutATokenAreRefusedAndAudited() throws {
        let f = try EngineFixture(customers: 30)
        let customer = try XCTUnwrap(f.generated.consentingCustomer)
        let keyVersion = f.engine.workspace.keys.currentVersion
        let subjects = try f.engine.workspace.records.allSubjects().count
        let before = try f.entries().count
        for anonymous in [Caller.localOperator, Caller(principal: "oscar", role: "operator", token: nil),
                          Caller(principal: "prefs", role: "consent_collector", token: "")] {
            assertDenied(try f.engine.consent.recordConsent(identifier: customer, purpose: "marketing.segmentation", action: .withdrawn,
                                                            language: "en", channel: "cli", collector: "x", actor: anonymous),
                         contains: "needs an authenticated principal")
            assertDenied(try f.engine.consent.importConsents(file: try XCTUnwrap(f.generated.files["consents"]), actor: anonymous),
                         contains: "needs an authenticated principal")
            assertDenied(try f.engine.ingest(file: try XCTUnwrap(f.generated.files["customers"]), dataset: "customers", actor: anonymous),
                         contains: "needs an authenticated principal")
            assertDenied(try f.engine.rotateKeys(passphrase: nil, actor: anonymous), contains: "needs an authenticated principal")
        }
        // A forged token is no better than none.
        assertDenied(try f.engine.rotateKeys(passphrase: nil, actor: Caller(principal: "oscar", role: "operator", token: "custos_forged")),
                     contains: "could not be authenticated")
        XCTAssertEqual(f.engine.workspace.keys.currentVersion, keyVersion, "no rotation happened")
        XCTAssertEqual(try f.engine.workspace.records.allSubjects().count, subjects)
        XCTAssertEqual(try f.engine.controls.consentHistory(customer: customer, actor: f.dana).records.last?.action, .granted,
                       "the withdrawal was not recorded")
        let refusals = try f.entries().dropFirst(before).filter { $0.decision == .deny }
        XCTAssertEqual(refusals.count, 13, "every refusal is audited")
        XCTAssertEqual(Set(refusals.map(\.action)), [.consentChange, .ingestBatch, .keyRotate])
        XCTAssertTrue(refusals.allSatisfy { $0.details["requested_action"] != nil && $0.details["token_given"] != nil })
        XCTAssertEqual(refusals.filter { $0.details["token_given"] == "false" }.count, 12)
    }

    /// Attack: the operator (who may ingest) changes a customer's consent, or an analyst ingests.
    func testWrongRoleIsRefusedForEveryChange() throws {
        let f = try EngineFixture(customers: 30)
        let customer = try XCTUnwrap(f.generated.consentingCustomer)
        assertDenied(try f.engine.consent.recordConsent(identifier: customer, purpose: "marketing.segmentation", action: .granted,
                                                        language: "en", channel: "cli", collector: "x", actor: f.oscar),
                     contains: "role 'operator' may not take action 'consent.record'; roles.yaml allows it for: compliance_officer, consent_collector")
        assertDenied(try f.engine.consent.importConsents(file: try XCTUnwrap(f.generated.files["consents"]), actor: f.dana),
                     contains: "role 'compliance_officer' may not take action 'consent.import'")
        assertDenied(try f.engine.ingest(file: try XCTUnwrap(f.generated.files["orders"]), dataset: "orders", actor: f.alice),
                     contains: "role 'analyst' may not take action 'ingest'; roles.yaml allows it for: operator")
        assertDenied(try f.engine.rotateKeys(passphrase: nil, actor: f.prefs), contains: "may not take action 'keys.rotate'")
        // Claiming a role one does not hold.
        assertDenied(try f.engine.rotateKeys(passphrase: nil, actor: f.actor("alice", "operator")),
                     contains: "principal 'alice' does not hold role 'operator'")
        let denied = try f.entries().filter { $0.decision == .deny && $0.details["requested_action"] != nil }
        XCTAssertEqual(denied.map(\.actor), ["oscar", "dana", "alice", "prefs", "alice"], "refusals name who tried")
    }

    /// The right principal succeeds, and the entry names it (not the OS account).
    func testTheRightPrincipalIsNamedInTheAuditEntryOfEachChange() throws {
        let f = try EngineFixture(customers: 30)
        let customer = try XCTUnwrap(f.generated.consentingCustomer)
        _ = try f.engine.consent.recordConsent(identifier: customer, purpose: "marketing.segmentation", action: .withdrawn,
                                               language: "en", channel: "app", collector: "preference-center", actor: f.prefs)
        let rotated = try f.engine.rotateKeys(passphrase: nil, actor: f.oscar)
        XCTAssertEqual(rotated.version, 2)
        let entries = try f.entries()
        let ingests = entries.filter { $0.action == .ingestBatch && $0.decision == .allow }
        XCTAssertEqual(Set(ingests.map(\.actor)), ["oscar"])
        XCTAssertEqual(Set(ingests.map(\.role)), ["operator"])
        let consents = entries.filter { $0.action == .consentChange && $0.decision == .allow }
        XCTAssertEqual(Set(consents.map(\.actor)), ["prefs"], "the import and the withdrawal")
        XCTAssertEqual(consents.count, 2)
        XCTAssertEqual(entries.last { $0.action == .keyRotate }?.actor, "oscar")
        XCTAssertFalse(entries.contains { $0.actor.hasPrefix("os:") && $0.action != .keyInit && $0.action != .policyChange },
                       "no change is attributed to an OS account")
    }

    /// A role may list only actions Custos knows, so a typo cannot silently grant nothing or everything.
    func testUnknownActionInRolesIsAPolicyError() throws {
        let ws = try makeWorkspace()
        let roles = ws.policiesDirectory.appendingPathComponent("roles.yaml")
        var text = try String(contentsOf: roles, encoding: .utf8)
        text = text.replacingOccurrences(of: "actions: [ingest, keys.rotate, backup]", with: "actions: [ingest, keys.rotate, backup, everything]")
        try Data(text.utf8).write(to: roles)
        XCTAssertThrowsError(try PolicySet.load(directory: ws.policiesDirectory)) { error in
            XCTAssertTrue("\(error)".contains("role 'operator': unknown action 'everything'"), "\(error)")
        }
    }

    // MARK: Item 6: the code goes only to the contact on file

    /// Attack: `dsr file --customer <victim> --email attacker@…` sent the one-time code to the
    /// attacker, and after approval the victim's record. Now nothing is sent, the code cannot be
    /// guessed into a verification, and every answer is the same as for a person who is not a customer.
    func testDSRFiledForAVictimWithTheAttackersEmailSendsNothingAndAnswersAsForAnUnknownPerson() throws {
        let f = try EngineFixture(customers: 40)
        let victim = f.generated.markerCustomerID
        // What reached the mail system (the outbox itself holds messages only sealed, until delivered).
        func messages() -> [String] { (try? f.sendmail.messages()) ?? [] }
        let start = try f.entries().count

        func attempt(customer: String) throws -> (filed: DataSubjectRequest, sent: VerificationResult, entries: [AuditEntry]) {
            let before = try f.entries().count
            let filed = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email,
                                                        contact: try .emailAddress("Attacker@Evil.example"), customer: customer, actor: f.dana)
            let sent = try f.engine.rights.sendVerificationCode(filed.id.rawValue, actor: f.dana)
            return (filed, sent, Array(try f.entries().dropFirst(before)))
        }
        let outboxBefore = messages()
        let attack = try attempt(customer: victim)
        let stranger = try attempt(customer: "C9999999")
        XCTAssertEqual(messages(), outboxBefore, "no message to anyone: not to the attacker, not to the victim")

        // The same answer either way: state, outcome, and audit entries of the same shape.
        XCTAssertEqual(attack.filed.state, stranger.filed.state)
        XCTAssertEqual(attack.sent.outcome.name, "issued")
        XCTAssertEqual(stranger.sent.outcome.name, "issued")
        XCTAssertNotNil(attack.sent.challengeID)
        func shape(_ entries: [AuditEntry]) -> [String] {
            entries.map { "\($0.action) \($0.decision?.rawValue ?? "-") \($0.reason ?? "") \($0.dataset ?? "") \($0.details.keys.sorted())" }
        }
        XCTAssertEqual(shape(attack.entries), shape(stranger.entries), "the audit log does not tell them apart either")
        XCTAssertNil(try f.engine.rights.loadRequest(attack.filed.id.rawValue).personal.contactOnFile)

        // Guessing codes never verifies; the request can never be approved or fulfilled.
        let id = attack.filed.id.rawValue
        for guess in ["000000", "123456", "654321"] {
            XCTAssertNotEqual(try f.engine.rights.checkVerificationCode(id, challenge: attack.sent.challengeID ?? "", code: guess, actor: f.dana).outcome,
                              .verified)
        }
        XCTAssertThrowsError(try f.engine.rights.approveRequest(id, actor: f.dana))
        XCTAssertThrowsError(try f.engine.rights.fulfilRequest(id, actor: f.dana))

        // Nothing in the outbox or the audit log holds the attacker's address.
        XCTAssertEqual(PlaintextProbe.scan(directory: f.engine.workspace.root, for: ["attacker@evil.example"])
            .filter { $0.file.hasPrefix("outbox/") || $0.file.hasPrefix("audit/") }.map(\.description), [])
        XCTAssertGreaterThan(try f.entries().count, start)

        // The real customer, typing their address in another case, gets the code at the address on file.
        let onFile = try f.emailOnFile(victim)
        guard case let .email(address) = onFile else { return XCTFail("no email on file") }
        let real = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email,
                                                   contact: try .emailAddress(" " + address.uppercased()), customer: victim, actor: f.dana)
        let challenge = try f.engine.rights.sendVerificationCode(real.id.rawValue, actor: f.dana)
        let new = messages().dropFirst(outboxBefore.count)
        XCTAssertEqual(new.count, 1)
        let text = try XCTUnwrap(new.first)
        XCTAssertTrue(text.contains("To: \(address)"), text)
        XCTAssertEqual(try f.engine.rights.checkVerificationCode(real.id.rawValue, challenge: challenge.challengeID ?? "",
                                                                 code: try f.sendmail.latestCode(for: real.id.rawValue), actor: f.dana).outcome, .verified)
    }

    /// A requester who gives a phone number gets the code by text message to the phone on file,
    /// and a number that is not on file gets nothing.
    func testPhoneContactMustMatchThePhoneOnFile() throws {
        let f = try EngineFixture(customers: 40)
        let victim = f.generated.markerCustomerID
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: victim))
        let phone = try XCTUnwrap(try f.engine.rights.contactsOnFile(of: subject, actor: f.dana).phone)
        let outbox = f.engine.workspace.outboxDirectory
        func messages() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []).sorted() }

        let wrong = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .phone, contact: try .phoneNumber("+15550000000"),
                                                    customer: victim, actor: f.dana)
        XCTAssertEqual(try f.engine.rights.sendVerificationCode(wrong.id.rawValue, actor: f.dana).outcome.name, "issued")
        XCTAssertEqual(messages(), [])
        let right = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .phone, contact: .phone(phone),
                                                    customer: victim, actor: f.dana)
        _ = try f.engine.rights.sendVerificationCode(right.id.rawValue, actor: f.dana)
        let sent = messages()
        XCTAssertEqual(sent.count, 1)
        XCTAssertTrue(sent[0].hasSuffix(".sealed"), "a text for the SMS gateway waits sealed: \(sent)")
        let sms = try f.engine.rights.outbox.open(sent[0])
        XCTAssertEqual(sms.kind, .sms)
        XCTAssertTrue(sms.text.hasPrefix("To: \(phone)\n"), sms.text)
    }

    // MARK: Item 7: a data subject acts only on their own requests

    /// A workspace with a `data_subject` principal bound to the marker customer, and the engine
    /// reopened so that it knows the principal.
    func boundCustomer() throws -> (f: EngineFixture, engine: Engine, me: Caller, mine: String, victim: String) {
        let f = try EngineFixture(customers: 40)
        let mine = f.generated.markerCustomerID
        let victim = try XCTUnwrap(f.generated.consentingCustomer)
        XCTAssertNotEqual(mine, victim)
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: mine))
        let token = try PrincipalDirectory.addPrincipal(id: "portal-session-1", displayName: "Customer portal session", roles: ["data_subject"],
                                                        subject: subject.hex, in: f.engine.workspace.policiesDirectory.appendingPathComponent("principals.yaml"))
        try f.engine.workspace.resignPoliciesForTests()  // a policy change takes effect only once an officer signs it
        try f.engine.close()
        let engine = try Engine.open(f.engine.workspace)
        addTeardownBlock { try? engine.close() }
        return (f, engine, Caller(principal: "portal-session-1", role: "data_subject", token: token), mine, victim)
    }

    /// Attack: a `data_subject` principal filed and verified requests for other customers. Now it can
    /// file only about itself: a victim's id and an unknown id are refused alike, and audited.
    func testDataSubjectPrincipalCannotFileForAnotherCustomer() throws {
        let (f, engine, me, mine, victim) = try boundCustomer()
        let victimEmail = try XCTUnwrap(engine.rights.contactsOnFile(of: try XCTUnwrap(engine.subject(identifierColumn: "customer_id", value: victim)),
                                                                      actor: f.dana).email)
        var refusals: [String] = []
        for customer in [victim, "C9999999", victimEmail] {
            XCTAssertThrowsError(try engine.rights.fileRequest(type: .erasure, jurisdiction: .gdpr, channel: .web, contact: .email(victimEmail),
                                                               customer: customer, actor: me)) { refusals.append("\($0)") }
        }
        XCTAssertEqual(Set(refusals).count, 1, "the same refusal for a victim and for nobody: \(refusals)")
        XCTAssertTrue(refusals[0].contains("only about themselves"), refusals[0])
        XCTAssertEqual(try engine.audit.entries().filter { $0.actor == me.principal && $0.decision == .deny }.count, 3)
        XCTAssertEqual(try engine.rights.requestRegister(actor: f.dana).count, 0, "nothing was filed")

        // Its own request, with or without its customer id, is filed about its own subject.
        let own = try engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .web, contact: .email(f.generated.markerEmail),
                                                customer: nil, actor: me)
        XCTAssertEqual(own.personal.subjectReference?.lowercased(), mine.lowercased(), "the customer id on file")
        XCTAssertNotNil(own.personal.contactOnFile)
    }

    /// Attack: the same principal sends and checks codes for, reads the status of, lists, and
    /// downloads the answer to someone else's request. Each is refused like an unknown id, and audited.
    func testDataSubjectPrincipalCannotVerifyReadOrDownloadAnotherCustomersRequest() throws {
        let (f, engine, me, _, victim) = try boundCustomer()
        let victimSubject = try XCTUnwrap(engine.subject(identifierColumn: "customer_id", value: victim))
        let victimEmail = try XCTUnwrap(engine.rights.contactsOnFile(of: victimSubject, actor: f.dana).email)

        // The victim's request, filed and fulfilled by the DPO.
        let theirs = try engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email, contact: .email(victimEmail),
                                                   customer: victim, actor: f.dana).id.rawValue
        let challenge = try engine.rights.sendVerificationCode(theirs, actor: f.dana)
        let code = try f.sendmail.latestCode(for: theirs)
        // My own request, verified by me with the code sent to my address on file.
        let mine = try engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .web, contact: .email(f.generated.markerEmail),
                                                 customer: nil, actor: me).id.rawValue

        let unknown = "DSR-00000000-0000"
        func refusal(_ body: () throws -> Any) -> String {
            switch Result(catching: body) {
            case .success: return "allowed"
            case let .failure(error): return "\(error)".replacingOccurrences(of: theirs, with: "ID").replacingOccurrences(of: unknown, with: "ID")
            }
        }
        for (step, attack) in [
            ("send a code", { try engine.rights.sendVerificationCode(theirs, actor: me) }),
            ("check a code", { try engine.rights.checkVerificationCode(theirs, challenge: challenge.challengeID ?? "", code: code, actor: me) }),
            ("find the challenge", { try engine.rights.latestVerificationChallenge(forRequest: theirs, actor: me) as Any }),
            ("read the status", { try engine.rights.request(theirs, actor: me) }),
        ] as [(String, () throws -> Any)] {
            let text = refusal(attack)
            XCTAssertTrue(text.hasPrefix("not found: no data-subject request ID of yours"), "\(step): \(text)")
        }
        XCTAssertEqual(try engine.rights.request(theirs, actor: f.dana).state, .received, "the victim's request was not verified by the attacker")
        XCTAssertEqual(try engine.rights.requestRegister(actor: me).map(\.id), [mine], "the register shows only my own request")

        // After the victim's request is fulfilled, its answer is theirs alone.
        XCTAssertEqual(try engine.rights.checkVerificationCode(theirs, challenge: challenge.challengeID ?? "", code: code, actor: f.dana).outcome, .verified)
        _ = try engine.rights.approveRequest(theirs, actor: f.dana)
        _ = try engine.rights.fulfilRequest(theirs, actor: f.dana)
        XCTAssertTrue(refusal { try engine.rights.downloadAnswer(theirs, actor: me) }.hasPrefix("not found: no data-subject request ID of yours"))
        XCTAssertEqual(refusal { try engine.rights.downloadAnswer(unknown, actor: me) }, refusal { try engine.rights.downloadAnswer(theirs, actor: me) },
                       "someone else's request and a request that does not exist look the same")
        let refused = try engine.audit.entries().filter { $0.actor == me.principal && $0.decision == .deny }
        XCTAssertEqual(refused.count, 7, "every attempt is audited")

        // My own request goes all the way, and I can download my own answer, which holds my data only.
        let myChallenge = try engine.rights.sendVerificationCode(mine, actor: me)
        XCTAssertEqual(try engine.rights.checkVerificationCode(mine, challenge: myChallenge.challengeID ?? "", code: try f.sendmail.latestCode(for: mine),
                                                               actor: me).outcome, .verified)
        _ = try engine.rights.approveRequest(mine, actor: f.dana)
        _ = try engine.rights.fulfilRequest(mine, actor: f.dana)
        let files = try engine.rights.downloadAnswer(mine, actor: me)
        let csv = try XCTUnwrap(files.first { $0.name == "access-customers.csv" })
        let text = String(decoding: csv.contents, as: UTF8.self).lowercased()
        XCTAssertTrue(text.contains(f.generated.markerCustomerID.lowercased()), text)
        XCTAssertFalse(text.contains(victim.lowercased()))
        XCTAssertThrowsError(try engine.rights.approveRequest(mine, actor: me), "a data subject cannot approve")
    }
}
