import ArgumentParser
import CustosEngine
import CustosGovernance
import Foundation

struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent", abstract: "The consent ledger: import, grant, withdraw, show.",
        discussion: """
            Consent is recorded per purpose and takes effect for the next job; records are sealed per subject. \
            Import, grant and withdraw need a principal whose role may record consent (e.g. --principal prefs \
            --role consent_collector, token in $CUSTOS_TOKEN); every change is audited under that principal.
            """,
        subcommands: [Import.self, Grant.self, Withdraw.self, Show.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import consent records from CSV or JSON Lines (whole file or nothing).",
            discussion: """
                Required fields: the identifier column, purpose, action (granted or withdrawn), notice_version, time, language. \
                A file with any invalid row stores nothing (no row is skipped: a skipped withdrawal would leave its grant in force). \
                Records identical to ones already held are stored once. \
                Size limits as for ingest (--max-file-mb, --max-field-kb, --max-rows-per-customer).
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "CSV or JSONL file.", completion: .file()) var file: String
        @Option(help: "Column naming the customer.") var identifierColumn = "customer_id"
        @OptionGroup var limits: InputLimitOptions

        func run() throws {
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
        func record(_ action: ConsentAction, options: WorkspaceOptions, actor: Caller) throws {
            try withEngine(options) { engine in
                _ = try engine.consent.recordConsent(identifierColumn: identifierColumn, identifier: customer, purpose: purpose, action: action,
                                             language: language, channel: channel, collector: collector, separate: separate, actor: actor)
                print("consent \(action.rawValue) for \(purpose) (takes effect for the next job)")
            }
        }
    }

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a customer granted consent for a purpose.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var change: Change

        func run() throws { try change.record(.granted, options: options, actor: actor.actor) }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a customer withdrew consent for a purpose.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var change: Change

        func run() throws { try change.record(.withdrawn, options: options, actor: actor.actor) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer's consent records and processing state (officers; audited).")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Option(help: "Customer id or email.") var customer: String

        func run() throws {
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
