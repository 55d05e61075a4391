import CustosDemo
import CustosBase
import CustosGovernance
import CustosAudit
@testable import CustosEngine
import CustosRights
import CustosSchema
import CustosTesting
import CustosVault
import Foundation
import XCTest

final class DataSubjectRequestTests: XCTestCase {
    /// Files, verifies (reading the code the mail system delivered, as the customer would) and approves a request.
    func approved(_ f: EngineFixture, _ type: RequestType, customer: String, scope: [String]? = nil, corrections: [Correction] = []) throws -> String {
        let request = try f.engine.rights.fileRequest(type: type, jurisdiction: .gdpr, channel: .email, contact: try f.emailOnFile(customer),
                                               customer: customer, scope: scope, corrections: corrections, actor: f.dana)
        let id = request.id.rawValue
        let challenge = try f.engine.rights.sendVerificationCode(id, actor: f.dana)
        let code = try f.sendmail.latestCode(for: id)
        XCTAssertEqual(try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: code, actor: f.dana).outcome, .verified)
        _ = try f.engine.rights.approveRequest(id, actor: f.dana)
        return id
    }

    func testErasureLeavesNothingReadableAnywhereAndTheLogVerifies() throws {
        let f = try EngineFixture(customers: 150)
        let marker = f.generated.markerCustomerID
        let ws = f.engine.workspace
        try ws.records.checkpoint()
        let backup = ws.root.appendingPathComponent("backup-before.sqlite")
        try FileManager.default.copyItem(at: ws.dataDirectory.appendingPathComponent("vault.sqlite"), to: backup)
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        let access = try approved(f, .access, customer: marker)
        _ = try f.engine.rights.fulfilRequest(access, actor: f.dana)
        let erasure = try approved(f, .erasure, customer: marker)
        let outcome = try f.engine.rights.fulfilRequest(erasure, actor: f.dana)
        XCTAssertTrue(outcome.summary.hasPrefix("erased"), outcome.summary)
        try ws.records.checkpoint()

        // No key, no blind index, no records, no consent details; a tombstone with the request digest remains.
        XCTAssertEqual(try ws.keys.dataKeys(for: [subject]).count, 0)
        XCTAssertNil(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        XCTAssertNil(try f.engine.subject(identifierColumn: "email", value: f.generated.markerEmail))
        XCTAssertEqual(try ws.records.blocks(of: subject).count, 0)
        XCTAssertEqual(try ws.records.tombstones().count, 1)
        // The backup taken before erasure, restored, yields nothing of the subject.
        let restored = try Vault(store: try SQLiteRecordStore(path: backup.path), keys: ws.keys, authority: ws.authority)
        let (_, grant) = try f.engine.subjectDecision(actor: f.dana, subject: subject, dataset: "customers", columns: ["full_name"])
        var rows = 0
        let stats = try restored.read(grant, dataset: try ws.catalog.dataset("customers"), columns: ["full_name"]) { _, _ in rows += 1 }
        XCTAssertEqual(rows, 0)
        XCTAssertEqual(stats.unreadableBlocks, 1, "the subject's block is still in the old copy, and it does not open")
        // No workspace file holds the subject's values or address: the confirmation went to the mail system.
        let values = [f.generated.markerName, "Markersson", marker, "parcel 4711"]
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.root, for: values).filter { !$0.file.hasPrefix("sources/") && !$0.file.hasPrefix("backup") }.map(\.description), [])
        let addressed = PlaintextProbe.scan(directory: ws.root, for: [f.generated.markerEmail]).filter { !$0.file.hasPrefix("sources/") && !$0.file.hasPrefix("backup") }
        XCTAssertEqual(addressed.map(\.description), [], "the outbox holds nothing once the mail system took it")
        XCTAssertTrue(try f.sendmail.messages().last?.contains("Subject: Your request \(erasure) is complete") ?? false,
                      "the confirmation went to the mail system")
        // Absent from later job inputs; the audit log still verifies and records the shredding.
        let funnel = try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: MiningParameters())
        XCTAssertFalse(try f.engine.workspace.records.allSubjects().contains(subject))
        XCTAssertGreaterThan(funnel.subjects, 0)
        let verification = try f.engine.verifyAudit()
        XCTAssertTrue(verification.isValid, verification.summary)
        XCTAssertTrue(try f.entries().contains { $0.action == .keyShred && $0.requestID == erasure })
    }

    func testAccessExportHasEveryArticle15ItemAndTheSubjectsData() throws {
        let f = try EngineFixture(customers: 60)
        let marker = f.generated.markerCustomerID
        let id = try approved(f, .access, customer: marker)
        let outcome = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        let names = outcome.files.map(\.name)
        for expected in ["access-report.json", "access-report.html", "access-customers.csv"] { XCTAssertTrue(names.contains(expected), "\(names)") }
        XCTAssertTrue(outcome.delivered, "the mail system took the answer")
        let text = try XCTUnwrap(try f.sendmail.messages().last)
        XCTAssertTrue(text.contains("Content-Disposition: attachment"), "exports travel as attachments")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.engine.workspace.outboxDirectory.path), [], "nothing left in the outbox")
        let report = try f.engine.rights.processingInformation()
        XCTAssertFalse(report.purposes.isEmpty)
        XCTAssertEqual(report.sources["customers"], try f.engine.workspace.catalog.dataset("customers").source)
        XCTAssertTrue(try f.entries().contains { $0.action == .dsrState && $0.requestID == id && $0.details["state"] == "fulfilled" })
    }

    func testPortabilityExportRoundTripsThroughIngest() throws {
        let f = try EngineFixture(customers: 40)
        let marker = f.generated.markerCustomerID
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        let datasets = try f.engine.rights.subjectDatasets(subject, actor: f.dana, includeConsents: false)
        let export = try PortabilityExport(requestID: DataSubjectRequestID(), generatedAt: Date(), datasets: datasets)
        let csv = try XCTUnwrap(export.csvFiles().first { $0.name.contains("customers") })
        // Import the customer's own export into a fresh workspace with `custos ingest`'s service.
        let other = try makeWorkspace()
        let fresh = try other.issueFreshTokens()
        let danaToken = fresh.first { $0.principal == "dana" }?.token
        let oscar = Caller(principal: "oscar", role: "operator", token: fresh.first { $0.principal == "oscar" }?.token)
        let file = other.root.appendingPathComponent("export.csv")
        try csv.contents.write(to: file)
        let engine = try Engine.open(other)
        let report = try engine.ingest(file: file, dataset: "customers", actor: oscar)
        XCTAssertEqual(report.outcome.rowsAdded, 1)
        let original = try XCTUnwrap(datasets.first { $0.schema.name == "customers" })
        let columns = PortabilityExport.portableColumns(of: original.schema).map(\.name)
        let newSubject = try XCTUnwrap(try engine.subject(identifierColumn: "customer_id", value: marker))
        let (_, grant) = try engine.subjectDecision(actor: Caller(principal: "dana", role: "compliance_officer", token: danaToken), subject: newSubject,
                                                    dataset: "customers", columns: columns)
        var imported: [Value] = []
        try other.vault.read(grant, dataset: original.schema, columns: columns, subjects: [newSubject]) { _, values in imported = values }
        let expected = columns.map { name in original.rows[0][original.schema.index(of: name) ?? 0] }
        XCTAssertEqual(imported, expected)
        try engine.close()
    }

    func testVerificationFailuresAreRefusedAndAudited() throws {
        let f = try EngineFixture(customers: 30)
        let request = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .web, contact: .email(f.generated.markerEmail),
                                               customer: f.generated.markerCustomerID, actor: f.dana)
        let id = request.id.rawValue
        let challenge = try f.engine.rights.sendVerificationCode(id, actor: f.dana)
        let code = try f.sendmail.latestCode(for: id)
        let wrong = code == "000000" ? "111111" : "000000"
        var outcomes: [String] = []
        for _ in 0..<5 { outcomes.append(try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: wrong, actor: f.dana).outcome.name) }
        XCTAssertEqual(outcomes.last, "locked")
        XCTAssertEqual(try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: code, actor: f.dana).outcome.name, "locked",
                       "after too many attempts even the right code is refused")
        XCTAssertEqual(try f.engine.rights.request(id, actor: f.dana).state, .received)
        XCTAssertThrowsError(try f.engine.rights.approveRequest(id, actor: f.dana), "cannot approve before identity is verified")
        let denied = try f.entries().filter { $0.action == .dsrState && $0.requestID == id && $0.decision == .deny }
        XCTAssertEqual(denied.count, 6)
        XCTAssertThrowsError(try f.engine.rights.approveRequest(id, actor: f.mika), "only a compliance officer approves")
        // Rate limit: codes per contact per hour.
        var last = ""
        for _ in 0..<4 { last = try f.engine.rights.sendVerificationCode(id, actor: f.dana).outcome.name }
        XCTAssertEqual(last, "rate_limited")
    }

    func testLegalHoldKeepsTheSubjectAndOnlyTheCustodianReadsIt() throws {
        let f = try EngineFixture(customers: 40)
        let marker = f.generated.markerCustomerID
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        let lena = f.actor("lena", "legal_hold_custodian")
        XCTAssertThrowsError(try f.engine.rights.readHeldSubject(customer: marker, actor: lena), "not held yet")
        try f.engine.controls.placeLegalHold(on: subject, caseReference: "case-42", actor: f.dana)
        let held = try f.engine.rights.readHeldSubject(customer: marker, actor: lena)
        XCTAssertTrue(held.contains { $0.schema.name == "customers" })
        XCTAssertThrowsError(try f.engine.rights.readHeldSubject(customer: marker, actor: f.actor("mika", "marketing_analyst")))
        XCTAssertThrowsError(try f.engine.rights.readHeldSubject(customer: marker, actor: f.dana))
        // Erasure under hold keeps the data and restricts processing instead.
        let id = try approved(f, .erasure, customer: marker)
        let outcome = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        XCTAssertTrue(outcome.summary.contains("legal hold"))
        XCTAssertEqual(try f.engine.workspace.keys.dataKeys(for: [subject]).count, 1)
    }

    func testConsentWithdrawalRequestIsAsEasyAsGivingIt() throws {
        let f = try EngineFixture(customers: 200)
        let before = try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: MiningParameters())
        let customer = try XCTUnwrap(f.generated.consentingCustomer)
        let id = try approved(f, .consentWithdrawal, customer: customer, scope: ["marketing.*"])
        _ = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        let after = try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: MiningParameters())
        XCTAssertEqual(after.subjects, before.subjects - 1)
    }

    func testRectificationChangesTheValueAndTheOldOneIsGone() throws {
        let f = try EngineFixture(customers: 30)
        let marker = f.generated.markerCustomerID
        let id = try approved(f, .rectification, customer: marker,
                              corrections: [Correction(dataset: "customers", column: "full_name", newValue: "Zelda Corrected")])
        _ = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: marker))
        let data = try f.engine.rights.subjectDatasets(subject, actor: f.dana, includeConsents: false)
        let customers = try XCTUnwrap(data.first { $0.schema.name == "customers" })
        XCTAssertEqual(customers.rows.first?[customers.schema.index(of: "full_name") ?? 0], .string("Zelda Corrected"))
        try f.engine.workspace.records.checkpoint()
        XCTAssertEqual(PlaintextProbe.scan(directory: f.engine.workspace.dataDirectory, for: ["Zelda Corrected", f.generated.markerName]).count, 0)
    }

    func testGDPRDueDatesAndRegister() throws {
        let f = try EngineFixture(customers: 10)
        let jan31 = try XCTUnwrap(ISO8601DateFormatter().date(from: "2025-01-31T10:00:00Z"))
        let request = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .post, contact: .email("a@example.se"),
                                               customer: "C0000002", receivedAt: jan31, actor: f.dana)
        XCTAssertEqual(request.dueDate.iso8601, "2025-02-28", "31 January: the month has no 31st, so its last day (a Friday)")
        let register = try f.engine.rights.requestRegister(actor: f.dana)
        XCTAssertEqual(register.first?.overdue, true, "open and past due")
    }
}


final class ConsentHistoryTests: XCTestCase {
    func testOfficerSeesTheAppendOnlyHistoryAndAnalystsCannot() throws {
        let f = try EngineFixture(customers: 40)
        let customer = try XCTUnwrap(f.generated.consentingCustomer)
        let before = try f.engine.controls.consentHistory(customer: customer, actor: f.dana).records
        _ = try f.engine.consent.recordConsent(identifier: customer, purpose: "marketing.segmentation", action: .withdrawn, language: "sv",
                                       channel: "app", collector: "test", actor: f.prefs)
        let after = try f.engine.controls.consentHistory(customer: customer, actor: f.dana).records
        XCTAssertEqual(after.count, before.count + 1, "withdrawal is a new record, never an overwrite")
        XCTAssertEqual(after.last?.action, .withdrawn)
        XCTAssertTrue(after.contains { $0.purpose == "marketing.segmentation" && $0.action == .granted })
        XCTAssertThrowsError(try f.engine.controls.consentHistory(customer: customer, actor: f.mika))
    }
}
