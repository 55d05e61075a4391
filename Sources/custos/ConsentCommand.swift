import ArgumentParser
import CustosClient
import CustosEngine
import CustosGovernance
import Foundation

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent", abstract: "The consent ledger: import, grant, withdraw, show.",
        discussion: """
            Consent is recorded per purpose and takes effect for the next job; records are sealed per subject. \
            Import, grant and withdraw need a principal whose role may record consent (e.g. --principal prefs \
            --role consent_collector, token in $CUSTOS_TOKEN); every change is audited under that principal.
            """,
        subcommands: [Import.self, Grant.self, Withdraw.self, Show.self])

    /// What `POST /v1/consent/grant|withdraw` answers.
    struct Recorded: Decodable { let message: String }
    /// What `POST /v1/consent/history` answers.
    struct History: Decodable {
        struct Record: Decodable {
            let time: String, purpose: String, purposeVersion: Int, action: String, noticeVersion: String, language: String
            let channel: String, collector: String, separate: Bool
            enum CodingKeys: String, CodingKey {
                case time, purpose, purposeVersion = "purpose_version", action, noticeVersion = "notice_version", language, channel,
                     collector, separate
            }
        }
        let records: [Record]
        let restricted: Bool
        let objections: [String]
        let legalHolds: Int
        enum CodingKeys: String, CodingKey { case records, restricted, objections, legalHolds = "legal_holds" }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import consent records from CSV or JSON Lines (whole file or nothing).",
            discussion: """
                Required fields: the identifier column, purpose, action (granted or withdrawn), notice_version, time, language. \
                A file with any invalid row stores nothing (no row is skipped: a skipped withdrawal would leave its grant in force). \
                Records identical to ones already held are stored once. \
                Size limits as for ingest (--max-file-mb, --max-field-kb, --max-rows-per-customer). With --server the file \
                is streamed to POST /v1/consent/import and the service's upload limit applies.
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "CSV or JSONL file.", completion: .file()) var file: String
        @Option(help: "Column naming the customer.") var identifierColumn = "customer_id"
        @OptionGroup var limits: InputLimitOptions

        func run() async throws {
            if let client = options.client(actor) {
                if limits.isSet {
                    throw fail(CommandFailure("--max-file-mb, --max-field-kb and --max-rows-per-customer are local limits; with --server the "
                        + "service's limits apply (`custos serve --max-upload-mib`): drop them, or ask the operator"))
                }
                let url = URL(fileURLWithPath: file)
                guard FileManager.default.isReadableFile(atPath: url.path) else { throw fail(CommandFailure("cannot read \(file); check the path")) }
                let mediaType = try IngestCommand.mediaType(of: url)
                let text = try await withService {
                    let started = try await client.upload("/v1/consent/import" + Remote.query([("identifier_column", identifierColumn)]),
                                                          file: url, contentType: mediaType, headers: [("Prefer", "wait=120")])
                    return try await RemoteJob.finish(started, client: client, mediaType: "text/plain")
                }
                return print(text)
            }
            try withEngine(options) { engine in
                let result = try engine.consent.importConsents(file: URL(fileURLWithPath: file), identifierColumn: identifierColumn,
                                                            limits: limits.limits, actor: actor.actor)
                let repeats = result.duplicates == 0 ? "" : " (\(result.duplicates) identical to records already held, not stored again)"
                print("imported \(result.records) consent records for \(result.subjects) subjects\(repeats)")
            }
        }
    }

    struct Change: ParsableArguments {
        @Option(help: "Customer id (or use --identifier-column for email/phone).") var customer: String
        @Option(help: "Identifier column the --customer value is found in (customer_id, email, phone).") var identifierColumn = "customer_id"
        @Option(help: "Purpose key, e.g. marketing.segmentation.") var purpose: String
        @Option(help: "Language of the notice shown (BCP 47).") var language = "en"
        @Option(help: "Channel the consent was given through.") var channel = "web"
        @Option(help: "Collector (system or person).") var collector = "custos-cli"
        @Flag(help: "Separate consent (PIPL arts. 29, 39).") var separate = false

        /// Records the event; granting and withdrawing take the same steps.
        func record(_ action: ConsentAction, options: WorkspaceOptions, actor: ActorOptions) async throws {
            if let client = options.client(actor) {
                let fields: [String: Any?] = ["customer": customer, "identifier_column": identifierColumn, "purpose": purpose, "language": language,
                                              "channel": channel, "collector": collector, "separate": separate]
                let recorded = try await withService {
                    try await client.post(action == .granted ? "/v1/consent/grant" : "/v1/consent/withdraw", fields).decode(Recorded.self)
                }
                return print(recorded.message)
            }
            let actor = actor.actor
            try withEngine(options) { engine in
                _ = try engine.consent.recordConsent(identifierColumn: identifierColumn, identifier: customer, purpose: purpose, action: action,
                                             language: language, channel: channel, collector: collector, separate: separate, actor: actor)
                print("consent \(action.rawValue) for \(purpose) (takes effect for the next job)")
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a customer granted consent for a purpose.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var change: Change

        func run() async throws { try await change.record(.granted, options: options, actor: actor) }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a customer withdrew consent for a purpose.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var change: Change

        func run() async throws { try await change.record(.withdrawn, options: options, actor: actor) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer's consent records and processing state (officers; audited).",
            discussion: "With --server, asks POST /v1/consent/history (the customer goes in the body, never the URL).")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Option(help: "Customer id or email.") var customer: String

        func run() async throws {
            if let client = options.client(actor) {
                let history = try await withService { try await client.post("/v1/consent/history", ["customer": customer]).decode(History.self) }
                if history.records.isEmpty { print("no consent records") }
                for r in history.records {
                    print("\(Remote.time(r.time))  \(r.purpose) v\(r.purposeVersion)  \(r.action)  notice \(r.noticeVersion)  \(r.language)  via \(r.channel) (\(r.collector))\(r.separate ? "  separate" : "")")
                }
                if history.restricted { print("processing restricted") }
                for o in history.objections { print("objection to \(o)") }
                if history.legalHolds > 0 { print("under legal hold (\(history.legalHolds))") }
                return
            }
            let history = try withEngine(options) { try $0.controls.consentHistory(customer: customer, actor: actor.actor) }
            if history.records.isEmpty { print("no consent records") }
            for r in history.records {
                print("\(r.time)  \(r.purpose) v\(r.purposeVersion)  \(r.action.rawValue)  notice \(r.noticeVersion)  \(r.language)  via \(r.channel) (\(r.collector))\(r.separateConsent ? "  separate" : "")")
            }
            let s = history.state
            if s.restriction != nil { print("processing restricted") }
            for o in s.objections { print("objection to \(o.purposes)") }
            if !s.legalHolds.isEmpty { print("under legal hold (\(s.legalHolds.count))") }
        }
    }
}
