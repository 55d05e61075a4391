import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosRights
import CustosSchema
import CustosVault
import Foundation

/// Who a request is about and where its answers may go. Two attacks shape this file (issue 10):
/// a requester who names a victim and types their own address (item 6), and a `data_subject`
/// principal acting on someone else's requests (item 7).
///
/// - Codes and answers go only to a contact the controller already holds for the subject (email or
///   phone in `customers`, read under a subject-scoped decision). A request whose typed contact
///   matches nothing on file is recorded and answered exactly like one for an unknown person, and
///   nothing is ever sent for it.
/// - A `data_subject` principal files only about the subject it is bound to, and can send or check
///   codes, read the status of and download the answer to only its own requests; anything else gets
///   the same "no such request" as an id that does not exist, and is audited.
extension RightsService {
    /// What the engine found about the requester when a request was filed.
    struct Requester {
        var subject: SubjectID?
        var reference: String?
        var contactOnFile: DeliveryContact?
    }

    /// The columns of `customers` that hold contacts a code may be sent to.
    static let contactColumns = ["customer_id", "email", "phone"]

    /// Resolves the subject a request is about, and the contact on file matching `contact`.
    func resolveRequester(principal: Principal, actor: Caller, reference: String?, contact: DeliveryContact) throws -> Requester {
        var subject: SubjectID?
        if actor.role == StandardRole.dataSubject {
            // Bound to one subject: the reference, if given, must be theirs. Unknown and someone else's
            // get the same refusal, so the refusal tells nobody who is a customer.
            let own = principal.subject.flatMap(SubjectID.init(hex:))
            let named = try reference.map { try lookupSubject(identifierColumn: Self.identifierColumn(of: $0), value: $0) }
            if let named, named != own || own == nil {
                let reason = "a data subject may file requests only about themselves; the customer reference given is not this principal's"
                try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .dsrState, decision: .deny,
                                      reason: reason, policyVersion: policies.version, details: ["requested_action": "dsr.file"]))
                throw EngineError.denied(reason)
            }
            subject = own
        } else if let reference = reference ?? Self.emailOf(contact) {
            subject = try lookupSubject(identifierColumn: Self.identifierColumn(of: reference), value: reference)
        }
        let onFile = try contactsOnFile(of: subject, actor: actor)
        var requester = Requester(subject: subject, reference: reference ?? onFile.customerID, contactOnFile: nil)
        switch contact {
        case let .email(address) where onFile.email.map({ constantTimeEquals(Array($0.utf8), Array(address.utf8)) }) == true:
            requester.contactOnFile = .email(address)
        case let .phone(number) where onFile.phone.map({ constantTimeEquals(Array($0.utf8), Array(number.utf8)) }) == true:
            requester.contactOnFile = .phone(number)
        default:
            break
        }
        return requester
    }

    /// The customer id, email and phone held for `subject`, read under the actor's subject-scoped
    /// decision. With no subject the decision is still taken (for a random subject), so the audit log
    /// looks the same whether or not the requester named a customer.
    func contactsOnFile(of subject: SubjectID?, actor: Caller) throws -> (customerID: String?, email: String?, phone: String?) {
        let scope = subject ?? SubjectID(bytes: SecureRandom.bytes(count: 16)) ?? SubjectID(high: 0, low: 0)
        let (_, grant) = try subjectDecision(actor: actor, subject: scope, dataset: "customers", columns: Self.contactColumns)
        guard let subject else { return (nil, nil, nil) }
        var found: (customerID: String?, email: String?, phone: String?) = (nil, nil, nil)
        try workspace.vault.read(grant, dataset: try workspace.catalog.dataset("customers"), columns: Self.contactColumns, subjects: [subject]) { _, values in
            func text(_ value: Value) -> String? { if case let .string(s) = value { return s } else { return nil } }
            found.customerID = found.customerID ?? text(values[0])
            found.email = found.email ?? text(values[1])
            found.phone = found.phone ?? text(values[2])
        }
        return found
    }

    /// The request `id` if `actor` may take `action` on it: an officer on any request, a
    /// `data_subject` principal only on its own. Every refusal is audited; someone else's request
    /// and an unknown id give the same answer.
    func authorizedRequest(_ id: String, actor: Caller, action: AdministrativeAction) throws -> DataSubjectRequest {
        let principal = try authorize(actor, action, audited: .dsrState, requestID: id)
        guard actor.role == StandardRole.dataSubject else { return try loadRequest(id) }
        let request = try? loadRequest(id)
        guard let request, let own = principal.subject, let about = request.personal.subject,
              constantTimeEquals(Array(own.utf8), Array(about.utf8)) else {
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .dsrState, decision: .deny,
                                  reason: "not a request of this data subject", policyVersion: policies.version, requestID: id,
                                  details: ["requested_action": action.rawValue]))
            throw EngineError.notFound("no data-subject request \(id) of yours; check the id in the message that confirmed your request")
        }
        return request
    }

    /// The answer to a fulfilled access or portability request, built afresh for its requester (or an
    /// officer) under their own subject-scoped decisions, for collection through the API.
    public func downloadAnswer(_ id: String, actor: Caller) throws -> [ExportFile] {
        let request = try authorizedRequest(id, actor: actor, action: .dsrRead)
        guard request.state == .fulfilled, request.type == .access || request.type == .portability else {
            throw EngineError.invalidRequest("request \(id) is a \(request.type.rawValue) request in state \(request.state.rawValue); "
                + "only a fulfilled access or portability request has an answer to download")
        }
        guard let subject = request.personal.subject.flatMap(SubjectID.init(hex:)) else {
            throw EngineError.notFound("request \(id) is about no customer held here")
        }
        let files: [ExportFile]
        if request.type == .access {
            files = try AccessReport(requestID: request.id, jurisdiction: request.jurisdiction, generatedAt: clock(),
                                     datasets: try subjectDatasets(subject, actor: actor, includeConsents: true),
                                     information: try processingInformation()).allFiles()
        } else {
            files = try PortabilityExport(requestID: request.id, generatedAt: clock(),
                                          datasets: try subjectDatasets(subject, actor: actor, includeConsents: false)).allFiles()
        }
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .dsrState, decision: .allow,
                              reason: "answer downloaded", policyVersion: policies.version, subjects: [pseudonymForAudit(subject)],
                              subjectCount: 1, requestID: id,
                              details: ["files": String(files.count), "step": "download"]))
        return files
    }

    /// `email` for references that look like an address, else `customer_id`.
    static func identifierColumn(of reference: String) -> String { reference.contains("@") ? "email" : "customer_id" }

    static func emailOf(_ contact: DeliveryContact) -> String? {
        if case let .email(address) = contact { return address }
        return nil
    }
}
