import CustosEngine
import CustosGovernance
import Foundation
import Hummingbird

/// The consent ledger: importing a file (streamed, as a job), recording one grant or withdrawal,
/// and a customer's history (officers; audited). The customer is always in the body, never in the
/// URL, so no identifier reaches access logs or proxies. The engine authorises and audits.
struct ConsentRoutes: RouteGroup {
    let service: CustosService

    /// One grant or withdrawal, as `custos consent grant|withdraw` takes it.
    struct Change: Codable {
        var customer: String
        var identifierColumn: String?
        var purpose: String
        var language: String?
        var channel: String?
        var collector: String?
        var separate: Bool?
        enum CodingKeys: String, CodingKey {
            case customer, identifierColumn = "identifier_column", purpose, language, channel, collector, separate
        }
    }

    struct Recorded: Codable {
        let action: String
        let purpose: String
        let message: String
    }

    struct Imported: Codable { let records: Int; let subjects: Int }

    struct HistoryRequest: Codable { var customer: String }

    /// A customer's consent records and processing state.
    struct History: Codable {
        struct Record: Codable {
            let time: String
            let purpose: String
            let purposeVersion: Int
            let action: String
            let noticeVersion: String
            let language: String
            let channel: String
            let collector: String
            let separate: Bool
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

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.post("consent/import") { request, context in
            let identity = try context.requireIdentity()
            let column = request.uri.queryParameters.get("identifier_column").map { String($0) } ?? "customer_id"
            guard AuthenticationMiddleware.isLowerSnakeName(column) else {
                throw Problem.badRequest("identifier_column names a column (lower-case letters, digits and _), e.g. customer_id or email")
            }
            let spool = try await service.receiveUpload(request, context: context)
            try spool.requireHeader(naming: column)
            let engine = service.engine
            let caller = identity.caller
            let resource = try await service.startJob(kind: "consent-import", identity: identity, cleanup: { spool.shred() }) { _ in
                let result = try await service.blocking { try engine.consent.importConsents(file: spool.file, identifierColumn: column, actor: caller) }
                return try JobPayload(Imported(records: result.records, subjects: result.subjects),
                                      text: "imported \(result.records) consent records for \(result.subjects) subjects")
            }
            return try await service.jobResponse(resource, request: request, identity: identity)
        }
        for action in [ConsentAction.granted, .withdrawn] {
            group.post(RouterPath(action == .granted ? "consent/grant" : "consent/withdraw")) { request, context in
                let caller = try context.requireIdentity().caller
                let change = try await service.body(Change.self, request: request, context: context)
                let engine = service.engine
                _ = try await service.blocking {
                    try engine.consent.recordConsent(identifierColumn: change.identifierColumn ?? "customer_id", identifier: change.customer,
                                                     purpose: change.purpose, action: action, language: change.language ?? "en",
                                                     channel: change.channel ?? "api", collector: change.collector ?? "custos-api",
                                                     separate: change.separate ?? false, actor: caller)
                }
                return try Reply.json(Recorded(action: action.rawValue, purpose: change.purpose,
                                               message: "consent \(action.rawValue) for \(change.purpose) (takes effect for the next job)"))
            }
        }
        group.post("consent/history") { request, context in
            let caller = try context.requireIdentity().caller
            let ask = try await service.body(HistoryRequest.self, request: request, context: context)
            let engine = service.engine
            let history = try await service.blocking { try engine.controls.consentHistory(customer: ask.customer, actor: caller) }
            let formatter = ISO8601DateFormatter()
            let state = history.state
            return try Reply.json(History(
                records: history.records.map {
                    History.Record(time: formatter.string(from: $0.time), purpose: $0.purpose, purposeVersion: $0.purposeVersion,
                                   action: $0.action.rawValue, noticeVersion: $0.noticeVersion, language: $0.language, channel: $0.channel,
                                   collector: $0.collector, separate: $0.separateConsent)
                },
                restricted: state.restriction != nil, objections: state.objections.map(\.purposes), legalHolds: state.legalHolds.count))
        }
    }
}
