import CustosGovernance
import CustosTesting
import Foundation
import XCTest
import Synchronization

/// The built binary against a real workspace made by `custos init`: golden outputs, error
/// messages and exit codes (0 success, 1 refused or failed, 64 a command line that does not parse).
final class CommandTests: XCTestCase {
    /// One workspace for the class: init is the slow part, and the tests only add to it.
    nonisolated(unsafe) static var shared: CLIWorkspace?

    override class func setUp() {
        super.setUp()
        shared = try? CLIWorkspace()
    }

    override class func tearDown() {
        shared = nil
        super.tearDown()
    }

    func workspace() throws -> CLIWorkspace { try XCTUnwrap(Self.shared, "custos init failed") }

    let officer = ["--principal", "dana", "--role", "compliance_officer"]

    // MARK: Golden outputs

    func testPolicyCheckOnTheShippedPoliciesIsGolden() throws {
        let ws = try workspace()
        let result = try ws.run(["policy", "check"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let version = try PolicyVersion.digest(directory: ws.root.appendingPathComponent("policies"))
        XCTAssertEqual(result.stdout, "policies are valid (version \(version))\n")
        XCTAssertEqual(result.stderr, "")
    }

    func testPolicyCheckNamesTheBrokenRuleAndExits1() throws {
        let fixture = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-policies-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: fixture) }
        try FileManager.default.createDirectory(at: fixture, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try workspace().root.appendingPathComponent("policies"), to: fixture.appendingPathComponent("policies"))
        try Data("""
            rules:
              - id: cli-test-bad-role
                effect: permit
                description: A rule naming a role nobody declared.
                roles: [astronaut]
                purposes: [analytics.reporting]
                datasets: [orders]
                output_modes: [dp_aggregate]
                columns:
                  "*": dp_only

            """.utf8).write(to: fixture.appendingPathComponent("policies/rules/zz-cli-test.yaml"))
        let result = try CustosProcess.run(["policy", "check", "--workspace", fixture.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.hasPrefix("rules/zz-cli-test.yaml:5: rule 'cli-test-bad-role': unknown role 'astronaut'; roles.yaml declares: "),
                      result.stdout)
    }

    func testPolicyExplainIsGolden() throws {
        let result = try workspace().run(["policy", "explain", "--principal", "mika", "--role", "marketing_analyst",
                                          "--purpose", "personalize.recommendations", "--dataset", "events",
                                          "--columns", "event_time", "event_type", "--output-mode", "pseudonymous_aggregate"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("""
            request:  mika as marketing_analyst for personalize.recommendations on events [event_time, event_type] -> pseudonymous_aggregate
            decision: DENY
            """), result.stdout)
        XCTAssertTrue(result.stdout.contains("output mode pseudonymous_aggregate is not permitted for role marketing_analyst"), result.stdout)
    }

    // MARK: Bad command lines exit 64 and say why

    func testUnknownEnumValueExits64WithTheValues() throws {
        let result = try workspace().run(["mine", "rfm", "--principal", "mika", "--role", "marketing_analyst",
                                          "--purpose", "marketing.segmentation", "--mode", "secret"], as: "mika")
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("""
            Error: The value 'secret' is invalid for '--mode <mode>'. Please provide one of 'pseudonymous_records', 'pseudonymous_aggregate' or 'dp_aggregate'.
            """), result.stderr)
    }

    func testMissingRequiredOptionExits64() throws {
        let result = try workspace().run(["mine", "rfm", "--principal", "mika", "--role", "marketing_analyst"], as: "mika")
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.hasPrefix("Error: Missing expected argument '--purpose <purpose>'\n"), result.stderr)
    }

    func testFailedValidationExits64AndReadsNothing() throws {
        let ws = try workspace()
        let before = try auditLines(ws)
        XCTAssertFalse(before.isEmpty, "init writes audit entries")
        let result = try ws.run(["mine", "rules", "--principal", "mika", "--role", "marketing_analyst",
                                 "--purpose", "personalize.recommendations", "--mode", "pseudonymous_records"], as: "mika")
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.hasPrefix("Error: rules runs in pseudonymous_aggregate, or dp_aggregate with --epsilon; it cannot run in pseudonymous_records."),
                      result.stderr)
        XCTAssertEqual(try auditLines(ws), before, "a refused command line never opens the workspace")
        let prove = try ws.run(["audit", "prove"])
        XCTAssertEqual(prove.status, 64)
        XCTAssertTrue(prove.stderr.hasPrefix("Error: give --entry N for an inclusion proof or --old-size M [--size N] for a consistency proof\n"))
    }

    // MARK: Denials exit 1 and say what to do

    func testDeniedJobExits1AndNamesTheExplainCommandThatShowsWhy() throws {
        let ws = try workspace()
        let result = try ws.run(["mine", "funnel", "--principal", "mika", "--role", "marketing_analyst",
                                 "--purpose", "personalize.recommendations"], as: "mika")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, result.stderr)
        XCTAssertEqual(lines.first, "error: denied: output mode pseudonymous_aggregate is not permitted for role marketing_analyst, "
            + "purpose personalize.recommendations on dataset events; permitted: pseudonymous_records (rule personalize-recommendations)")
        let advice = try XCTUnwrap(lines.last)
        XCTAssertTrue(advice.hasPrefix("what to do: `custos policy explain "), advice)
        XCTAssertTrue(advice.hasSuffix("ask the data protection officer for a rule that permits it."), advice)
        // Following the advice reproduces the same reason.
        let command = try XCTUnwrap(advice.split(separator: "`").dropFirst().first).split(separator: " ").dropFirst().map(String.init)
        let explained = try ws.run(command)
        XCTAssertEqual(explained.status, 0, explained.stderr)
        XCTAssertTrue(explained.stdout.contains("decision: DENY"), explained.stdout)
        XCTAssertTrue(explained.stdout.contains("output mode pseudonymous_aggregate is not permitted for role marketing_analyst"), explained.stdout)
    }

    func testJobWithSomeoneElsesTokenIsDenied() throws {
        let ws = try workspace()
        var environment = ["CUSTOS_WORKSPACE": ws.root.path]
        environment["CUSTOS_TOKEN"] = ws.tokens["alice"]
        let result = try CustosProcess.run(["mine", "rules", "--principal", "mika", "--role", "marketing_analyst",
                                            "--purpose", "marketing.segmentation"], environment: environment)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("error: denied: principal 'mika' could not be authenticated"), result.stderr)
    }

    // MARK: Data-subject requests

    /// Ingests one customer whose address on file is `email` (as the operator, the role that may ingest).
    func ingestCustomer(_ ws: CLIWorkspace, id: String, email: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-customers-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\n\(id),\(email),,CLI Test,,,SE,,,\n".utf8)
            .write(to: file)
        let ingested = try ws.run(["ingest", "customers", file.path, "--principal", "oscar", "--role", "operator"], as: "oscar")
        XCTAssertEqual(ingested.status, 0, ingested.stderr)
    }

    func testVerifyCodeFindsTheChallengeFromTheRequest() throws {
        let ws = try workspace()
        try ingestCustomer(ws, id: "C0000001", email: "cli-test@example.com")
        let filed = try ws.run(["dsr", "file", "--type", "access", "--email", "cli-test@example.com", "--customer", "C0000001"] + officer, as: "dana")
        XCTAssertEqual(filed.status, 0, filed.stderr)
        let id = try XCTUnwrap(filed.stdout.split(separator: " ").first.map(String.init))
        XCTAssertTrue(id.hasPrefix("DSR-"), filed.stdout)

        let early = try ws.run(["dsr", "verify", id, "--code", "123456"] + officer, as: "dana")
        XCTAssertEqual(early.status, 1)
        XCTAssertEqual(early.stderr, "error: no code has been sent for \(id); run `custos dsr verify \(id) --send` first\n")

        let sent = try ws.run(["dsr", "verify", id, "--send"] + officer, as: "dana")
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(sent.stdout.hasPrefix("issued (challenge otp-"), sent.stdout)
        let code = try codeSent(to: ws, for: id)

        let wrong = try ws.run(["dsr", "verify", id, "--code", code == "000000" ? "111111" : "000000"] + officer, as: "dana")
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stdout.hasPrefix("wrong_code (challenge otp-"), wrong.stdout)

        let right = try ws.run(["dsr", "verify", id, "--code", code] + officer, as: "dana")
        XCTAssertEqual(right.status, 0, right.stderr)
        XCTAssertTrue(right.stdout.hasPrefix("verified (challenge otp-"), right.stdout)
        let shown = try ws.run(["dsr", "show", id] + officer, as: "dana")
        XCTAssertTrue(shown.stdout.contains("identity_verified"), shown.stdout)
    }

    /// Issue 10 item 6 through the CLI: filing for a customer with an address not on file prints the
    /// same answer as for a stranger, and no code reaches the outbox.
    func testDSRForAVictimWithTheAttackersEmailPrintsTheSameAnswerAndSendsNothing() throws {
        let ws = try workspace()
        try ingestCustomer(ws, id: "C0000077", email: "victim@example.com")
        let outbox = ws.root.appendingPathComponent("outbox")
        let before = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        var answers: [String] = []
        for customer in ["C0000077", "C0009999"] {
            let filed = try ws.run(["dsr", "file", "--type", "access", "--email", "attacker@evil.example", "--customer", customer] + officer, as: "dana")
            XCTAssertEqual(filed.status, 0, filed.stderr)
            let id = try XCTUnwrap(filed.stdout.split(separator: " ").first.map(String.init))
            let sent = try ws.run(["dsr", "verify", id, "--send"] + officer, as: "dana")
            answers.append((filed.stdout + sent.stdout).replacingOccurrences(of: id, with: "ID")
                .replacingOccurrences(of: #"otp-[0-9a-f]+"#, with: "otp-X", options: .regularExpression))
        }
        XCTAssertEqual(answers[0], answers[1])
        XCTAssertTrue(answers[0].contains("if the details match our records, a code goes to the contact we hold"), answers[0])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outbox.path), before, "nothing sent")
    }

    /// Issue 10 item 4 through the CLI: ingest, consent and key commands need a principal allowed to
    /// make the change.
    func testChangesWithoutATokenOrInTheWrongRoleAreRefused() throws {
        let ws = try workspace()
        XCTAssertEqual(try ws.run(["keys", "rotate"]).status, 64, "--principal and --role are required")
        let anonymous = try ws.run(["keys", "rotate", "--principal", "oscar", "--role", "operator"])
        XCTAssertEqual(anonymous.status, 1)
        XCTAssertTrue(anonymous.stderr.hasPrefix("error: denied: 'keys.rotate' needs an authenticated principal"), anonymous.stderr)
        let wrongRole = try ws.run(["consent", "withdraw", "--customer", "C0000001", "--purpose", "marketing.segmentation",
                                    "--principal", "oscar", "--role", "operator"], as: "oscar")
        XCTAssertEqual(wrongRole.status, 1)
        XCTAssertTrue(wrongRole.stderr.contains("role 'operator' may not take action 'consent.record'"), wrongRole.stderr)
    }

    /// `dsr hold place|lift`: an officer's step; anyone else is refused, audited; a case reference
    /// that could carry a name is refused before anything is looked up.
    func testLegalHoldCommandsAreForOfficersAndRefusalsAreAudited() throws {
        let ws = try workspace()
        let byAnalyst = try ws.run(["dsr", "hold", "place", "--customer", "C0000001", "--case", "case-1",
                                    "--principal", "mika", "--role", "marketing_analyst"], as: "mika")
        XCTAssertEqual(byAnalyst.status, 1)
        XCTAssertTrue(byAnalyst.stderr.hasPrefix("error: denied: only an authenticated compliance officer can take this step"), byAnalyst.stderr)
        XCTAssertTrue(try auditLines(ws).contains { $0.contains("\"actor\":\"mika\"") && $0.contains("legal hold place: only an authenticated compliance officer") })
        let named = try ws.run(["dsr", "hold", "lift", "--customer", "C0000001", "--case", "Anna Svensson"] + officer, as: "dana")
        XCTAssertEqual(named.status, 1)
        XCTAssertTrue(named.stderr.contains("never a person's name"), named.stderr)
        let unknown = try ws.run(["dsr", "hold", "place", "--customer", "C7777777", "--case", "case-1"] + officer, as: "dana")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "error: not found: no customer matches that reference\n")
        let outbox = try ws.run(["dsr", "outbox", "--deliver"] + officer, as: "dana")
        XCTAssertEqual(outbox.status, 0, outbox.stderr)
        XCTAssertTrue(outbox.stdout.hasPrefix("0 waiting (sealed), "), outbox.stdout)
    }

    /// `custos backup` writes outside the workspace only; `custos restore` puts it back, and refuses a
    /// backup whose KEK was rotated away (older key backups no longer open).
    func testBackupAndRestoreRoundTripAndAKeyBackupDiesWithItsKEK() throws {
        let ws = try CLIWorkspace()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let operatorRole = ["--principal", "oscar", "--role", "operator"]
        let byOfficer = try ws.run(["backup", "--to", folder.path] + officer, as: "dana")
        XCTAssertEqual(byOfficer.status, 1)
        XCTAssertTrue(byOfficer.stderr.contains("role 'compliance_officer' may not take action 'backup'"), byOfficer.stderr)
        let inside = try ws.run(["backup", "--to", ws.root.appendingPathComponent("exports/b").path] + operatorRole, as: "oscar")
        XCTAssertEqual(inside.status, 1)
        XCTAssertTrue(inside.stderr.contains("a backup inside the workspace"), inside.stderr)
        let made = try ws.run(["backup", "--to", folder.path] + operatorRole, as: "oscar")
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(made.stdout.hasPrefix("backup written to \(folder.path): store and key store at audit size "), made.stdout)
        let restored = try ws.run(["restore", "--from", folder.path] + operatorRole, as: "oscar")
        XCTAssertEqual(restored.status, 0, restored.stderr)
        XCTAssertTrue(restored.stdout.hasSuffix("0 erasures made since were applied again\n"), restored.stdout)
        XCTAssertEqual(try ws.run(["keys", "rotate"] + operatorRole, as: "oscar").status, 0)
        let stale = try ws.run(["restore", "--from", folder.path] + operatorRole, as: "oscar")
        XCTAssertEqual(stale.status, 1)
        XCTAssertTrue(stale.stderr.contains("wrapped under KEK v1, which this workspace no longer has"), stale.stderr)
    }

    // MARK: Reports

    func testAuditReportPrintsASummaryAndWritesHTMLOnlyWhenAsked() throws {
        let ws = try workspace()
        let summary = try ws.run(["audit", "report"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertTrue(summary.stdout.hasPrefix("Custos audit report\n  period: "), summary.stdout)
        XCTAssertTrue(summary.stdout.contains("\n  log: verified ("), summary.stdout)
        XCTAssertFalse(summary.stdout.contains("<"), "no markup on a terminal")

        let html = try ws.run(["audit", "report", "--format", "html"])
        XCTAssertTrue(html.stdout.hasPrefix("<!DOCTYPE html>"))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html"), json = folder.appendingPathComponent("report.json")
        XCTAssertEqual(try ws.run(["audit", "report", "--output", page.path]).stdout, "wrote \(page.path)\n")
        XCTAssertTrue(try String(contentsOf: page, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(try ws.run(["audit", "report", "--output", json.path]).stdout, "wrote \(json.path)\n")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        XCTAssertNotNil(object?["entryCount"])

        let nowhere = try ws.run(["audit", "report", "--output", folder.appendingPathComponent("missing/report.html").path])
        XCTAssertEqual(nowhere.status, 1)
        XCTAssertTrue(nowhere.stderr.hasPrefix("error: cannot write "), nowhere.stderr)
        XCTAssertTrue(nowhere.stderr.contains("check that its folder exists and is writable"), nowhere.stderr)
    }

    func testOutputIntoTheKeysFolderIsRefusedAndTheKEKSurvives() throws {
        // The attack: `--output $WS/keys/kek-v1.key` overwrote the KEK with job JSON.
        let ws = try workspace()
        let keys = ws.root.appendingPathComponent("keys")
        let kek = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: keys.path).first { $0.hasPrefix("kek") })
        let target = keys.appendingPathComponent(kek)
        let before = try Data(contentsOf: target)
        let direct = try ws.run(["audit", "report", "--format", "json", "--output", target.path])
        XCTAssertEqual(direct.status, 1)
        XCTAssertTrue(direct.stderr.contains("inside the workspace's keys/ folder"), direct.stderr)
        // Through a symlink outside the workspace pointing into it.
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("custos-link-\(UUID().uuidString)")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: keys)
        defer { try? FileManager.default.removeItem(at: link) }
        let linked = try ws.run(["audit", "report", "--format", "json", "--output", link.appendingPathComponent(kek).path])
        XCTAssertEqual(linked.status, 1)
        XCTAssertTrue(linked.stderr.contains("keys/ folder"), linked.stderr)
        for folder in ["data", "audit", "policies"] {
            let inside = try ws.run(["report", "ropa", "--output", ws.root.appendingPathComponent("\(folder)/ropa.html").path])
            XCTAssertEqual(inside.status, 1, folder)
        }
        XCTAssertEqual(try Data(contentsOf: target), before, "the KEK is untouched")
    }

    func testAnExistingOutputFileIsOverwrittenOnlyWithForce() throws {
        let ws = try workspace()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-out-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("keep me".utf8).write(to: file)
        let refused = try ws.run(["report", "ropa", "--output", file.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("already exists; pass --force"), refused.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "keep me")
        let forced = try ws.run(["report", "ropa", "--output", file.path, "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertNotEqual(try String(contentsOf: file, encoding: .utf8), "keep me")
    }

    func testConcurrentCommandsWaitOrAreRefusedCleanlyNeverDatabaseLocked() throws {
        // The attack: 2 of 12 concurrent jobs died with "SQLite error 5: database is locked" and no audit entry.
        let ws = try CLIWorkspace()
        let count = 12
        let collected = Mutex<[CommandOutcome]>([])
        let arguments = ["stats", "--principal", "alice", "--role", "analyst", "--purpose", "analytics.reporting", "--dataset", "orders",
                         "--epsilon", "0.5"]
        let environment = ["CUSTOS_WORKSPACE": ws.root.path, "CUSTOS_TOKEN": ws.tokens["alice"] ?? ""]
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            let outcome = try? CustosProcess.run(arguments, environment: environment)
            if let outcome { collected.withLock { $0.append(outcome) } }
        }
        let outcomes = collected.withLock { $0 }
        XCTAssertEqual(outcomes.count, count)
        for outcome in outcomes {
            XCTAssertFalse(outcome.stderr.contains("database is locked") || outcome.stderr.contains("SQLite error"), outcome.stderr)
            XCTAssertTrue(outcome.status == 0 || outcome.stderr.hasPrefix("error: "), "\(outcome.status): \(outcome.stderr)")
        }
        // Each job that ran is in the log; 8.0 per month at 0.5 each allows all twelve.
        let succeeded = outcomes.filter { $0.status == 0 }.count
        XCTAssertEqual(succeeded, count, outcomes.map(\.stderr).joined(separator: "\n"))
        let verify = try ws.run(["audit", "verify"])
        XCTAssertEqual(verify.status, 0, verify.stderr)
    }

    func testRecordOfProcessingPrintsASummary() throws {
        let result = try workspace().run(["report", "ropa"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("Record of processing activities (GDPR art. 30(1)), generated "), result.stdout)
        XCTAssertTrue(result.stdout.contains("\n    marketing.segmentation: "), result.stdout)
        XCTAssertFalse(result.stdout.contains("<"))
    }

    func testAuditProveTakesTreeSizes() throws {
        let ws = try workspace()
        let result = try ws.run(["audit", "prove", "--old-size", "1", "--size", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let proof = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(proof["type"] as? String, "consistency")
        XCTAssertEqual(proof["fromSize"] as? Int, 1)
        XCTAssertEqual(proof["toSize"] as? Int, 2)
        let old = try ws.run(["audit", "prove", "--from", "1", "--to", "2"])
        XCTAssertEqual(old.status, 64)
        XCTAssertTrue(old.stderr.contains("--old-size M and --size N"), old.stderr)
    }

    /// `dsr answer` in local mode: the requester's files written into a new folder, never over an
    /// existing file; refused for someone else's role.
    func testDSRAnswerWritesTheFulfilledAnswerLocally() throws {
        let ws = try workspace()
        try ingestCustomer(ws, id: "C0000088", email: "answer-local@example.com")
        let filed = try ws.run(["dsr", "file", "--type", "access", "--email", "answer-local@example.com", "--customer", "C0000088"] + officer, as: "dana")
        let id = try XCTUnwrap(filed.stdout.split(separator: " ").first.map(String.init))
        XCTAssertEqual(try ws.run(["dsr", "verify", id, "--send"] + officer, as: "dana").status, 0)
        XCTAssertEqual(try ws.run(["dsr", "verify", id, "--code", try codeSent(to: ws, for: id)] + officer, as: "dana").status, 0)
        XCTAssertEqual(try ws.run(["dsr", "approve", id] + officer, as: "dana").status, 0)
        XCTAssertEqual(try ws.run(["dsr", "fulfil", id] + officer, as: "dana").status, 0)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-answer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let denied = try ws.run(["dsr", "answer", id, "--to", folder.path, "--principal", "mika", "--role", "marketing_analyst"], as: "mika")
        XCTAssertEqual(denied.status, 1)
        XCTAssertTrue(denied.stderr.hasPrefix("error: denied"), denied.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
        let written = try ws.run(["dsr", "answer", id, "--to", folder.path] + officer, as: "dana")
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertTrue(written.stdout.hasPrefix("wrote \(folder.path)/"), written.stdout)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(names.isEmpty)
        let again = try ws.run(["dsr", "answer", id, "--to", folder.path] + officer, as: "dana")
        XCTAssertEqual(again.status, 1, "an existing file is never overwritten")
        XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
        let inside = try ws.run(["dsr", "answer", id, "--to", ws.root.appendingPathComponent("keys").path] + officer, as: "dana")
        XCTAssertEqual(inside.status, 1, "an answer never lands in keys/")
    }

    /// `audit checkpoint` prints the signed note `audit verify --checkpoint` accepts, writing nothing.
    func testAuditCheckpointPrintsTheLatestSignedNote() throws {
        let ws = try workspace()
        let before = try auditLines(ws)
        let note = try ws.run(["audit", "checkpoint"])
        XCTAssertEqual(note.status, 0, note.stderr)
        XCTAssertTrue(note.stdout.contains("\n— "), "a signed note: \(note.stdout)")
        XCTAssertEqual(try auditLines(ws), before, "reading the checkpoint appends nothing")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(note.stdout.utf8).write(to: file)
        let verified = try ws.run(["audit", "verify", "--checkpoint", file.path])
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
    }

    // MARK: Helpers

    /// Every line of every audit segment, to show a command wrote nothing.
    func auditLines(_ ws: CLIWorkspace) throws -> [String] {
        let folder = ws.root.appendingPathComponent("audit/segments")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().flatMap { name -> [String] in
            guard name.hasSuffix(".jsonl") else { return [] }
            return try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    /// The one-time code the mail system received for request `id` (the outbox holds it only sealed).
    func codeSent(to ws: CLIWorkspace, for id: String) throws -> String { try ws.sendmail.latestCode(for: id) }
}
