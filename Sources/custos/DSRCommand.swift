import ArgumentParser
import CustosEngine
import CustosRights
import Foundation

struct DSRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsr", abstract: "Data-subject requests (GDPR and PIPL): file, verify, approve, refuse, extend, fulfil, list, show.",
        subcommands: [File.self, Verify.self, Approve.self, Refuse.self, Extend.self, Fulfil.self, List.self, Show.self])

    struct File: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a request as received; prints its id and due date.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Option(help: "access, portability, rectification, erasure, restriction, objection, consent_withdrawal.") var type: String
        @Option(help: "GDPR or PIPL.") var jurisdiction = "GDPR"
        @Option(help: "web, email, post, phone, in_person.") var channel = "email"
        @Option(help: "Where to answer: an email address.") var email: String
        @Option(help: "The customer's id or email as they gave it.") var customer: String
        @Option(parsing: .upToNextOption, help: "Purposes (objection, restriction, consent withdrawal), e.g. marketing.*") var scope: [String] = []
        @Option(parsing: .upToNextOption, help: "Corrections dataset.column=value (rectification).") var correct: [String] = []

        func run() throws {
            guard let type = RequestType(rawValue: type), let jurisdiction = Jurisdiction(rawValue: jurisdiction.uppercased()),
                  let channel = RequestChannel(rawValue: channel) else { throw ValidationError("unknown --type, --jurisdiction or --channel") }
            let corrections = try correct.map { text -> Correction in
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                let target = parts.first?.split(separator: ".").map(String.init) ?? []
                guard parts.count == 2, target.count == 2 else { throw ValidationError("--correct takes dataset.column=value") }
                return Correction(dataset: target[0], column: target[1], newValue: parts[1])
            }
            let request = try withEngine(options) {
                try $0.fileRequest(type: type, jurisdiction: jurisdiction, channel: channel, contact: .email(email), customer: customer,
                                   scope: scope.isEmpty ? nil : scope, corrections: corrections, actor: actor.actor)
            }
            print("\(request.id) received; due \(request.dueDate.iso8601) (\(jurisdiction.rawValue))")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a one-time code to the requester (--send) or check the code they return.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument var request: String
        @Flag(help: "Send a code to the contact on file (outbox).") var send = false
        @Option(help: "Challenge id printed by --send.") var challenge: String?
        @Option(help: "The code the requester returned.") var code: String?

        func run() throws {
            let result = try withEngine(options) { engine -> VerificationResult in
                if send { return try engine.sendVerificationCode(request, actor: actor.actor) }
                guard let challenge, let code else { throw ValidationError("give --send, or --challenge and --code") }
                return try engine.checkVerificationCode(request, challenge: challenge, code: code, actor: actor.actor)
            }
            print("\(result.outcome.name)" + (result.challengeID.map { " (challenge \($0))" } ?? ""))
            if !["issued", "verified"].contains(result.outcome.name) { throw ExitCode.failure }
        }
    }

    struct Approve: ParsableCommand {
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument var request: String
        func run() throws { print("\(try withEngine(options) { try $0.approveRequest(request, actor: actor.actor) }.state.rawValue)") }
    }

    struct Refuse: ParsableCommand {
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument var request: String
        @Option(parsing: .upToNextOption, help: "Reasons (the notice adds the right to complain and to a judicial remedy).") var reason: [String]
        func run() throws { print("\(try withEngine(options) { try $0.refuseRequest(request, reasons: reason, actor: actor.actor) }.state.rawValue)") }
    }

    struct Extend: ParsableCommand {
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument var request: String
        @Option(help: "Further months (1 or 2, GDPR only).") var months = 2
        @Option(parsing: .upToNextOption, help: "Reasons, told to the requester.") var reason: [String]
        func run() throws {
            let r = try withEngine(options) { try $0.extendRequest(request, months: months, reasons: reason, actor: actor.actor) }
            print("extended; now due \(r.dueDate.iso8601)")
        }
    }

    struct Fulfil: ParsableCommand {
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument var request: String
        func run() throws {
            let outcome = try withEngine(options) { try $0.fulfilRequest(request, actor: actor.actor) }
            print("fulfilled: \(outcome.summary)")
            for file in outcome.files { print("  \(file.name)  sha256:\(file.sha256)") }
            if let message = outcome.outboxMessage { print("  delivered to outbox/\(message)") }
        }
    }

    struct List: ParsableCommand {
        @OptionGroup var options: WorkspaceOptions
        func run() throws {
            let rows = try withEngine(options) { try $0.requestRegister() }
            print(rows.isEmpty ? "no requests" : rows.map { "\($0.id)  \($0.type.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.jurisdiction)  \($0.state.padding(toLength: 17, withPad: " ", startingAt: 0)) due \($0.due)\($0.overdue ? "  OVERDUE" : "")" }.joined(separator: "\n"))
        }
    }

    struct Show: ParsableCommand {
        @OptionGroup var options: WorkspaceOptions
        @Argument var request: String
        func run() throws {
            let r = try withEngine(options) { try $0.request(request) }
            print("\(r.id)  \(r.type.rawValue)  \(r.jurisdiction.rawValue)  \(r.state.rawValue)  received \(r.receivedOn.iso8601)  due \(r.dueDate.iso8601)")
            for event in r.history { print("  \(event.at)  \(event.step.name)  by \(event.actor.principal) (\(event.actor.role))") }
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Compliance reports.", subcommands: [ROPA.self])

    struct ROPA: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ropa", abstract: "GDPR art. 30 record of processing activities.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "html or json.") var format = "html"
        @Option(help: "Output file.") var output: String?
        func run() throws { try emit(try withEngine(options) { try $0.recordOfProcessing(format: format) }, to: output) }
    }
}
