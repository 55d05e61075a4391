import CustosBase
import CustosEngine
import CustosRights
import Foundation
import Hummingbird

/// Data-subject requests, every step of `custos dsr`: file, list, show, send a code and check it,
/// approve, refuse, extend, fulfil, download the answer; legal holds; the outbox. Request ids are
/// not personal data and go in paths; customer identifiers and contacts only in bodies. The engine
/// authorises each step (officer steps, a data subject's own requests) and audits it.
struct RequestRoutes: RouteGroup {
    let service: CustosService

    struct Filing: Codable {
        struct Fix: Codable { var dataset: String; var column: String; var value: String }
        var type: String
        var jurisdiction: String?
        var channel: String?
        var email: String?
        var phone: String?
        var customer: String?
        var scope: [String]?
        var corrections: [Fix]?
    }

    /// A request as the register shows it: kind, state, dates and steps; no contact, no customer reference.
    struct View: Codable {
        struct Step: Codable { let at: String; let step: String; let principal: String; let role: String }
        let id: String
        let type: String
        let jurisdiction: String
        let state: String
        let receivedOn: String
        let due: String
        let history: [Step]?
        let message: String?
        enum CodingKeys: String, CodingKey {
            case id, type, jurisdiction, state, receivedOn = "received_on", due, history, message
        }

        init(_ r: DataSubjectRequest, message: String? = nil) {
            let formatter = ISO8601DateFormatter()
            id = r.id.description
            type = r.type.rawValue
            jurisdiction = r.jurisdiction.rawValue
            state = r.state.rawValue
            receivedOn = r.receivedOn.iso8601
            due = r.dueDate.iso8601
            history = r.history.map { Step(at: formatter.string(from: $0.at), step: $0.step.name, principal: $0.actor.principal, role: $0.actor.role) }
            self.message = message
        }
    }

    struct Entry: Codable {
        let id: String, type: String, jurisdiction: String, state: String, due: String, overdue: Bool
    }
    struct Register: Codable { let requests: [Entry] }

    struct Verification: Codable {
        let outcome: String
        let challenge: String?
        enum CodingKeys: String, CodingKey { case outcome, challenge = "challenge_id" }
    }
    struct CodeCheck: Codable {
        var code: String
        var challenge: String?
        enum CodingKeys: String, CodingKey { case code, challenge = "challenge_id" }
    }
    struct Reasons: Codable { var reasons: [String]; var months: Int? }
    struct Fulfilment: Codable {
        struct File: Codable { let name: String; let sha256: String }
        let request: View
        let summary: String
        let files: [File]
        let outboxMessage: String?
        let delivered: Bool
        enum CodingKeys: String, CodingKey { case request, summary, files, outboxMessage = "outbox_message", delivered }
    }
    struct Answer: Codable {
        struct File: Codable {
            let name: String
            let mediaType: String
            let contentBase64: String
            enum CodingKeys: String, CodingKey { case name, mediaType = "media_type", contentBase64 = "content_base64" }
        }
        let files: [File]
    }
    struct Hold: Codable {
        var customer: String
        var caseReference: String
        enum CodingKeys: String, CodingKey { case customer, caseReference = "case" }
    }
    struct HoldLifted: Codable {
        let holdsLeft: Int
        let erasuresCompleted: [String]
        enum CodingKeys: String, CodingKey { case holdsLeft = "holds_left", erasuresCompleted = "erasures_completed" }
    }
    struct OutboxRun: Codable { var deliver: Bool? }
    struct OutboxResult: Codable { let waiting: Int; let delivered: Int; let purged: Int }
    struct Done: Codable { let message: String }

    func register(on group: RouterGroup<CustosRequestContext>) {
        let engine = service.engine
        group.post("requests") { request, context in
            let caller = try context.requireIdentity().caller
            let filing = try await service.body(Filing.self, request: request, context: context)
            let (type, jurisdiction, channel, contact, corrections) = try Self.validate(filing)
            let filed = try await service.blocking {
                try engine.rights.fileRequest(type: type, jurisdiction: jurisdiction, channel: channel, contact: contact, customer: filing.customer,
                                              scope: filing.scope, corrections: corrections, actor: caller)
            }
            // The same answer whether or not the details match a customer: no oracle.
            return try Reply.json(View(filed, message: "received; if the details match our records, a code goes to the contact we hold"),
                                  status: .created, headers: [.location: "/v1/requests/\(filed.id)"])
        }
        group.get("requests") { _, context in
            let caller = try context.requireIdentity().caller
            let rows = try await service.blocking { try engine.rights.requestRegister(actor: caller) }
            return try Reply.json(Register(requests: rows.map {
                Entry(id: $0.id, type: $0.type, jurisdiction: $0.jurisdiction, state: $0.state, due: $0.due, overdue: $0.overdue)
            }))
        }
        group.get("requests/{id}") { _, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            return try Reply.json(View(try await service.blocking { try engine.rights.request(id, actor: caller) }))
        }
        group.post("requests/{id}/send-code") { _, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            let result = try await service.blocking { try engine.rights.sendVerificationCode(id, actor: caller) }
            return try Reply.json(Verification(outcome: result.outcome.name, challenge: result.challengeID))
        }
        group.post("requests/{id}/verify") { request, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            let check = try await service.body(CodeCheck.self, request: request, context: context)
            let result = try await service.blocking { () throws -> VerificationResult in
                guard let challenge = try check.challenge ?? engine.rights.latestVerificationChallenge(forRequest: id, actor: caller) else {
                    throw Problem("no-code-sent", status: 409, title: "No code sent",
                                  detail: "no code has been sent for \(id); POST /v1/requests/\(id)/send-code first")
                }
                return try engine.rights.checkVerificationCode(id, challenge: challenge, code: check.code, actor: caller)
            }
            return try Reply.json(Verification(outcome: result.outcome.name, challenge: result.challengeID))
        }
        group.post("requests/{id}/approve") { _, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            return try Reply.json(View(try await service.blocking { try engine.rights.approveRequest(id, actor: caller) }))
        }
        group.post("requests/{id}/refuse") { request, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            let body = try await service.body(Reasons.self, request: request, context: context)
            guard !body.reasons.isEmpty else { throw Problem.badRequest("give the reasons for refusing (they are told to the requester)") }
            return try Reply.json(View(try await service.blocking { try engine.rights.refuseRequest(id, reasons: body.reasons, actor: caller) }))
        }
        group.post("requests/{id}/extend") { request, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            let body = try await service.body(Reasons.self, request: request, context: context)
            let months = body.months ?? 2
            guard (1...2).contains(months) else { throw Problem.badRequest("months must be 1 or 2 (GDPR art. 12(3) allows two further months)") }
            guard !body.reasons.isEmpty else { throw Problem.badRequest("give the reasons for the extension (they are told to the requester)") }
            return try Reply.json(View(try await service.blocking {
                try engine.rights.extendRequest(id, months: months, reasons: body.reasons, actor: caller)
            }))
        }
        group.post("requests/{id}/fulfil") { _, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            let outcome = try await service.blocking { try engine.rights.fulfilRequest(id, actor: caller) }
            return try Reply.json(Fulfilment(request: View(outcome.request), summary: outcome.summary,
                                             files: outcome.files.map { .init(name: $0.name, sha256: $0.sha256) },
                                             outboxMessage: outcome.outboxMessage, delivered: outcome.delivered))
        }
        group.get("requests/{id}/answer") { _, context in
            let caller = try context.requireIdentity().caller
            let id = try context.parameters.require("id")
            let files = try await service.blocking { try engine.rights.downloadAnswer(id, actor: caller) }
            return try Reply.json(Answer(files: files.map {
                .init(name: $0.name, mediaType: $0.mediaType, contentBase64: $0.contents.base64EncodedString())
            }))
        }
        group.post("legal-holds/place") { request, context in
            let caller = try context.requireIdentity().caller
            let hold = try await service.body(Hold.self, request: request, context: context)
            try await service.blocking { try engine.rights.placeLegalHold(customer: hold.customer, caseReference: hold.caseReference, actor: caller) }
            return try Reply.json(Done(message: "legal hold placed (case \(hold.caseReference)): data kept, processing restricted to storage and security"))
        }
        group.post("legal-holds/lift") { request, context in
            let caller = try context.requireIdentity().caller
            let hold = try await service.body(Hold.self, request: request, context: context)
            let release = try await service.blocking {
                try engine.rights.liftLegalHold(customer: hold.customer, caseReference: hold.caseReference, actor: caller)
            }
            return try Reply.json(HoldLifted(holdsLeft: release.holdsLeft, erasuresCompleted: release.erasuresCompleted))
        }
        group.post("outbox/run") { request, context in
            let caller = try context.requireIdentity().caller
            let run = request.headers[.contentLength] == nil || request.headers[.contentLength] == "0"
                ? OutboxRun() : try await service.body(OutboxRun.self, request: request, context: context)
            let result = try await service.blocking { try engine.rights.runOutbox(deliver: run.deliver ?? false, actor: caller) }
            return try Reply.json(OutboxResult(waiting: result.waiting, delivered: result.delivered, purged: result.purged))
        }
    }

    /// The filing's enumerations, contact and corrections, or a refusal naming the field (never its value).
    static func validate(_ f: Filing) throws -> (RequestType, Jurisdiction, RequestChannel, DeliveryContact, [Correction]) {
        func pick<T: RawRepresentable & CaseIterable>(_ value: String?, _ field: String, default fallback: T) throws -> T where T.RawValue == String {
            guard let value else { return fallback }
            guard let parsed = T(rawValue: value) else {
                throw Problem.badRequest("\(field) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return parsed
        }
        guard let type = RequestType(rawValue: f.type) else {
            throw Problem.badRequest("type must be one of \(RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let jurisdiction = try pick(f.jurisdiction, "jurisdiction", default: Jurisdiction.gdpr)
        let channel = try pick(f.channel, "channel", default: RequestChannel.email)
        guard (f.email == nil) != (f.phone == nil) else { throw Problem.badRequest("give the requester's contact: email or phone (one of them)") }
        if type.requiresScope && (f.scope ?? []).isEmpty {
            throw Problem.badRequest("a \(type.rawValue) request needs scope with the purposes it concerns, e.g. [\"marketing.*\"]")
        }
        if !(f.corrections ?? []).isEmpty && type != .rectification { throw Problem.badRequest("corrections apply only to rectification requests") }
        let contact: DeliveryContact
        do {
            contact = try f.email.map(DeliveryContact.emailAddress) ?? DeliveryContact.phoneNumber(f.phone ?? "")
        } catch {
            throw Problem.badRequest(f.email == nil ? "phone is not a phone number (digits, optionally with a leading +)" : "email is not an email address")
        }
        let corrections = (f.corrections ?? []).map { Correction(dataset: $0.dataset, column: $0.column, newValue: $0.value) }
        return (type, jurisdiction, channel, contact, corrections)
    }
}
