import CustosTesting
import Foundation
import XCTest

/// Every data command wired to its /v1 operation: a success against the built `custos serve` with
/// the local output format, and a refusal (wrong role or no token) that exits 1 with the service's
/// problem detail and request id. Principal administration signs each change with the officer's key.
final class ServerModeCommandTests: XCTestCase {
    nonisolated(unsafe) static var shared: ServedWorkspace?
    nonisolated(unsafe) static var setUpFailure = ""

    override class func setUp() {
        super.setUp()
        do { shared = try ServedWorkspace() } catch { setUpFailure = "\(error)" }
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    func served() throws -> ServedWorkspace { try XCTUnwrap(Self.shared, "could not start custos serve on a workspace: \(Self.setUpFailure)") }

    let dana = ["--principal", "dana", "--role", "compliance_officer"]
    let oscar = ["--principal", "oscar", "--role", "operator"]
    let prefs = ["--principal", "prefs", "--role", "consent_collector"]
    let mika = ["--principal", "mika", "--role", "marketing_analyst"]

    /// Runs the CLI against the service with `token` (none when nil).
    func call(_ ws: ServedWorkspace, _ arguments: [String], token: String?) throws -> CommandOutcome {
        var environment = ["CUSTOS_SERVER": ws.url]
        if let token { environment["CUSTOS_TOKEN"] = token }
        return try CustosProcess.run(arguments, environment: environment)
    }

    /// A refusal as the CLI prints one: exit 1, nothing on stdout, the problem's detail and its request id.
    func assertProblem(_ result: CommandOutcome, _ detail: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(detail), "expected '\(detail)' in: \(result.stderr)", file: file, line: line)
        XCTAssertNotNil(result.stderr.range(of: #"\(request [^)]+\)\n"#, options: .regularExpression), result.stderr, file: file, line: line)
    }

    /// A one-customer CSV for the customers dataset.
    func customerFile(id: String, email: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-served-customer-\(UUID().uuidString).csv")
        try Data("customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\n\(id),\(email),,Served Test,,,SE,,,\n".utf8)
            .write(to: file)
        return file
    }

    // MARK: ingest

    func testIngestStreamsTheFileAndPrintsTheLocalSummary() throws {
        let ws = try served()
        let file = try customerFile(id: "C0009001", email: "ingest-served@example.com")
        defer { try? FileManager.default.removeItem(at: file) }
        let remote = try ws.client(["ingest", "customers", file.path] + oscar, as: "oscar")
        XCTAssertEqual(remote.status, 0, remote.stderr)
        // The same file into a fresh local workspace prints the same summary.
        let local = try CLIWorkspace()
        let expected = try local.run(["ingest", "customers", file.path] + oscar, as: "oscar")
        XCTAssertEqual(expected.status, 0, expected.stderr)
        XCTAssertEqual(remote.stdout, expected.stdout)
        XCTAssertFalse(remote.stderr.contains("signed checkpoint"), remote.stderr)

        assertProblem(try ws.client(["ingest", "customers", file.path] + mika, as: "mika"), "denied")
        assertProblem(try call(ws, ["ingest", "customers", file.path] + oscar, token: nil), "Authorization: Bearer")
        let unknown = try ws.client(["ingest", "customers", file.path.replacingOccurrences(of: ".csv", with: ".xlsx")] + oscar, as: "oscar")
        XCTAssertEqual(unknown.status, 1)
    }

    // MARK: consent

    func testConsentGrantWithdrawShowAndImportOverTheAPI() throws {
        let ws = try served()
        let change = ["--customer", "C0000002", "--purpose", "marketing.segmentation"]
        let granted = try ws.client(["consent", "grant"] + change + prefs, as: "prefs")
        XCTAssertEqual(granted.status, 0, granted.stderr)
        XCTAssertEqual(granted.stdout, "consent granted for marketing.segmentation (takes effect for the next job)\n")
        let withdrawn = try ws.client(["consent", "withdraw"] + change + prefs, as: "prefs")
        XCTAssertEqual(withdrawn.status, 0, withdrawn.stderr)
        XCTAssertEqual(withdrawn.stdout, "consent withdrawn for marketing.segmentation (takes effect for the next job)\n")

        let shown = try ws.client(["consent", "show", "--customer", "C0000002"] + dana, as: "dana")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        let last = try XCTUnwrap(shown.stdout.split(separator: "\n").last.map(String.init))
        XCTAssertNotNil(last.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000  marketing\.segmentation v\d+  withdrawn  notice .+  en  via web \(custos-cli\)$"#,
                                   options: .regularExpression), shown.stdout)

        // The operator may not record consent; a consent change without a token is refused.
        assertProblem(try ws.client(["consent", "grant"] + change + oscar, as: "oscar"), "may not take action 'consent.record'")
        assertProblem(try call(ws, ["consent", "withdraw"] + change + prefs, token: nil), "Authorization: Bearer")
        assertProblem(try ws.client(["consent", "show", "--customer", "C0000002"] + mika, as: "mika"), "denied")

        let data = FileManager.default.temporaryDirectory.appendingPathComponent("custos-served-consents-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        XCTAssertEqual(try CustosProcess.run(["generate", "--output", data.path, "--customers", "80", "--seed", "3"]).status, 0)
        let consents = data.appendingPathComponent("consents.csv").path
        let imported = try ws.client(["consent", "import", consents] + prefs, as: "prefs")
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertNotNil(imported.stdout.range(of: #"^imported \d+ consent records for \d+ subjects\n$"#, options: .regularExpression), imported.stdout)
        assertProblem(try ws.client(["consent", "import", consents] + mika, as: "mika"), "denied")
    }

    // MARK: data-subject requests

    func testEveryDSRStepOverTheAPI() throws {
        let ws = try served()
        let file = try customerFile(id: "C0009002", email: "dsr-served@example.com")
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertEqual(try ws.client(["ingest", "customers", file.path] + oscar, as: "oscar").status, 0)

        let filed = try ws.client(["dsr", "file", "--type", "access", "--email", "dsr-served@example.com", "--customer", "C0009002"] + dana, as: "dana")
        XCTAssertEqual(filed.status, 0, filed.stderr)
        XCTAssertNotNil(filed.stdout.range(of: #"^DSR-\S+ received; due \d{4}-\d\d-\d\d \(GDPR\); if the details match our records, a code goes to the contact we hold\n$"#,
                                           options: .regularExpression), filed.stdout)
        let id = try XCTUnwrap(filed.stdout.split(separator: " ").first.map(String.init))

        let early = try ws.client(["dsr", "verify", id, "--code", "123456"] + dana, as: "dana")
        assertProblem(early, "no code has been sent for \(id)")
        let sent = try ws.client(["dsr", "verify", id, "--send"] + dana, as: "dana")
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(sent.stdout.hasPrefix("issued (challenge otp-"), sent.stdout)
        let code = try ws.workspace.sendmail.latestCode(for: id)
        let wrong = try ws.client(["dsr", "verify", id, "--code", code == "000000" ? "111111" : "000000"] + dana, as: "dana")
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stdout.hasPrefix("wrong_code (challenge otp-"), wrong.stdout)
        let right = try ws.client(["dsr", "verify", id, "--code", code] + dana, as: "dana")
        XCTAssertEqual(right.status, 0, right.stderr)
        XCTAssertTrue(right.stdout.hasPrefix("verified (challenge otp-"), right.stdout)

        assertProblem(try ws.client(["dsr", "approve", id] + mika, as: "mika"), "denied")
        let approved = try ws.client(["dsr", "approve", id] + dana, as: "dana")
        XCTAssertEqual(approved.stdout, "approved\n", approved.stderr)
        let fulfilled = try ws.client(["dsr", "fulfil", id] + dana, as: "dana")
        XCTAssertEqual(fulfilled.status, 0, fulfilled.stderr)
        XCTAssertTrue(fulfilled.stdout.hasPrefix("fulfilled: "), fulfilled.stdout)
        XCTAssertTrue(fulfilled.stdout.contains("  sha256:"), fulfilled.stdout)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-served-answer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        assertProblem(try ws.client(["dsr", "answer", id, "--to", folder.path] + mika, as: "mika"), "denied")
        let answer = try ws.client(["dsr", "answer", id, "--to", folder.path] + dana, as: "dana")
        XCTAssertEqual(answer.status, 0, answer.stderr)
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(written.isEmpty)
        let contents = try written.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined()
        XCTAssertTrue(contents.contains("dsr-served@example.com"), "the answer holds the requester's own data")
        let again = try ws.client(["dsr", "answer", id, "--to", folder.path] + dana, as: "dana")
        XCTAssertEqual(again.status, 1, "an existing file is never overwritten")

        let listed = try ws.client(["dsr", "list"] + dana, as: "dana")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertNotNil(listed.stdout.range(of: "\(id)  access             GDPR  fulfilled         due "), listed.stdout)
        assertProblem(try ws.client(["dsr", "list"] + mika, as: "mika"), "denied")
        let shown = try ws.client(["dsr", "show", id] + dana, as: "dana")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.hasPrefix("\(id)  access  GDPR  fulfilled  received "), shown.stdout)
        XCTAssertNotNil(shown.stdout.range(of: #"\n  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000  approved  by dana \(compliance_officer\)\n"#,
                                           options: .regularExpression), shown.stdout)

        // A second request: extended, then refused.
        let other = try ws.client(["dsr", "file", "--type", "erasure", "--email", "dsr-served@example.com", "--customer", "C0009002"] + dana, as: "dana")
        let otherID = try XCTUnwrap(other.stdout.split(separator: " ").first.map(String.init))
        let extended = try ws.client(["dsr", "extend", otherID, "--months", "1", "--reason", "complex request"] + dana, as: "dana")
        XCTAssertEqual(extended.status, 0, extended.stderr)
        XCTAssertNotNil(extended.stdout.range(of: #"^extended; now due \d{4}-\d\d-\d\d\n$"#, options: .regularExpression), extended.stdout)
        assertProblem(try ws.client(["dsr", "refuse", otherID, "--reason", "manifestly unfounded"] + mika, as: "mika"), "denied")
        let refused = try ws.client(["dsr", "refuse", otherID, "--reason", "manifestly unfounded"] + dana, as: "dana")
        XCTAssertEqual(refused.stdout, "refused\n", refused.stderr)
    }

    func testLegalHoldsAndTheOutboxOverTheAPI() throws {
        let ws = try served()
        let hold = ["--customer", "C0000003", "--case", "case-served-1"]
        assertProblem(try ws.client(["dsr", "hold", "place"] + hold + mika, as: "mika"), "only an authenticated compliance officer")
        let placed = try ws.client(["dsr", "hold", "place"] + hold + dana, as: "dana")
        XCTAssertEqual(placed.stdout, "legal hold placed (case case-served-1): data kept, processing restricted to storage and security\n", placed.stderr)
        let lifted = try ws.client(["dsr", "hold", "lift"] + hold + dana, as: "dana")
        XCTAssertEqual(lifted.stdout, "legal hold lifted (case case-served-1); 0 other holds remain\n", lifted.stderr)

        let outbox = try ws.client(["dsr", "outbox", "--deliver"] + dana, as: "dana")
        XCTAssertEqual(outbox.status, 0, outbox.stderr)
        XCTAssertNotNil(outbox.stdout.range(of: #"^\d+ waiting \(sealed\), \d+ delivered, \d+ purged past retention\n$"#, options: .regularExpression), outbox.stdout)
        assertProblem(try call(ws, ["dsr", "outbox"] + dana, token: nil), "Authorization: Bearer")
    }

    // MARK: audit and reports

    func testAuditVerifyReportProveAndCheckpointOverTheAPI() throws {
        let ws = try served()
        let verified = try ws.client(["audit", "verify"], as: "dana")
        XCTAssertEqual(verified.status, 0, verified.stderr)
        XCTAssertTrue(verified.stdout.hasPrefix("audit log verified\n  "), verified.stdout)
        XCTAssertNotNil(verified.stdout.range(of: #"\n  root [0-9a-f]{64}\n"#, options: .regularExpression), verified.stdout)
        assertProblem(try ws.client(["audit", "verify"], as: "mika"), "verifying the audit log is for the compliance_officer or operator role")

        let checkpoint = try ws.client(["audit", "checkpoint"], as: "oscar")
        XCTAssertEqual(checkpoint.status, 0, checkpoint.stderr)
        let note = FileManager.default.temporaryDirectory.appendingPathComponent("custos-served-checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: note) }
        try Data(checkpoint.stdout.utf8).write(to: note)
        let pinned = try ws.client(["audit", "verify", "--checkpoint", note.path], as: "dana")
        XCTAssertEqual(pinned.status, 0, "the log still matches the checkpoint fetched: \(pinned.stdout)\(pinned.stderr)")
        assertProblem(try ws.client(["audit", "checkpoint"], as: "alice"), "reading the signed checkpoint is for")

        let proof = try ws.client(["audit", "prove", "--entry", "0"], as: "dana")
        XCTAssertEqual(proof.status, 0, proof.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(proof.stdout.utf8)) as? [String: Any], proof.stdout)
        XCTAssertNotNil(object["treeSize"] ?? object["tree_size"], proof.stdout)
        assertProblem(try ws.client(["audit", "prove", "--entry", "0"], as: "mika"), "audit proofs is for")

        let report = try ws.client(["audit", "report", "--format", "json"], as: "dana")
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)))
        let summary = try ws.client(["audit", "report"], as: "dana")
        XCTAssertEqual(summary.status, 0, summary.stderr)
        assertProblem(try call(ws, ["audit", "report"], token: "custos_wrong"), "the bearer token is not a current token")

        let witness = try ws.client(["audit", "witness", "--key-file", "/nonexistent/w.key", "--state", "/nonexistent/w.state"], as: "dana")
        XCTAssertEqual(witness.status, 1)
        XCTAssertTrue(witness.stderr.contains("audit witness has no operation on the service"), witness.stderr)
    }

    func testROPAOverTheAPIIsTheLocalSummary() throws {
        let ws = try served()
        let ropa = try ws.client(["report", "ropa"], as: "dana")
        XCTAssertEqual(ropa.status, 0, ropa.stderr)
        let undated = { (text: String) in
            text.replacingOccurrences(of: #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"#, with: "…", options: .regularExpression)
        }
        XCTAssertEqual(undated(ropa.stdout), undated(ws.localOutputs.ropa))
        assertProblem(try ws.client(["report", "ropa"], as: "mika"), "the record of processing activities is for")
    }

    // MARK: operations

    func testKeyRotationAndBackupOverTheAPI() throws {
        let ws = try served()
        assertProblem(try ws.client(["keys", "rotate"] + dana, as: "dana"), "may not take action 'keys.rotate'")
        let rotated = try ws.client(["keys", "rotate"] + oscar, as: "oscar")
        XCTAssertEqual(rotated.status, 0, rotated.stderr)
        XCTAssertNotNil(rotated.stdout.range(of: #"^Key-encryption key is now v\d+; \d+ data keys re-wrapped; older versions destroyed\.\n$"#,
                                             options: .regularExpression), rotated.stdout)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-served-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        assertProblem(try ws.client(["backup", "--to", folder.path] + dana, as: "dana"), "may not take action 'backup'")
        let relative = try ws.client(["backup", "--to", "backups/today"] + oscar, as: "oscar")
        XCTAssertEqual(relative.status, 1)
        XCTAssertTrue(relative.stderr.contains("absolute path"), relative.stderr)
        let backup = try ws.client(["backup", "--to", folder.path] + oscar, as: "oscar")
        XCTAssertEqual(backup.status, 0, backup.stderr)
        XCTAssertTrue(backup.stdout.hasPrefix("backup written to \(folder.path): store and key store at audit size "), backup.stdout)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the service wrote the backup")
    }

    // MARK: principals

    /// Signs principal changes as the pinned officer.
    var signing: [String] { ["--key", Self.shared?.workspace.officerKey.path ?? "", "--signer", "dana"] }

    /// The token `principal add` or `rotate-token` printed.
    func printedToken(_ result: CommandOutcome) throws -> String {
        let token = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("custos_") }
        return try XCTUnwrap(token, result.stdout)
    }

    func testPrincipalAddGivesATokenThatWorksAndDisableRefusesIt() throws {
        let ws = try served()
        let dana = ws.workspace.tokens["dana"]
        let added = try call(ws, ["principal", "add", "eve", "--name", "Eve Example", "--roles", "analyst"] + signing, token: dana)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stdout.hasPrefix("added eve with roles analyst (policies version "), added.stdout)
        let token = try printedToken(added)
        XCTAssertEqual(try call(ws, ["budget", "show"], token: token).status, 0, "the new token works")

        let listed = try call(ws, ["principal", "list"], token: dana)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("eve    analyst  Eve Example\n") || listed.stdout.contains("eve"), listed.stdout)
        XCTAssertFalse(listed.stdout.contains(token), "a listing never shows a token")

        let disabled = try call(ws, ["principal", "disable", "eve"] + signing, token: dana)
        XCTAssertEqual(disabled.status, 0, disabled.stderr)
        let refused = try call(ws, ["budget", "show"], token: token)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("what to do: set $CUSTOS_TOKEN"), "a disabled principal's token is refused (401): \(refused.stderr)")
        XCTAssertTrue(try call(ws, ["principal", "list"], token: dana).stdout.contains("DISABLED"))

        XCTAssertEqual(try call(ws, ["principal", "enable", "eve"] + signing, token: dana).status, 0)
        XCTAssertEqual(try call(ws, ["budget", "show"], token: token).status, 0, "re-enabled, the token works again")

        let granted = try call(ws, ["principal", "grant", "eve", "marketing_analyst"] + signing, token: dana)
        XCTAssertEqual(granted.status, 0, granted.stderr)
        XCTAssertTrue(granted.stdout.hasPrefix("granted marketing_analyst to eve"), granted.stdout)
        let revoked = try call(ws, ["principal", "revoke", "eve", "marketing_analyst"] + signing, token: dana)
        XCTAssertEqual(revoked.status, 0, revoked.stderr)

        let rotated = try call(ws, ["principal", "rotate-token", "eve"] + signing, token: dana)
        XCTAssertEqual(rotated.status, 0, rotated.stderr)
        let fresh = try printedToken(rotated)
        XCTAssertNotEqual(fresh, token)
        XCTAssertEqual(try call(ws, ["budget", "show"], token: token).status, 1, "the old token stops working")
        XCTAssertEqual(try call(ws, ["budget", "show"], token: fresh).status, 0)
    }

    func testPrincipalChangesAreRefusedWithoutTheRightRoleOrSigner() throws {
        let ws = try served()
        assertProblem(try call(ws, ["principal", "list"], token: ws.workspace.tokens["mika"]), "listing principals is for the compliance_officer or operator role")
        assertProblem(try call(ws, ["principal", "list"], token: nil), "Authorization: Bearer")
        assertProblem(try call(ws, ["principal", "add", "mallory", "--name", "M", "--roles", "compliance_officer"] + signing, token: ws.workspace.tokens["mika"]),
                      "changing principals is for")
        // Staged by an operator but signed by someone who is not a pinned signer: not applied.
        let unpinned = try call(ws, ["principal", "add", "mallory", "--name", "M", "--roles", "analyst", "--key", ws.workspace.officerKey.path,
                                     "--signer", "oscar"], token: ws.workspace.tokens["oscar"])
        XCTAssertEqual(unpinned.status, 1, unpinned.stdout)
        XCTAssertFalse(try call(ws, ["principal", "list"], token: ws.workspace.tokens["dana"]).stdout.contains("mallory"))
        // Without a server the commands say where they run.
        let local = try CustosProcess.run(["principal", "list"], environment: ["CUSTOS_WORKSPACE": ws.workspace.root.path])
        XCTAssertEqual(local.status, 1)
        XCTAssertTrue(local.stderr.contains("principal administration is an operation of the Custos service"), local.stderr)
    }
}
