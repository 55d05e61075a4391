import CustosBase
import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosRights
import CustosSchema
import CustosVault
import Foundation

/// The data-subject request service: the register (sealed), identity verification, officer steps,
/// and fulfilment of access, portability, rectification, erasure, restriction, objection and consent
/// withdrawal. Every state change is audited with its actor; audit entries never hold contact data.
public struct RightsService: EngineService {
    package let context: EngineContext

    /// Fulfilment applies restriction, objection and consent withdrawal through the same services
    /// an officer would use.
    var controls: ProcessingControls { ProcessingControls(context: context) }
    var consent: ConsentService { ConsentService(context: context) }
}

extension RightsService {

    // MARK: Register

    var registerKey: SymmetricKey { get throws { try workspace.keys.derivedKey(label: "custos/dsr-register/v1") } }

    func sealRegister(_ bytes: [UInt8], kind: String, id: String) throws -> [UInt8] {
        try AES.GCM.seal(bytes, using: registerKey, authenticating: Array("custos/register/v1/\(kind)/\(id)".utf8)).combined
    }

    func openRegister(_ sealed: [UInt8], kind: String, id: String) throws -> [UInt8] {
        do {
            return try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: registerKey,
                                    authenticating: Array("custos/register/v1/\(kind)/\(id)".utf8))
        } catch {
            throw VaultError.integrityFailure(dataset: "register:\(kind)", detail: "record \(id)")
        }
    }

    func save(_ request: DataSubjectRequest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let id = request.id.rawValue
        let summary = [request.state.rawValue, request.type.rawValue, request.jurisdiction.rawValue, request.dueDate.iso8601,
                       Value.timestamp(Int64(request.receivedAt.timeIntervalSince1970 * 1000)).rendered()].joined(separator: "|")
        try workspace.registers.putRegisterRecord(kind: DocumentKind.request, id: id, summary: summary,
                                              sealed: try sealRegister(Array(try encoder.encode(request)), kind: DocumentKind.request, id: id))
    }

    /// A request and its history, for an officer or (only its own) the data subject who filed it.
    public func request(_ id: String, actor: Caller) throws -> DataSubjectRequest {
        try authorizedRequest(id, actor: actor, action: .dsrRead)
    }

    /// A request from the register, unchecked: callers authorize first.
    func loadRequest(_ id: String) throws -> DataSubjectRequest {
        guard let sealed = try workspace.registers.registerRecord(kind: DocumentKind.request, id: id) else {
            throw EngineError.notFound("no data-subject request \(id); `custos dsr list` shows the register")
        }
        return try JSONDecoder().decode(DataSubjectRequest.self, from: Data(try openRegister(sealed, kind: DocumentKind.request, id: id)))
    }

    /// The register: one line per request with its state and due date; overdue requests flagged. An
    /// officer sees every request; a `data_subject` principal only its own.
    public func requestRegister(actor: Caller) throws -> [(id: String, state: String, type: String, jurisdiction: String, due: String, overdue: Bool)] {
        let principal = try authorize(actor, .dsrRead, audited: .dsrState, details: ["step": "register"])
        let today = CivilDate(daysSinceEpoch: Int((clock().timeIntervalSince1970 / 86_400).rounded(.down)))
        var records = try workspace.registers.registerRecords(kind: DocumentKind.request)
        if actor.role == StandardRole.dataSubject {
            records = try records.filter { record in
                guard let own = principal.subject else { return false }
                return try loadRequest(record.id).personal.subject == own
            }
        }
        return records.map { record in
            let parts = record.summary.split(separator: "|").map(String.init)
            let closed = parts[0] == "fulfilled" || parts[0] == "refused"
            let due = ValueParser.parseDate(parts[3]).map { CivilDate(daysSinceEpoch: $0) }
            return (record.id, parts[0], parts[1], parts[2], parts[3], !closed && (due.map { $0 < today } ?? false))
        }
    }

    func recordStep(_ request: DataSubjectRequest, summary: [String: String], actor: Caller, decision: AuditDecision = .allow) throws {
        try save(request)
        var details = summary
        details["due"] = request.dueDate.iso8601
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .dsrState, decision: decision,
                              reason: summary["state"] ?? summary["step"], policyVersion: policies.version,
                              requestID: request.id.rawValue, details: details))
    }

    func rightsActor(_ actor: Caller) -> RequestActor { RequestActor(principal: actor.principal, role: actor.role) }

    var deadlines: DeadlineCalculator {
        get throws {
            let holidays = workspace.root.appendingPathComponent("holidays.txt")
            let calendar = FileManager.default.fileExists(atPath: holidays.path) ? try HolidayCalendar.load(contentsOf: holidays) : HolidayCalendar()
            return DeadlineCalculator(calendar: calendar, timeZone: TimeZone(identifier: "Europe/Stockholm") ?? .gmt)
        }
    }

    var organisation: Organisation {
        get throws { try Organisation.load(workspace.root.appendingPathComponent("organisation.yaml")) }
    }

    /// The sealed outbox, handing email to the configured sendmail program (or the in-process override).
    var outbox: OutboxSender {
        get throws {
            let file = workspace.root.appendingPathComponent("organisation.yaml")
            let settings = FileManager.default.fileExists(atPath: file.path) ? try organisation.outbox : Organisation.OutboxSettings()
            let transport = try context.mailTransportOverride ?? settings.sendmail.map { try SendmailTransport(program: $0) }
            return OutboxSender(directory: workspace.outboxDirectory, key: try workspace.keys.derivedKey(label: "custos/outbox/v1"),
                                messageIDDomain: "custos.local", transport: transport, retention: TimeInterval(settings.retentionDays) * 86_400)
        }
    }

    // MARK: Lifecycle

    /// Records a new request (received), computes its due date and audits it. `contact` is what the
    /// requester typed: codes and answers go only to the matching contact on file for the customer
    /// named (see ``resolveRequester``); a request matching none is recorded and answered the same
    /// way, and nothing is ever sent for it. A `data_subject` principal files only about itself.
    public func fileRequest(
        type: RequestType, jurisdiction: Jurisdiction, channel: RequestChannel, contact: DeliveryContact, customer: String?,
        scope: [String]? = nil, corrections: [Correction] = [], receivedAt: Date? = nil, actor: Caller
    ) throws -> DataSubjectRequest {
        let principal = try authorize(actor, .dsrFile, audited: .dsrState, details: ["type": type.rawValue])
        try contact.validate()
        let requester = try resolveRequester(principal: principal, actor: actor, reference: customer, contact: contact)
        let request = try DataSubjectRequest(
            jurisdiction: jurisdiction, type: type, channel: channel,
            personal: RequestPersonalData(contact: contact, subjectReference: requester.reference, corrections: corrections,
                                          subject: requester.subject?.hex, contactOnFile: requester.contactOnFile),
            scope: try scope.map { try ProcessingScope(purposes: $0) }, receivedAt: receivedAt ?? clock(),
            recordedBy: rightsActor(actor), calculator: try deadlines)
        try recordStep(request, summary: request.latestAuditSummary, actor: actor)
        return request
    }

    var verifier: IdentityVerifier {
        get throws {
            try IdentityVerifier(key: try workspace.keys.derivedKey(label: "custos/dsr-verification/v1"), fromAddress: try organisation.mailFrom,
                                 organisation: try organisation.controller.name, now: clock)
        }
    }

    func ledger() throws -> VerificationLedger {
        guard let sealed = try workspace.registers.registerRecord(kind: DocumentKind.ledger, id: "ledger") else { return VerificationLedger() }
        return try JSONDecoder().decode(VerificationLedger.self, from: Data(try openRegister(sealed, kind: DocumentKind.ledger, id: "ledger")))
    }

    func saveLedger(_ ledger: VerificationLedger) throws {
        try workspace.registers.putRegisterRecord(kind: DocumentKind.ledger, id: "ledger", summary: "",
                                              sealed: try sealRegister(Array(try JSONEncoder().encode(ledger)), kind: DocumentKind.ledger, id: "ledger"))
    }

    /// Sends a one-time code to the contact on file (outbox) and audits the outcome.
    public func sendVerificationCode(_ id: String, actor: Caller) throws -> VerificationResult {
        let request = try authorizedRequest(id, actor: actor, action: .dsrVerify)
        var ledger = try ledger()
        let result = try verifier.issueChallenge(for: request, ledger: &ledger, sender: try outbox)
        try saveLedger(ledger)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .dsrState,
                              decision: result.outcome.name == "issued" ? .allow : .deny, reason: "identity verification: \(result.outcome.name)",
                              requestID: id, details: result.auditSummary))
        return result
    }

    /// Checks a one-time code; on success the request moves to identity verified. Every outcome is audited.
    public func checkVerificationCode(_ id: String, challenge: String, code: String, actor: Caller) throws -> VerificationResult {
        var request = try authorizedRequest(id, actor: actor, action: .dsrVerify)
        var ledger = try ledger()
        let result = try verifier.verify(code: code, challengeID: challenge, requestID: request.id, ledger: &ledger)
        try saveLedger(ledger)
        let verified = result.outcome == .verified
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .dsrState, decision: verified ? .allow : .deny,
                              reason: "identity verification: \(result.outcome.name)", requestID: id, details: result.auditSummary))
        if verified {
            let summary = try request.verifyIdentity(method: .oneTimeCode, by: rightsActor(actor), at: clock())
            try recordStep(request, summary: summary, actor: actor)
        }
        return result
    }

    /// The officer's approval; needs the compliance officer role.
    public func approveRequest(_ id: String, actor: Caller) throws -> DataSubjectRequest {
        try requireOfficerAudited(actor, step: "dsr approve", action: .dsrState)
        var request = try loadRequest(id)
        let summary = try request.approve(by: rightsActor(actor), at: clock())
        try recordStep(request, summary: summary, actor: actor)
        return request
    }

    /// A refusal with reasons and the notice of the right to complain and to a judicial remedy.
    public func refuseRequest(_ id: String, reasons: [String], actor: Caller) throws -> DataSubjectRequest {
        try requireOfficerAudited(actor, step: "dsr refuse", action: .dsrState)
        var request = try loadRequest(id)
        let authority = request.jurisdiction == .pipl ? try organisation.piplAuthority : try organisation.supervisoryAuthority
        let notice = RefusalNotice(reasons: reasons, supervisoryAuthority: authority, remediesStatement: RightsText.remedies(request.jurisdiction))
        let summary = try request.refuse(notice, by: rightsActor(actor), at: clock())
        try recordStep(request, summary: summary, actor: actor)
        // To the contact on file; a request that matched none is answered where it came from (the
        // refusal carries only the officer's reasons, the same for a stranger as for an unknown person).
        _ = try outbox.send(OutgoingMessage(from: try organisation.mailFrom, to: request.personal.contactOnFile ?? request.personal.contact,
                                            subject: "Your request \(id)",
                                            body: "We cannot fulfil your request \(id).\n\nReasons:\n" + reasons.map { "- \($0)" }.joined(separator: "\n")
                                                + "\n\n\(notice.remediesStatement)\nSupervisory authority: \(authority.name), \(authority.contact)\n",
                                            date: clock()))
        return request
    }

    /// Extends the deadline (GDPR only) with reasons, before the original due date.
    public func extendRequest(_ id: String, months: Int, reasons: [String], actor: Caller) throws -> DataSubjectRequest {
        try requireOfficerAudited(actor, step: "dsr extend", action: .dsrState)
        var request = try loadRequest(id)
        let summary = try request.extend(ExtensionNotice(reasons: reasons, additionalMonths: months, noticeSentAt: clock()),
                                         by: rightsActor(actor), at: clock(), calculator: try deadlines)
        try recordStep(request, summary: summary, actor: actor)
        return request
    }

    func requireOfficer(_ actor: Caller) throws {
        guard let principal = policies.principals.authenticate(principal: actor.principal, token: actor.token ?? ""),
              principal.roles.contains(actor.role), actor.role == "compliance_officer"
        else { throw EngineError.denied("only an authenticated compliance officer can take this step") }
    }
}
