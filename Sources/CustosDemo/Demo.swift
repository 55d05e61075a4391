import CustosEngine
import CustosAudit
import CustosBase
import CustosGovernance
import CustosRights
import CustosSchema
import CustosVault
import Foundation

/// The end-to-end demonstration behind `custos demo`: a fresh workspace, synthetic data, ingest,
/// and the checks a sceptical reader wants to see. Each step prints what it did.
public struct Demo {
    public struct Options: Sendable {
        public var workspace: URL?
        public var customers = 2_000
        public var seed: UInt64 = 42
        public init() {}
    }

    /// What the demo established, for tests.
    public struct Result: Sendable {
        public var workspace: URL
        public var plaintextFindings: [String] = []
        public var ingested: [String: IngestOutcome] = [:]
        public var auditVerified = false
        public var jobs: [JobResult] = []
        public var unexpectedAllows = 0
        public var withdrawalExcluded = false
        public var erasureFindings: [String] = []
        /// A fresh bearer token per principal (shown once), so the demo can go on through the API.
        public var tokens: [String: String] = [:]
    }

    let options: Options
    let say: (String) -> Void

    public init(options: Options, say: @escaping (String) -> Void = { print($0) }) {
        self.options = options
        self.say = say
    }

    public func run() throws -> Result {
        let started = Date()
        let root = options.workspace
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("custos-demo-\(UUID().uuidString.prefix(8))")
        say("== Custos demo ==")
        say("workspace: \(root.path)")

        say("\n-- 1. init: key hierarchy, audit key pair, encrypted store, example policies")
        let workspace = try Workspace.initialize(at: root)
        let tokens = Dictionary(uniqueKeysWithValues: try workspace.issueFreshTokens().map { ($0.principal, $0.token) })
        let engine = try Engine.open(workspace)
        defer { try? engine.close() }
        // The demo's mail system lives in memory: messages are sealed in outbox/ until it takes them.
        let mailbox = DemoMailbox()
        engine.context.mailTransportOverride = mailbox
        try engine.recordInitialisation()
        say("   keys/ holds the KEK (v\(workspace.keys.currentVersion)), wrapped data keys and the audit key pair, all mode 0600")
        say("   policies/ version \(engine.policies.version.prefix(16))…: \(engine.policies.rules.count) rules, \(engine.policies.purposes.entries.count) purposes")
        if let signature = try PolicySignature.read(directory: workspace.policiesDirectory) {
            say("   signed by \(signature.signer) (key \(signature.keyID)), the pinned policy signer: an unsigned edit keeps the engine closed")
        }
        var result = Result(workspace: root)
        result.tokens = tokens
        // Changes too are made by authenticated principals: the operator ingests, the preference
        // centre records consent; each audit entry names who.
        let oscar = Caller(principal: "oscar", role: "operator", token: tokens["oscar"])
        let prefs = Caller(principal: "prefs", role: "consent_collector", token: tokens["prefs"])

        say("\n-- 2. generate: seeded synthetic customers, orders, web events, feedback and consents")
        var generatorOptions = SyntheticDataGenerator.Options()
        generatorOptions.customers = options.customers
        generatorOptions.seed = options.seed
        // The plaintext source files are staged inside the workspace (0700), never beside it, and
        // shredded as soon as they are ingested: no customer data is left outside the vault.
        let sourceDirectory = root.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: sourceDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let generated = try SyntheticDataGenerator(options: generatorOptions).generate(into: sourceDirectory)
        for name in generated.rows.keys.sorted() { say("   \(name).csv: \(generated.rows[name] ?? 0) rows") }

        say("\n-- 3. ingest: clean, de-duplicate, resolve identities, seal per subject")
        for name in ["customers", "orders", "events", "feedback"] {
            guard let file = generated.files[name] else { continue }
            let report = try engine.ingest(file: file, dataset: name, actor: oscar)
            result.ingested[name] = report.outcome
            say("   " + IngestSummary.text(report).replacingOccurrences(of: "\n", with: "\n   "))
        }
        if let file = generated.files["orders"] {
            let again = try engine.ingest(file: file, dataset: "orders", actor: oscar)
            say("   re-ingesting orders.csv stores \(again.outcome.rowsAdded) rows (\(again.outcome.duplicates) duplicates): ingest is idempotent")
        }
        if let file = generated.files["consents"] {
            let consents = try engine.consent.importConsents(file: file, actor: prefs)
            say("   consents.csv: \(consents.records) consent records for \(consents.subjects) subjects, sealed per subject")
        }
        for file in (try? FileManager.default.contentsOfDirectory(at: sourceDirectory, includingPropertiesForKeys: nil)) ?? [] {
            KeyHierarchy.destroyFile(file)
        }
        try FileManager.default.removeItem(at: sourceDirectory)
        say("   the plaintext source files were overwritten and deleted after ingest (staged inside the workspace, mode 0700)")
        let subjects = try workspace.records.allSubjects().count
        say("   \(subjects) data subjects, each with its own data key (\(try workspace.keys.dataKeyCount()) keys)")

        say("\n-- 4. encrypted at rest: search every workspace file for a planted customer's values")
        try workspace.records.checkpoint()
        let needles = [generated.markerEmail, generated.markerName, "Markersson"]
        let findings = PlaintextProbe.scan(directory: root, for: needles)
        result.plaintextFindings = findings.map(\.description)
        if findings.isEmpty {
            say("   no file contains the planted email, name or surname in UTF-8, UTF-16, hex or base64: nothing readable on disk")
        } else {
            for finding in findings { say("   FOUND: \(finding)") }
        }

        let mika = Caller(principal: "mika", role: "marketing_analyst", token: tokens["mika"])
        let alice = Caller(principal: "alice", role: "analyst", token: tokens["alice"])
        let exports = workspace.exportsDirectory
        func show(_ job: JobResult, file: String) throws {
            if let cohort = job.cohort {
                let excluded = cohort.exclusions.values.reduce(0, +)
                let consent = excluded > 0 ? ", \(excluded) excluded by consent" : ""
                let suppressed = cohort.suppressedGroups > 0 ? ", \(cohort.suppressedGroups) small groups suppressed" : ""
                say("   \(job.title): \(cohort.subjects) customers, \(cohort.rows) rows\(consent)\(suppressed) -> exports/\(file)")
            } else {
                // A DP result releases no exact counts: only its noisy values and its declared cost.
                say("   \(job.title): \(job.privacy?.summary ?? "differentially private") -> exports/\(file)")
            }
            // Mode 0640 whatever the umask.
            guard FileManager.default.createFile(atPath: exports.appendingPathComponent(file).path, contents: Data(try job.html().utf8),
                                                 attributes: [.posixPermissions: 0o640]) else {
                throw EngineError.invalidRequest("cannot write exports/\(file)")
            }
            result.jobs.append(job)
        }

        say("\n-- 5. mining jobs, each through policy, consent filter, pseudonymisation, output gate and audit")
        var parameters = MiningParameters()
        parameters.seed = options.seed
        parameters.minSupport = 0.005
        let rfm = try engine.jobs.mineRFM(actor: mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: parameters)
        try show(rfm, file: "rfm.html")
        if let table = rfm.tables.first {
            say("     segments: " + table.rows.prefix(6).map { "\($0[0]) \($0[1])" }.joined(separator: ", ") + "…")
        }
        try show(try engine.jobs.mineKMeans(actor: mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: parameters), file: "kmeans.html")
        let rules = try engine.jobs.mineRules(actor: mika, purpose: "marketing.segmentation", parameters: parameters)
        try show(rules, file: "rules.html")
        if let top = rules.tables.first?.rows.first { say("     strongest rule: {\(top[0])} -> {\(top[1])}, confidence \(top[3]), lift \(top[4])") }
        try show(try engine.jobs.mineSequences(actor: alice, purpose: "analytics.reporting", parameters: parameters), file: "sequences.html")
        let funnel = try engine.jobs.mineFunnel(actor: alice, purpose: "analytics.reporting", parameters: parameters)
        try show(funnel, file: "funnel.html")
        if let rows = funnel.tables.first?.rows { say("     funnel: " + rows.map { "\($0[0]) \($0[1])" }.joined(separator: " → ")) }

        say("\n   differentially private aggregates (exact integer noise from the CSPRNG, budget reserved before reading):")
        var stats = StatisticsParameters()
        stats.measures = ["amount", "item_count"]
        stats.maxRowsPerSubject = 5
        stats.clampUpper = 1500
        let described = try engine.jobs.dpStatistics(actor: alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 1.0, parameters: stats)
        try show(described, file: "stats.html")
        if let row = described.tables.last(where: { $0.title.hasPrefix("Measures") })?.rows.first { say("     \(row[0]): mean \(row[2])") }
        stats.dimensions = ["country"]
        stats.measure = "amount"
        stats.top = 3
        stats.maxGroupsPerSubject = 1
        stats.maxRowsPerSubject = 5
        let cube = try engine.jobs.dpCube(actor: alice, purpose: "analytics.reporting", dataset: "orders", epsilon: 1.0, parameters: stats)
        try show(cube, file: "cube.html")
        for row in cube.tables.first?.rows ?? [] { say("     top revenue: \(row[0]): \(row[2]) from \(row[1]) orders") }
        var dp = DPMiningParameters()
        dp.seed = options.seed
        try show(try engine.jobs.dpRFM(actor: alice, purpose: "analytics.reporting", epsilon: 1.0, parameters: dp), file: "rfm-dp.html")
        let dpFunnel = try engine.jobs.dpFunnel(actor: alice, purpose: "analytics.reporting", epsilon: 1.0, parameters: dp)
        try show(dpFunnel, file: "funnel-dp.html")
        if let rows = dpFunnel.tables.first?.rows { say("     DP funnel: " + rows.map { "\($0[0]) \($0[1])" }.joined(separator: " → ")) }
        say("   \(try engine.reports.budgetStatement().split(separator: "\n").dropFirst(2).joined(separator: "\n   "))")
        let reservations = try engine.audit.entries().filter { $0.action == .budgetReserve }.count
        say("   the ledger is checked against the \(reservations) budget.reserve entries of the signed log before every reservation")

        say("\n-- 6. default deny: what the policies refuse, and why (each refusal is audited)")
        for (who, what, attempt) in [
            (alice, "exact market baskets on orders", { try engine.jobs.mineRules(actor: alice, purpose: "analytics.reporting", parameters: parameters) }),
            (mika, "RFM for advertising", { try engine.jobs.mineRFM(actor: mika, purpose: "marketing.advertising", mode: .pseudonymousRecords, parameters: parameters) }),
            (Caller(principal: "mika", role: "marketing_analyst", token: "custos_wrong"), "a job with a wrong token",
             { try engine.jobs.mineFunnel(actor: Caller(principal: "mika", role: "marketing_analyst", token: "custos_wrong"), purpose: "analytics.reporting", parameters: parameters) }),
        ] as [(Caller, String, () throws -> JobResult)] {
            do {
                _ = try attempt()
                say("   UNEXPECTED: \(who.principal) was allowed \(what)")
                result.unexpectedAllows += 1
            } catch {
                say("   \(who.principal), \(what): \(error)")
            }
        }

        let changes: [(String, () throws -> Void)] = [
            ("an ingest without a token", { _ = try engine.ingest(file: generated.files["orders"] ?? root, dataset: "orders",
                                                                  actor: Caller(principal: "oscar", role: "operator", token: nil)) }),
            ("the operator recording a consent", { _ = try engine.consent.recordConsent(
                identifier: generated.consentingCustomer ?? "", purpose: "marketing.segmentation", action: .granted, language: "en",
                channel: "cli", collector: "operator", actor: oscar) }),
        ]
        for (what, attempt) in changes {
            do {
                try attempt()
                say("   UNEXPECTED: \(what) was allowed")
                result.unexpectedAllows += 1
            } catch {
                say("   \(what): \(error)")
            }
        }

        say("\n-- 7. consent withdrawal takes effect for the next job")
        if let customer = generated.consentingCustomer {
            _ = try engine.consent.recordConsent(identifier: customer, purpose: "marketing.segmentation", action: .withdrawn, language: "sv",
                                         channel: "app", collector: "preference-center", actor: prefs)
            let after = try engine.jobs.mineRFM(actor: mika, purpose: "marketing.segmentation", mode: .pseudonymousRecords, parameters: parameters)
            say("   one customer withdrew marketing consent: RFM now sees \(after.cohort?.subjects ?? 0) customers (was \(rfm.cohort?.subjects ?? 0))")
            result.withdrawalExcluded = after.cohort?.subjects == (rfm.cohort?.subjects ?? 0) - 1
        }

        say("\n-- 8. data-subject requests: an access request and an erasure request, verified, approved, fulfilled")
        let dana = Caller(principal: "dana", role: "compliance_officer", token: tokens["dana"])
        let customer = generated.markerCustomerID
        // Someone names this customer but gives their own address: the same answer, and nothing is sent.
        let outboxBefore = (try? FileManager.default.contentsOfDirectory(atPath: workspace.outboxDirectory.path)) ?? []
        let impostor = try engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email,
                                                     contact: .email("someone.else@example.net"), customer: customer, actor: dana)
        let answer = try engine.rights.sendVerificationCode(impostor.id.rawValue, actor: dana)
        let sentNothing = ((try? FileManager.default.contentsOfDirectory(atPath: workspace.outboxDirectory.path)) ?? []) == outboxBefore
        say("   a request naming this customer with another address: \(answer.outcome.name), "
            + (sentNothing ? "and nothing was sent: codes go only to the contact on file" : "UNEXPECTED: a message was sent"))
        if !sentNothing { result.unexpectedAllows += 1 }
        for type in [RequestType.access, .erasure] {
            let request = try engine.rights.fileRequest(type: type, jurisdiction: .gdpr, channel: .email, contact: .email(generated.markerEmail),
                                                 customer: customer, actor: dana)
            say("   \(request.id) \(type.rawValue) received, due \(request.dueDate.iso8601) (one calendar month, next working day)")
            let challenge = try engine.rights.sendVerificationCode(request.id.rawValue, actor: dana)
            // The customer reads the code in the email the mail system delivered, and returns it.
            let code = try mailbox.latestCode(for: request.id.rawValue)
            let wrong = try engine.rights.checkVerificationCode(request.id.rawValue, challenge: challenge.challengeID ?? "", code: "000000" == code ? "111111" : "000000", actor: dana)
            let right = try engine.rights.checkVerificationCode(request.id.rawValue, challenge: challenge.challengeID ?? "", code: code, actor: dana)
            say("   identity: one-time code sent to the contact on file; a wrong code gives \(wrong.outcome.name), the right one \(right.outcome.name)")
            _ = try engine.rights.approveRequest(request.id.rawValue, actor: dana)
            let outcome = try engine.rights.fulfilRequest(request.id.rawValue, actor: dana)
            say("   fulfilled: \(outcome.summary)")
            if !outcome.files.isEmpty {
                say("   \(outcome.delivered ? "handed to the mail system" : "sealed in outbox/"): \(outcome.files.map(\.name).joined(separator: ", "))")
            }
        }
        let remaining = try workspace.records.allSubjects().count
        say("   the store now holds \(remaining) subjects (was \(subjects)): the erased customer is in no later job's input")
        try workspace.records.checkpoint()
        // Nothing of the customer anywhere, the outbox included: messages there are sealed until delivered.
        let leftovers = PlaintextProbe.scan(directory: root, for: [generated.markerName, "Markersson", generated.markerCustomerID, generated.markerEmail])
        result.erasureFindings = leftovers.map(\.description)
        say("   \(mailbox.received.count) messages went to the mail system; \(try engine.rights.maintainOutbox(deliver: false, actor: dana).waiting) wait sealed in outbox/")
        say(leftovers.isEmpty ? "   no workspace file (store, WAL, audit, outbox, exports) holds the erased customer's name, id or address in any encoding"
                              : "   FOUND after erasure: \(leftovers.map(\.description).joined(separator: "; "))")
        say("   \(try engine.rights.requestRegister(actor: dana).map { "\($0.id) \($0.type) \($0.state)" }.joined(separator: ", "))")

        say("\n-- 9. audit: re-hash every entry, rebuild the Merkle tree, check every signed checkpoint")
        // The writer seals what it wrote; the verifier itself is read-only and never signs.
        let sealed = try engine.audit.checkpoint()
        say("   signed checkpoint: size \(sealed.size), root \(sealed.rootHash.base64) (also anchored in the store; keep a copy elsewhere)")
        let verification = try engine.verifyAudit()
        result.auditVerified = verification.isValid
        say("   \(verification.isValid ? "verified" : "FAILED"): \(verification.entryCount) entries, \(verification.checkpointCount) signed checkpoints, root \(String(describing: verification.rootHash).prefix(16))…")
        for problem in verification.problems { say("   problem: \(problem)") }
        say("   independent check (shares no code with Custos): python3 tools/audit-verify/verify.py \(root.path)/audit")

        let seconds = Date().timeIntervalSince(started)
        say("\nDemo finished in \(String(format: "%.1f", seconds)) s. Workspace: \(root.path)")
        return result
    }
}
