import CustosBase
import ArgumentParser
import CustosClient
import CustosEngine
import CustosRights
import Foundation

struct DSRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsr", abstract: "Data-subject requests (GDPR and PIPL): file, verify, approve, refuse, extend, fulfil, list, show; legal holds; the outbox.",
        discussion: """
            A request moves received → identity verified → approved → fulfilled (or refused). Officer steps need the \
            compliance_officer role; every step is audited, and the register is sealed.
            Typical flow (each step with --principal dana --role compliance_officer):
              custos dsr file --type access --email a@example.com --customer C-1
              custos dsr verify DSR-… --send       (sealed in outbox/, handed to outbox.sendmail)
              custos dsr verify DSR-… --code 123456
              custos dsr approve DSR-…
              custos dsr fulfil DSR-…
            """,
        subcommands: [File.self, Verify.self, Approve.self, Refuse.self, Extend.self, Fulfil.self, Answer.self, List.self, Show.self, Hold.self, Outbox.self])

    struct File: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a request as received; prints its id and due date.",
            discussion: "Restriction, objection and consent withdrawal need --scope; rectification takes --correct.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Option(help: "The right exercised.") var type: RequestType
        @Option(help: "The law it is exercised under.") var jurisdiction: Jurisdiction = .gdpr
        @Option(help: "How the request arrived.") var channel: RequestChannel = .email
        @Option(help: "The requester's email address (codes and answers go only to a matching contact on file).") var email: String?
        @Option(help: "The requester's phone number (codes go only to a matching phone on file).") var phone: String?
        @Option(help: "The customer's id or email as they gave it (a data_subject principal may omit it).") var customer: String?
        @Option(parsing: .upToNextOption, help: "Purposes (objection, restriction, consent withdrawal), e.g. marketing.*") var scope: [String] = []
        @Option(parsing: .upToNextOption, help: ArgumentHelp("Corrections (rectification).", valueName: "dataset.column=value"))
        var correct: [String] = []

        func validate() throws {
            if (email == nil) == (phone == nil) { throw ValidationError("give the requester's contact: --email or --phone (one of them)") }
            if type.requiresScope && scope.isEmpty {
                throw ValidationError("--type \(type.rawValue) needs --scope with the purposes it concerns, e.g. --scope marketing.*")
            }
            if !correct.isEmpty && type != .rectification {
                throw ValidationError("--correct applies only to --type rectification")
            }
            _ = try corrections()
        }

        func corrections() throws -> [Correction] {
            try correct.map { text -> Correction in
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                let target = parts.first?.split(separator: ".").map(String.init) ?? []
                guard parts.count == 2, target.count == 2 else { throw ValidationError("--correct takes dataset.column=value") }
                return Correction(dataset: target[0], column: target[1], newValue: parts[1])
            }
        }

        func run() async throws {
            let corrections = try corrections()
            if let client = options.client(actor) {
                let fields: [String: Any?] = [
                    "type": type.rawValue, "jurisdiction": jurisdiction.rawValue, "channel": channel.rawValue, "email": email, "phone": phone,
                    "customer": customer, "scope": scope.isEmpty ? nil : scope,
                    "corrections": corrections.isEmpty ? nil : corrections.map { ["dataset": $0.dataset, "column": $0.column, "value": $0.newValue] },
                ]
                let filed = try await withService { try await client.post("/v1/requests", fields).decode(DSRCommand.View.self) }
                return print("\(filed.id) received; due \(filed.due) (\(filed.jurisdiction)); "
                    + "if the details match our records, a code goes to the contact we hold")
            }
            let contact: DeliveryContact
            do {
                contact = try email.map(DeliveryContact.emailAddress) ?? DeliveryContact.phoneNumber(phone ?? "")
            } catch {
                throw ValidationError("\(error)")
            }
            let request = try withEngine(options) {
                try $0.rights.fileRequest(type: type, jurisdiction: jurisdiction, channel: channel, contact: contact, customer: customer,
                                   scope: scope.isEmpty ? nil : scope, corrections: corrections, actor: actor.actor)
            }
            // The same answer whether or not the details match a customer: no oracle.
            print("\(request.id) received; due \(request.dueDate.iso8601) (\(jurisdiction.rawValue)); "
                + "if the details match our records, a code goes to the contact we hold")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a one-time code to the requester (--send) or check the code they return (--code).",
            discussion: """
                --code checks against the latest code sent for the request; --challenge names another one (the id \
                --send printed). Exits 1 unless the code was sent or verified.
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        @Flag(help: "Send a code to the contact on file (sealed outbox, then the mail system).") var send = false
        @Option(help: "The code the requester returned.") var code: String?
        @Option(help: "Challenge id printed by --send (default: the latest code sent for the request).") var challenge: String?

        func validate() throws {
            switch (send, code) {
            case (false, nil): throw ValidationError("give --send to send a code, or --code CODE to check the one the requester returned")
            case (true, .some): throw ValidationError("--send and --code exclude each other: send a code first, check it in a second run")
            case (true, nil): if challenge != nil { throw ValidationError("--challenge goes with --code, not --send") }
            case (false, .some): break
            }
        }

        func run() async throws {
            if let client = options.client(actor) {
                let path = "/v1/requests/\(Remote.segment(request))/"
                let result = try await withService {
                    try await (send ? client.post(path + "send-code") : client.post(path + "verify", ["code": code, "challenge_id": challenge]))
                        .decode(DSRCommand.Verification.self)
                }
                print(result.outcome + (result.challenge.map { " (challenge \($0))" } ?? ""))
                if !["issued", "verified"].contains(result.outcome) { throw ExitCode.failure }
                return
            }
            let result = try withEngine(options) { engine -> VerificationResult in
                if send { return try engine.rights.sendVerificationCode(request, actor: actor.actor) }
                guard let challenge = try challenge ?? engine.rights.latestVerificationChallenge(forRequest: request, actor: actor.actor) else {
                    throw CommandFailure("no code has been sent for \(request); run `custos dsr verify \(request) --send` first")
                }
                return try engine.rights.checkVerificationCode(request, challenge: challenge, code: code ?? "", actor: actor.actor)
            }
            print("\(result.outcome.name)" + (result.challengeID.map { " (challenge \($0))" } ?? ""))
            if !["issued", "verified"].contains(result.outcome.name) { throw ExitCode.failure }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a verified request (compliance officer).", discussion: "Prints the request's new state.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        func run() async throws {
            if let client = options.client(actor) {
                return print(try await withService { try await client.post("/v1/requests/\(Remote.segment(request))/approve").decode(DSRCommand.View.self) }.state)
            }
            print("\(try withEngine(options) { try $0.rights.approveRequest(request, actor: actor.actor) }.state.rawValue)")
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refuse a request with reasons (compliance officer); the requester is told, with their remedies.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        @Option(parsing: .upToNextOption, help: "Reasons (the notice adds the right to complain and to a judicial remedy).") var reason: [String]
        func run() async throws {
            if let client = options.client(actor) {
                return print(try await withService {
                    try await client.post("/v1/requests/\(Remote.segment(request))/refuse", ["reasons": reason]).decode(DSRCommand.View.self)
                }.state)
            }
            print("\(try withEngine(options) { try $0.rights.refuseRequest(request, reasons: reason, actor: actor.actor) }.state.rawValue)")
        }
    }

    struct Extend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Extend a GDPR request's deadline by 1 or 2 months, with reasons, before it is due (compliance officer).")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        @Option(help: "Further months (1 or 2, GDPR only).") var months = 2
        @Option(parsing: .upToNextOption, help: "Reasons, told to the requester.") var reason: [String]

        func validate() throws {
            guard (1...2).contains(months) else { throw ValidationError("--months must be 1 or 2 (GDPR art. 12(3) allows two further months)") }
        }

        func run() async throws {
            if let client = options.client(actor) {
                let r = try await withService {
                    try await client.post("/v1/requests/\(Remote.segment(request))/extend", ["reasons": reason, "months": months]).decode(DSRCommand.View.self)
                }
                return print("extended; now due \(r.due)")
            }
            let r = try withEngine(options) { try $0.rights.extendRequest(request, months: months, reasons: reason, actor: actor.actor) }
            print("extended; now due \(r.dueDate.iso8601)")
        }
    }

    struct Fulfil: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Carry out an approved request (copy, export, correct, erase, restrict …) and deliver the answer to the outbox.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        func run() async throws {
            if let client = options.client(actor) {
                let outcome = try await withService {
                    try await client.post("/v1/requests/\(Remote.segment(request))/fulfil").decode(DSRCommand.Fulfilment.self)
                }
                return Self.show(summary: outcome.summary, files: outcome.files.map { ($0.name, $0.sha256) }, outboxMessage: outcome.outboxMessage,
                                 delivered: outcome.delivered)
            }
            let outcome = try withEngine(options) { try $0.rights.fulfilRequest(request, actor: actor.actor) }
            Self.show(summary: outcome.summary, files: outcome.files.map { ($0.name, $0.sha256) }, outboxMessage: outcome.outboxMessage,
                      delivered: outcome.delivered)
        }

        static func show(summary: String, files: [(String, String)], outboxMessage: String?, delivered: Bool) {
            print("fulfilled: \(summary)")
            for (name, sha256) in files { print("  \(name)  sha256:\(sha256)") }
            if let message = outboxMessage {
                print(delivered ? "  handed to the mail system"
                                : "  sealed in outbox/\(message) until the mail system takes it (`custos dsr outbox --deliver`)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The register: every request with its state and due date; overdue ones flagged.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        func run() async throws {
            if let client = options.client(actor) {
                let rows = try await withService { try await client.send("GET", "/v1/requests").decode(DSRCommand.Register.self) }.requests
                return print(Self.text(rows.map { ($0.id, $0.type, $0.jurisdiction, $0.state, $0.due, $0.overdue) }))
            }
            let rows = try withEngine(options) { try $0.rights.requestRegister(actor: actor.actor) }
            print(Self.text(rows.map { ($0.id, $0.type, $0.jurisdiction, $0.state, $0.due, $0.overdue) }))
        }

        /// One line per request; overdue ones flagged.
        static func text(_ rows: [(id: String, type: String, jurisdiction: String, state: String, due: String, overdue: Bool)]) -> String {
            rows.isEmpty ? "no requests" : rows.map { "\($0.id)  \($0.type.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.jurisdiction)  \($0.state.padding(toLength: 17, withPad: " ", startingAt: 0)) due \($0.due)\($0.overdue ? "  OVERDUE" : "")" }.joined(separator: "\n")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request: type, state, dates and every step taken, by whom.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        func run() async throws {
            if let client = options.client(actor) {
                let r = try await withService { try await client.send("GET", "/v1/requests/\(Remote.segment(request))").decode(DSRCommand.View.self) }
                print("\(r.id)  \(r.type)  \(r.jurisdiction)  \(r.state)  received \(r.receivedOn)  due \(r.due)")
                for step in r.history ?? [] { print("  \(Remote.time(step.at))  \(step.step)  by \(step.principal) (\(step.role))") }
                return
            }
            let r = try withEngine(options) { try $0.rights.request(request, actor: actor.actor) }
            print("\(r.id)  \(r.type.rawValue)  \(r.jurisdiction.rawValue)  \(r.state.rawValue)  received \(r.receivedOn.iso8601)  due \(r.dueDate.iso8601)")
            for event in r.history { print("  \(event.at)  \(event.step.name)  by \(event.actor.principal) (\(event.actor.role))") }
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place or lift a legal hold on a customer (compliance officer).",
            discussion: """
                Under a hold the customer's data is kept and processed only for storage and security; only the \
                legal_hold_custodian role reads it. An erasure request fulfilled meanwhile restricts processing and \
                waits: it is carried out when the last hold is lifted. Both steps are audited.
                """,
            subcommands: [Place.self, Lift.self])

        struct Place: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Place a legal hold for a case.")
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var actor: ActorOptions
            @Option(help: "The customer's id or email.") var customer: String
            @Option(name: .customLong("case"), help: "Internal case reference (letters, digits, . _ / -; never a name).") var caseReference: String
            func run() async throws {
                if let client = options.client(actor) {
                    let done = try await withService {
                        try await client.post("/v1/legal-holds/place", ["customer": customer, "case": caseReference]).decode(DSRCommand.Done.self)
                    }
                    return print(done.message)
                }
                try withEngine(options) { try $0.rights.placeLegalHold(customer: customer, caseReference: caseReference, actor: actor.actor) }
                print("legal hold placed (case \(caseReference)): data kept, processing restricted to storage and security")
            }
        }

        struct Lift: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Lift a case's legal hold; deferred erasures then go ahead.")
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var actor: ActorOptions
            @Option(help: "The customer's id or email.") var customer: String
            @Option(name: .customLong("case"), help: "The case reference the hold was placed for.") var caseReference: String
            func run() async throws {
                if let client = options.client(actor) {
                    let release = try await withService {
                        try await client.post("/v1/legal-holds/lift", ["customer": customer, "case": caseReference]).decode(DSRCommand.HoldLifted.self)
                    }
                    return Self.show(caseReference: caseReference, holdsLeft: release.holdsLeft, erasures: release.erasuresCompleted)
                }
                let release = try withEngine(options) { try $0.rights.liftLegalHold(customer: customer, caseReference: caseReference, actor: actor.actor) }
                Self.show(caseReference: caseReference, holdsLeft: release.holdsLeft, erasures: release.erasuresCompleted)
            }

            static func show(caseReference: String, holdsLeft: Int, erasures: [String]) {
                let release = (holdsLeft: holdsLeft, erasuresCompleted: erasures)
                print("legal hold lifted (case \(caseReference)); \(release.holdsLeft) other holds remain")
                for id in release.erasuresCompleted { print("  deferred erasure \(id) carried out (crypto-shredding)") }
            }
        }
    }

    struct Outbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The sealed outbox (compliance officer): count waiting messages, purge those past retention, --deliver retries the mail system.",
            discussion: "Messages are sealed at rest and deleted once outbox.sendmail (organisation.yaml) accepted them.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Flag(help: "Hand every waiting email to the mail system.") var deliver = false
        func run() async throws {
            if let client = options.client(actor) {
                let r = try await withService { try await client.post("/v1/outbox/run", ["deliver": deliver]).decode(DSRCommand.OutboxResult.self) }
                return print("\(r.waiting) waiting (sealed), \(r.delivered) delivered, \(r.purged) purged past retention")
            }
            let result = try withEngine(options) { try $0.rights.runOutbox(deliver: deliver, actor: actor.actor) }
            print("\(result.waiting) waiting (sealed), \(result.delivered) delivered, \(result.purged) purged past retention")
        }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Compliance reports.",
        discussion: "The audit report is `custos audit report`; job results are pages written by `custos mine --format html`.",
        subcommands: [ROPA.self])

    struct ROPA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ropa", abstract: "GDPR art. 30 record of processing activities, from the policies and datasets.",
            discussion: """
                Prints a summary; --format html or --output FILE writes the full record (JSON with --format json or a .json file). \
                With --server: GET /v1/reports/ropa, as the principal of $CUSTOS_TOKEN (a compliance officer or operator).
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let format = output.resolvedFormat
            if let client = options.client(token: nil, role: nil) {
                try output.checkDestination(workspace: options.url)
                // Text is summarised here from the JSON, exactly as local mode does.
                let text = try await withService {
                    try await client.send("GET", "/v1/reports/ropa", accept: format == .html ? "text/html" : "application/json").text
                }
                return try output.emit(format == .text ? try ReportSummary.processing(json: text) : text, workspace: options.url)
            }
            let text = try withEngine(options) { try $0.reports.recordOfProcessing(format: format == .html ? "html" : "json") }
            try output.emit(format == .text ? try ReportSummary.processing(json: text) : text, workspace: options.url)
        }
    }
}
