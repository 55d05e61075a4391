import CustosDemo
import CustosAudit
@testable import CustosEngine
import CustosGovernance
import CustosPrivacy
import CustosRights
import CustosSchema
import CustosTesting
import CustosVault
import Foundation
import XCTest

/// A workspace with 300 synthetic customers ingested, consents imported, fresh tokens and an open engine.
final class EngineFixture {
    let engine: Engine
    let tokens: [String: String]
    let generated: SyntheticDataGenerator.Output
    /// The workspace's mail system (organisation.yaml's outbox.sendmail): customers read codes here.
    let sendmail: FakeSendmail

    /// `privacy`: the workspace's `policies/privacy.yaml` (the population budget) instead of the
    /// example's; an empty string removes it.
    /// `editPolicies` rewrites policy files before the engine opens (the set is signed again).
    init(customers: Int = 300, privacy: String? = nil, editPolicies: ((URL) throws -> Void)? = nil) throws {
        let ws = try makeWorkspace()
        if let editPolicies {
            try editPolicies(ws.policiesDirectory)
            try ws.resignPoliciesForTests()
        }
        if let privacy {
            let file = ws.policiesDirectory.appendingPathComponent("privacy.yaml")
            if privacy.isEmpty { try FileManager.default.removeItem(at: file) } else { try Data(privacy.utf8).write(to: file) }
            // The engine loads only signed policies: the officer signs the edited set.
            try ws.resignPoliciesForTests()
        }
        tokens = Dictionary(uniqueKeysWithValues: try ws.issueFreshTokens().map { ($0.principal, $0.token) })
        sendmail = try FakeSendmail()
        try sendmail.configure(organisationFile: ws.root.appendingPathComponent("organisation.yaml"))
        engine = try Engine.open(ws)
        var options = SyntheticDataGenerator.Options()
        options.customers = customers
        options.seed = 7
        generated = try SyntheticDataGenerator(options: options).generate(into: ws.root.appendingPathComponent("sources"))
        for name in ["customers", "orders", "events", "feedback"] {
            _ = try engine.ingest(file: generated.files[name]!, dataset: name,
                                  actor: Caller(principal: "oscar", role: "operator", token: tokens["oscar"]))
        }
        _ = try engine.consent.importConsents(file: generated.files["consents"]!,
                                              actor: Caller(principal: "prefs", role: "consent_collector", token: tokens["prefs"]))
    }

    func actor(_ principal: String, _ role: String) -> Caller { Caller(principal: principal, role: role, token: tokens[principal]) }
    var mika: Caller { actor("mika", "marketing_analyst") }
    var alice: Caller { actor("alice", "analyst") }
    var dana: Caller { actor("dana", "compliance_officer") }
    var oscar: Caller { actor("oscar", "operator") }
    var prefs: Caller { actor("prefs", "consent_collector") }

    func entries() throws -> [AuditEntry] { try engine.audit.entries() }

    /// The email held on file for a customer (read as the DPO), as a delivery contact.
    func emailOnFile(_ customer: String) throws -> DeliveryContact {
        let subject = try XCTUnwrap(try engine.subject(identifierColumn: "customer_id", value: customer))
        return .email(try XCTUnwrap(try engine.rights.contactsOnFile(of: subject, actor: dana).email))
    }

    deinit { sendmail.remove() }
}

extension JobResult {
    /// The exact cohort of a pseudonymous job (-1 / empty for DP results, which carry none).
    var subjects: Int { cohort?.subjects ?? -1 }
    var exclusions: [String: Int] { cohort?.exclusions ?? [:] }
}

final class JobTests: XCTestCase {
    func assertDenied(_ body: @autoclosure () throws -> JobResult, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let EngineError.denied(reason) = error else { return XCTFail("expected a denial, got \(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), "\(reason)", file: file, line: line)
        }
    }

    func testEveryDenialPathIsRefusedExplainedAndAudited() throws {
        let f = try EngineFixture()
        let p = MiningParameters()
        let before = try f.entries().filter { $0.action == .policyDecision && $0.decision == .deny }.count
        assertDenied(try f.engine.jobs.mineRules(actor: Caller(principal: "nobody", role: "analyst", token: "custos_x"), purpose: "analytics.reporting", parameters: p),
                     contains: "could not be authenticated")
        assertDenied(try f.engine.jobs.mineRules(actor: f.actor("mika", "marketing_analyst").withToken("custos_wrong"), purpose: "marketing.segmentation", parameters: p),
                     contains: "could not be authenticated")
        assertDenied(try f.engine.jobs.mineRules(actor: f.actor("mika", "compliance_officer"), purpose: "marketing.segmentation", parameters: p),
                     contains: "role")
        assertDenied(try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.advertising", mode: .pseudonymousRecords, parameters: p),
                     contains: "purpose marketing.advertising is not permitted")
        assertDenied(try f.engine.jobs.mineRules(actor: f.alice, purpose: "analytics.reporting", parameters: p), contains: "output mode pseudonymous_aggregate is not permitted")
        // A raw read of a direct identifier.
        let raw = JobSpec(actor: f.mika, purpose: "marketing.segmentation", dataset: "customers", columns: ["email"],
                          outputMode: .pseudonymousRecords, kind: "raw", title: "raw")
        assertDenied(try f.engine.jobs.run(raw) { _, _ in ReleasedOutput() }, contains: "email")
        // A column a forbid denies although a permit allows it (feedback comments are never released).
        let comments = JobSpec(actor: f.alice, purpose: "analytics.reporting", dataset: "feedback", columns: ["comment"],
                               outputMode: .pseudonymousAggregate, kind: "raw", title: "comments")
        assertDenied(try f.engine.jobs.run(comments) { _, _ in ReleasedOutput() }, contains: "comment")
        // Epsilon above the per-job limit.
        let greedy = JobSpec(actor: f.alice, purpose: "analytics.reporting", dataset: "orders", columns: ["amount"], outputMode: .dpAggregate,
                             epsilon: 5, kind: "stats", title: "greedy")
        assertDenied(try f.engine.jobs.runPrivate(greedy) { _, _, _ in DPRelease() }, contains: "epsilon")
        let after = try f.entries().filter { $0.action == .policyDecision && $0.decision == .deny }.count
        XCTAssertEqual(after - before, 8, "every denial is in the audit log")
    }

    func testConsentRestrictionObjectionAndLegalHoldExcludeFromTheNextJob() throws {
        let f = try EngineFixture()
        let p = MiningParameters()
        let baseline = try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: p)
        XCTAssertGreaterThan(baseline.exclusions["outdated_purpose_version"] ?? 0, 0, "consent to an old purpose version does not count")
        XCTAssertGreaterThan(baseline.exclusions["withdrawn"] ?? 0, 0)
        XCTAssertGreaterThan(baseline.exclusions["no_consent"] ?? 0, 0)
        // Four consenting customers in scope, each gets one control.
        let inScope = try consentingCustomers(f, count: 4)
        _ = try f.engine.consent.recordConsent(identifier: inScope[0], purpose: "marketing.segmentation", action: .withdrawn, language: "en",
                                       channel: "web", collector: "test", actor: f.prefs)
        let subjects = try inScope.map { try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: $0)) }
        try f.engine.controls.restrictProcessing(of: subjects[1], ground: "accuracy contested", actor: f.dana)
        try f.engine.controls.recordObjection(of: subjects[2], to: "marketing.*", actor: f.dana)
        try f.engine.controls.placeLegalHold(on: subjects[3], caseReference: "case-17", actor: f.dana)
        let after = try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: p)
        XCTAssertEqual(after.subjects, baseline.subjects - 4)
        XCTAssertEqual(after.exclusions["restricted"], (baseline.exclusions["restricted"] ?? 0) + 1)
        XCTAssertEqual(after.exclusions["objected"], (baseline.exclusions["objected"] ?? 0) + 1)
        XCTAssertEqual(after.exclusions["legal_hold"], (baseline.exclusions["legal_hold"] ?? 0) + 1)
        XCTAssertEqual(after.exclusions["withdrawn"], (baseline.exclusions["withdrawn"] ?? 0) + 1)
        // Pseudonyms of the excluded customers are gone from the per-customer table.
        let pseudonymizer = try SubjectPseudonymizer(root: f.engine.pseudonymRoot, purpose: "marketing.segmentation")
        let listed = Set(after.tables.last?.rows.map { $0[0] } ?? [])
        for subject in subjects { XCTAssertFalse(listed.contains(pseudonymizer.pseudonym(for: subject))) }
        // Legitimate-interest analytics still honours restriction and legal hold.
        let funnel = try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: p)
        XCTAssertEqual(funnel.exclusions["restricted"] ?? 0, 1)
        XCTAssertEqual(funnel.exclusions["legal_hold"] ?? 0, 1)
    }

    /// Customers whose marketing consent is in force and who have orders in the EU scope.
    func consentingCustomers(_ f: EngineFixture, count: Int) throws -> [String] {
        let text = try String(contentsOf: f.generated.files["consents"]!, encoding: .utf8)
        var granted: [String: Bool] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells[1] == "marketing.segmentation" else { continue }
            granted[cells[0]] = cells[3] == "granted" && cells[4] == "2025-03"
        }
        let orders = try String(contentsOf: f.generated.files["orders"]!, encoding: .utf8)
        var eu = Set<String>()
        for line in orders.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",").map(String.init)
            if ["SE", "DE", "FR", "GB", "NO", "DK", "FI", "NL"].contains(cells.last ?? "") { eu.insert(cells[0].uppercased()) }
        }
        return Array(granted.filter { $0.value && eu.contains($0.key) }.keys.sorted().prefix(count))
    }

    func testAnIdentifierWithAPseudonymizeTreatmentArrivesOnlyAsPseudonyms() throws {
        let f = try EngineFixture(customers: 80)
        let spec = JobSpec(actor: f.mika, purpose: "marketing.segmentation", dataset: "orders", columns: ["customer_id", "amount"],
                           outputMode: .pseudonymousRecords, kind: "probe", title: "probe")
        var seen: [Value] = []
        _ = try f.engine.jobs.run(spec) { frame, _ in
            seen = try frame.column("customer_id")
            return ReleasedOutput()
        }
        XCTAssertFalse(seen.isEmpty)
        for value in seen {
            guard case let .string(text) = value else { return XCTFail("expected a pseudonym, got \(value)") }
            XCTAssertTrue(text.hasPrefix("p_") && !text.uppercased().hasPrefix("C0"), text)
        }
    }

    func testPseudonymsAreStableWithinAPurposeAndUnlinkableAcross() throws {
        let f = try EngineFixture(customers: 60)
        let root = f.engine.pseudonymRoot
        let subject = try XCTUnwrap(try f.engine.workspace.records.allSubjects().first)
        let a = try SubjectPseudonymizer(root: root, purpose: "marketing.segmentation")
        let b = try SubjectPseudonymizer(root: root, purpose: "analytics.reporting")
        XCTAssertEqual(a.pseudonym(for: subject), try SubjectPseudonymizer(root: root, purpose: "marketing.segmentation").pseudonym(for: subject))
        XCTAssertNotEqual(a.pseudonym(for: subject), b.pseudonym(for: subject))
        XCTAssertFalse(a.pseudonym(for: subject).contains(subject.hex.prefix(8)))
    }

    func testAuditLogHoldsNoPersonalDataAndVerifies() throws {
        let f = try EngineFixture(customers: 120)
        _ = try f.engine.jobs.mineRFM(actor: f.mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: MiningParameters())
        try f.engine.audit.checkpoint()
        let auditDir = f.engine.workspace.auditDirectory
        let needles = [f.generated.markerEmail, f.generated.markerName, f.generated.markerCustomerID]
        XCTAssertEqual(PlaintextProbe.scan(directory: auditDir, for: needles).map(\.description), [])
        XCTAssertTrue(try f.engine.verifyAudit().isValid)
        let actions = Set(try f.entries().map(\.action.rawValue))
        for expected in ["ingest.batch", "consent.change", "policy.decision", "job.run", "policy.change"] { XCTAssertTrue(actions.contains(expected), expected) }
    }
}

extension Caller {
    func withToken(_ token: String) -> Caller { Caller(principal: principal, role: role, token: token) }
}

final class RecordModeJobTests: XCTestCase {
    func testTheMarketingAnalystRunsPathsAndFunnelsAsPseudonymousRecords() throws {
        // The finding: --mode was silently ignored for paths and funnels, so an analyst whose permit
        // allows only pseudonymous records could not run them at all.
        let f = try EngineFixture(customers: 60)
        var p = MiningParameters()
        p.maxLength = 3
        let funnel = try f.engine.jobs.mineFunnel(actor: f.mika, purpose: "personalize.recommendations", mode: .pseudonymousRecords, parameters: p)
        let rows = try XCTUnwrap(funnel.tables.first?.rows)
        XCTAssertEqual(rows.count, funnel.cohort?.subjects, "one row per customer with events")
        for row in rows {
            XCTAssertTrue(row[0].hasPrefix("p_") || row[0].count >= 16, "a pseudonym, never an identifier: \(row[0])")
            XCTAssertFalse(row[0].uppercased().hasPrefix("C"), row[0])
            let depth = try XCTUnwrap(Int(row[2]))
            XCTAssertEqual(row[1], depth == 0 ? "(none)" : p.steps[depth - 1])
        }
        // Depths are a proper funnel: fewer customers reach each later step.
        let reached = (1...p.steps.count).map { d in rows.filter { (Int($0[2]) ?? 0) >= d }.count }
        XCTAssertEqual(reached, reached.sorted(by: >=), "\(reached)")
        XCTAssertGreaterThan(reached[0], 0)
        let paths = try f.engine.jobs.mineSequences(actor: f.mika, purpose: "personalize.recommendations", mode: .pseudonymousRecords, parameters: p)
        for row in try XCTUnwrap(paths.tables.first?.rows) {
            XCTAssertLessThanOrEqual(row[1].components(separatedBy: " → ").count, 3)
        }
        // The aggregate mode stays refused for that permit (it allows records only).
        XCTAssertThrowsError(try f.engine.jobs.mineFunnel(actor: f.mika, purpose: "personalize.recommendations", parameters: p))
    }
}

