import CustosTesting
import Foundation
import XCTest

/// `custos serve` (the built binary, on a free loopback port) and the CLI as its client: the same
/// outputs as local mode, denials and missing tokens worded like local failures, and a client that
/// never opens the workspace. The break-glass `--local` needs the passphrase and is audited.
final class ServerModeTests: XCTestCase {
    /// One served workspace with synthetic data for the class.
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

    let mika = ["--principal", "mika", "--role", "marketing_analyst"]

    /// A job's JSON without what differs between two runs of it (its id and finishing time).
    func stable(_ json: String) throws -> NSDictionary {
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
        object["jobID"] = nil
        object["finishedAt"] = nil
        return object as NSDictionary
    }

    /// A job's text without its id and finishing time.
    func stableText(_ text: String) -> String {
        text.replacingOccurrences(of: #"job-[0-9a-f-]+|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"#, with: "…", options: .regularExpression)
    }

    func testMineOverTheAPIPrintsWhatLocalModePrints() throws {
        let ws = try served()
        let arguments = ["mine", "rfm", "--purpose", "marketing.segmentation"] + mika
        let remoteJSON = try ws.client(arguments + ["--format", "json"], as: "mika")
        XCTAssertEqual(remoteJSON.status, 0, remoteJSON.stderr)
        XCTAssertEqual(try stable(remoteJSON.stdout), try stable(ws.localOutputs.rfmJSON))
        // `--server` before the command name works too.
        let remoteText = try CustosProcess.run(["--server", ws.url] + arguments, environment: ["CUSTOS_TOKEN": ws.workspace.tokens["mika"] ?? ""])
        XCTAssertEqual(remoteText.status, 0, remoteText.stderr)
        XCTAssertEqual(stableText(remoteText.stdout), stableText(ws.localOutputs.rfmText))
        XCTAssertFalse(remoteText.stderr.contains("signed checkpoint"), "a client signs nothing: \(remoteText.stderr)")
    }

    func testStatsOverTheAPIPrintsTheLocalFormat() throws {
        let ws = try served()
        let result = try ws.client(["stats", "--principal", "alice", "--role", "analyst", "--purpose", "analytics.reporting",
                                    "--dataset", "orders", "--epsilon", "0.2", "--measures", "amount", "--format", "json"], as: "alice")
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), Set(try stable(ws.localOutputs.statsJSON).allKeys.compactMap { $0 as? String }).union(["jobID", "finishedAt"]))
        XCTAssertEqual(object["kind"] as? String, "stats")
        XCTAssertEqual(object["principal"] as? String, "alice")
    }

    func testBudgetOverTheAPIIsTheStatementLocalModePrints() throws {
        let ws = try served()
        let remote = try ws.client(["budget", "show"], as: "alice")
        XCTAssertEqual(remote.status, 0, remote.stderr)
        XCTAssertTrue(remote.stdout.hasSuffix("\n"))
        XCTAssertEqual(remote.stdout.split(separator: "\n").first, ws.localOutputs.budget.split(separator: "\n").first)
        XCTAssertTrue(remote.stdout.contains("alice"), remote.stdout)
    }

    func testPolicyCheckAndExplainOverTheAPIAreTheLocalOutputs() throws {
        let ws = try served()
        let check = try ws.client(["policy", "check"], as: "dana")
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, ws.localOutputs.policyCheck)
        let explainArguments = ["policy", "explain", "--principal", "mika", "--role", "marketing_analyst", "--purpose", "marketing.segmentation",
                                "--dataset", "orders", "--output-mode", "pseudonymous_aggregate", "--columns", "items"]
        let explain = try ws.client(explainArguments, as: "mika")
        XCTAssertEqual(explain.status, 0, explain.stderr)
        XCTAssertEqual(explain.stdout, ws.localOutputs.explain)
    }

    func testADeniedJobOverTheAPIExits1WithTheProblemDetailAndRequestID() throws {
        let ws = try served()
        let result = try ws.client(["mine", "funnel", "--purpose", "personalize.recommendations"] + mika, as: "mika")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, result.stderr)
        XCTAssertTrue(lines[0].hasPrefix("error: denied: output mode pseudonymous_aggregate is not permitted for role marketing_analyst, "
            + "purpose personalize.recommendations on dataset events; permitted: pseudonymous_records (rule personalize-recommendations)"), lines[0])
        XCTAssertNotNil(lines[0].range(of: #" \(request [^)]+\)$"#, options: .regularExpression), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("what to do: `custos policy explain "), lines[1])
    }

    func testWithoutATokenTheServiceAnswers401AndTheCLISaysWhatToDo() throws {
        let ws = try served()
        let result = try CustosProcess.run(["budget", "show"], environment: ["CUSTOS_SERVER": ws.url])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("error: send Authorization: Bearer <token>"), result.stderr)
        XCTAssertTrue(result.stderr.contains("what to do: set $CUSTOS_TOKEN"), result.stderr)
        let wrong = try CustosProcess.run(["mine", "rfm", "--purpose", "marketing.segmentation"] + mika,
                                          environment: ["CUSTOS_SERVER": ws.url, "CUSTOS_TOKEN": "custos_wrong"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.hasPrefix("error: the bearer token is not a current token"), wrong.stderr)
    }

    func testAClientNeverOpensTheWorkspace() throws {
        let ws = try served()
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("custos-no-workspace-\(UUID().uuidString)")
        let result = try CustosProcess.run(["mine", "rfm", "--purpose", "marketing.segmentation", "--workspace", nowhere.path] + mika,
                                           environment: ["CUSTOS_SERVER": ws.url, "CUSTOS_TOKEN": ws.workspace.tokens["mika"] ?? ""])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: nowhere.path), "the client created the workspace it was pointed at")
        // A command without an operation is refused rather than opened locally.
        let local = try CustosProcess.run(["restore", "--from", nowhere.path, "--principal", "oscar", "--role", "operator", "--workspace", nowhere.path],
                                          environment: ["CUSTOS_SERVER": ws.url, "CUSTOS_TOKEN": ws.workspace.tokens["oscar"] ?? ""])
        XCTAssertEqual(local.status, 1)
        XCTAssertTrue(local.stderr.contains("--local (break-glass"), local.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: nowhere.path))
    }

    func testBreakGlassLocalNeedsThePassphraseAndIsAudited() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-breakglass-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(atPath: root.path + "-policy-officer.pem")
        }
        let passphrase = "correct horse battery staple"
        let initialised = try CustosProcess.run(["init", "--workspace", root.path, "--with-passphrase"],
                                                environment: ["CUSTOS_PASSPHRASE": passphrase, "CUSTOS_SERVER": "http://127.0.0.1:9"])
        XCTAssertEqual(initialised.status, 0, "init is always local: \(initialised.stderr)")
        let server = ["CUSTOS_SERVER": "http://127.0.0.1:9", "CUSTOS_WORKSPACE": root.path]

        let refused = try CustosProcess.run(["budget", "show", "--local"], environment: server)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("needs the KEK passphrase"), refused.stderr)
        XCTAssertFalse(try auditText(root).contains("breakglass.access"))

        let opened = try CustosProcess.run(["budget", "show", "--local"], environment: server.merging(["CUSTOS_PASSPHRASE": passphrase]) { a, _ in a })
        XCTAssertEqual(opened.status, 0, opened.stderr)
        XCTAssertTrue(opened.stderr.contains("breakglass.access"), opened.stderr)
        let audit = try auditText(root)
        XCTAssertTrue(audit.contains(#""action":"breakglass.access""#), audit)
        XCTAssertTrue(audit.contains(#""command":"custos budget show""#), audit)
        XCTAssertTrue(audit.contains(#""os_account":""#), audit)
    }

    /// Every audit segment's text.
    func auditText(_ root: URL) throws -> String {
        let folder = root.appendingPathComponent("audit")
        var text = ""
        for case let file as URL in FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) ?? FileManager.DirectoryEnumerator() {
            if let data = try? Data(contentsOf: file) { text += String(decoding: data, as: UTF8.self) }
        }
        return text
    }
}

/// A workspace with synthetic data, what local mode printed for it, and `custos serve` on it.
final class ServedWorkspace: @unchecked Sendable {
    struct LocalOutputs {
        var rfmJSON = "", rfmText = "", statsJSON = "", budget = "", policyCheck = "", explain = "", ropa = ""
    }

    let workspace: CLIWorkspace
    let process: Process
    let url: String
    let localOutputs: LocalOutputs
    private let log: URL

    init() throws {
        workspace = try CLIWorkspace()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("custos-served-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let generated = try CustosProcess.run(["generate", "--output", data.path, "--customers", "80", "--seed", "3"])
        guard generated.status == 0 else { throw ServedWorkspaceError.step("generate", generated.stderr) }
        for name in ["customers", "orders", "events"] {
            let ingested = try workspace.run(["ingest", name, data.appendingPathComponent(name + ".csv").path, "--principal", "oscar", "--role", "operator"], as: "oscar")
            guard ingested.status == 0 else { throw ServedWorkspaceError.step("ingest", ingested.stderr) }
        }
        let consents = try workspace.run(["consent", "import", data.appendingPathComponent("consents.csv").path, "--principal", "prefs",
                                          "--role", "consent_collector"], as: "prefs")
        guard consents.status == 0 else { throw ServedWorkspaceError.step("consent import", consents.stderr) }

        // What local mode prints, before the service holds the workspace.
        var outputs = LocalOutputs()
        let rfm = ["mine", "rfm", "--purpose", "marketing.segmentation", "--principal", "mika", "--role", "marketing_analyst"]
        outputs.rfmJSON = try workspace.run(rfm + ["--format", "json"], as: "mika").stdout
        outputs.rfmText = try workspace.run(rfm, as: "mika").stdout
        outputs.statsJSON = try workspace.run(["stats", "--principal", "alice", "--role", "analyst", "--purpose", "analytics.reporting",
                                               "--dataset", "orders", "--epsilon", "0.2", "--measures", "amount", "--format", "json"], as: "alice").stdout
        outputs.budget = try workspace.run(["budget", "show"]).stdout
        outputs.policyCheck = try workspace.run(["policy", "check"]).stdout
        outputs.explain = try workspace.run(["policy", "explain", "--principal", "mika", "--role", "marketing_analyst", "--purpose",
                                             "marketing.segmentation", "--dataset", "orders", "--output-mode", "pseudonymous_aggregate",
                                             "--columns", "items"]).stdout
        outputs.ropa = try workspace.run(["report", "ropa"]).stdout
        localOutputs = outputs

        log = FileManager.default.temporaryDirectory.appendingPathComponent("custos-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = CustosProcess.binary
        process.arguments = ["serve", "--workspace", workspace.root.path, "--listen", "127.0.0.1:0"]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": workspace.root.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The "serving http://127.0.0.1:PORT" line on standard error names the port it bound.
        var found: String?
        for _ in 0..<600 where found == nil && process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"serving http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                found = String(text[range].dropFirst("serving ".count))
            } else {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw ServedWorkspaceError.step("serve", (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        url = found
    }

    /// Runs the CLI as a client of the service, acting as `principal`, with no workspace of its own.
    func client(_ arguments: [String], as principal: String) throws -> CommandOutcome {
        try CustosProcess.run(arguments, environment: ["CUSTOS_SERVER": url, "CUSTOS_TOKEN": workspace.tokens[principal] ?? ""])
    }

    /// Stops the service as systemd would (SIGTERM) and waits for it.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
}

enum ServedWorkspaceError: Error {
    case step(String, String)
}
