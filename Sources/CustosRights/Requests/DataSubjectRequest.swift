import CustosBase
import CustosSchema
import Foundation

/// A data-subject request (GDPR arts. 15-21, PIPL arts. 44-47) and its history.
///
/// Everything except `personal` is case metadata that names no one; `personal` holds the contact
/// and what the requester told us, and the engine seals the whole value in the vault. Steps are
/// recorded through the lifecycle methods (`verifyIdentity`, `approve`, `refuse`, `extend`,
/// `fulfil`), which reject illegal transitions and return the step's audit summary.
public struct DataSubjectRequest: Sendable, Equatable, Codable {
    /// The case reference.
    public let id: DataSubjectRequestID
    /// The law the right is exercised under.
    public let jurisdiction: Jurisdiction
    /// The right exercised.
    public let type: RequestType
    /// How the request arrived.
    public let channel: RequestChannel
    /// The purposes concerned (objection, restriction, consent withdrawal); nil otherwise.
    public let scope: ProcessingScope?
    /// When the request was received.
    public let receivedAt: Date
    /// The controller's time zone, in which dates of receipt and due dates are counted.
    public let timeZone: TimeZone
    /// Contact and requester-supplied details: personal data, to be sealed.
    public let personal: RequestPersonalData
    /// Every step, oldest first; the first is always `received`.
    public private(set) var history: [RequestEvent]

    private let receivedOnDate: ISODate
    private let originalDue: ISODate
    private var due: ISODate

    private enum CodingKeys: String, CodingKey {
        case id, jurisdiction, type, channel, scope, personal, history
        case receivedAt = "received_at"
        case timeZone = "time_zone"
        case receivedOnDate = "received_on"
        case originalDue = "original_due_date"
        case due = "due_date"
    }

    /// The local date of receipt (day one of the time limit).
    public var receivedOn: CivilDate { receivedOnDate.date }
    /// The due date before any extension.
    public var originalDueDate: CivilDate { originalDue.date }
    /// The current due date (moved by an extension).
    public var dueDate: CivilDate { due.date }

    /// The current state, from the last state-changing step.
    public var state: RequestState {
        history.reversed().lazy.compactMap(\.step.resultingState).first ?? .received
    }

    /// Whether the time to respond was extended.
    public var isExtended: Bool {
        history.contains { if case .extended = $0.step { return true } else { return false } }
    }

    /// Records a new request as received and computes its due date.
    ///
    /// Throws when the contact is unusable, the scope is missing for an objection, restriction or
    /// consent withdrawal (or given for another type), or the actor is incomplete.
    public init(
        id: DataSubjectRequestID = DataSubjectRequestID(), jurisdiction: Jurisdiction, type: RequestType, channel: RequestChannel,
        personal: RequestPersonalData, scope: ProcessingScope? = nil, receivedAt: Date, recordedBy actor: RequestActor,
        calculator: DeadlineCalculator
    ) throws {
        try personal.contact.validate()
        try Self.check(actor)
        if type.requiresScope, scope == nil { throw RequestError.scopeRequired(type) }
        if !type.requiresScope, scope != nil {
            throw RequestError.invalidScope("a \(type.rawValue) request has no purpose scope; scopes apply to objection, restriction and consent withdrawal")
        }
        self.id = id
        self.jurisdiction = jurisdiction
        self.type = type
        self.channel = channel
        self.scope = scope
        self.receivedAt = receivedAt
        self.timeZone = calculator.timeZone
        self.personal = personal
        let receivedOn = calculator.localDate(of: receivedAt)
        receivedOnDate = ISODate(receivedOn)
        originalDue = ISODate(calculator.dueDate(for: jurisdiction, receivedOn: receivedOn))
        due = originalDue
        history = [RequestEvent(step: .received, actor: actor, at: receivedAt)]
    }

    // MARK: Deadlines

    /// Whether the request is still open and its due date has passed at `asOf`.
    public func isOverdue(asOf: Date) -> Bool {
        !state.isClosed && localCalculator.isOverdue(dueDate: dueDate, asOf: asOf)
    }

    /// Calendar days from `asOf` to the due date: 0 on the due date, negative once overdue.
    public func daysLeft(asOf: Date) -> Int {
        localCalculator.daysLeft(until: dueDate, asOf: asOf)
    }

    var localCalculator: DeadlineCalculator { DeadlineCalculator(timeZone: timeZone) }

    // MARK: Lifecycle

    /// Records that the requester's identity was confirmed. Only from `received`.
    @discardableResult
    public mutating func verifyIdentity(method: IdentityVerificationMethod, by actor: RequestActor, at time: Date) throws -> [String: String] {
        try checkOpen(actor, time)
        guard state == .received else { throw RequestError.identityAlreadyVerified }
        return append(.identityVerified(method), actor, time)
    }

    /// Records the decision to act on the request. Only after identity is verified.
    @discardableResult
    public mutating func approve(by actor: RequestActor, at time: Date) throws -> [String: String] {
        try checkOpen(actor, time)
        guard state == .identityVerified else {
            throw state == .approved ? RequestError.alreadyApproved : RequestError.identityNotVerified
        }
        return append(.approved, actor, time)
    }

    /// Records a refusal with its reasons and the notice of remedies. Allowed before fulfilment.
    @discardableResult
    public mutating func refuse(_ notice: RefusalNotice, by actor: RequestActor, at time: Date) throws -> [String: String] {
        try checkOpen(actor, time)
        try notice.validate()
        return append(.refused(notice), actor, time)
    }

    /// Extends the time to respond (GDPR only), once, by 1 or 2 further months, with reasons, recorded
    /// and notified on or before the original due date. The new due date follows
    /// `DeadlineCalculator.extendedDueDate(receivedOn:additionalMonths:)`.
    @discardableResult
    public mutating func extend(
        _ notice: ExtensionNotice, by actor: RequestActor, at time: Date, calculator: DeadlineCalculator
    ) throws -> [String: String] {
        try checkOpen(actor, time)
        guard jurisdiction == .gdpr else { throw RequestError.extensionNotAvailable(jurisdiction) }
        guard !isExtended else { throw RequestError.alreadyExtended }
        guard (1...DeadlineCalculator.maximumExtensionMonths).contains(notice.additionalMonths) else {
            throw RequestError.extensionTooLong(requestedMonths: notice.additionalMonths)
        }
        let reasons = notice.reasons.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !reasons.isEmpty, !reasons.contains(where: \.isEmpty) else {
            throw RequestError.missingReasons("an extension must tell the requester why it is necessary (GDPR art. 12(3))")
        }
        let local = localCalculator
        for instant in [time, notice.noticeSentAt] where local.localDate(of: instant) > originalDueDate {
            throw RequestError.extensionAfterDueDate(originalDueDate: originalDueDate.iso8601, recordedOn: local.localDate(of: instant).iso8601)
        }
        guard notice.noticeSentAt >= receivedAt else { throw RequestError.outOfOrder }
        let newDue = try calculator.extendedDueDate(receivedOn: receivedOn, additionalMonths: notice.additionalMonths)
        due = ISODate(newDue)
        return append(.extended(notice, newDueDate: ISODate(newDue)), actor, time)
    }

    /// Records that the request was carried out. Only after approval.
    @discardableResult
    public mutating func fulfil(_ record: FulfilmentRecord, by actor: RequestActor, at time: Date) throws -> [String: String] {
        if state == .refused { throw RequestError.refusedCannotBeFulfilled }
        try checkOpen(actor, time)
        guard state == .approved else { throw RequestError.notApproved(state: state) }
        return append(.fulfilled(record), actor, time)
    }

    // MARK: Audit

    /// The audit summary of the step at `index` in `history` (the engine logs it as a `dsr.state` entry).
    /// It holds request id, type, jurisdiction, channel, state after the step, step name, due dates,
    /// actor, role and time, plus non-personal step details; never contact data, subject references,
    /// corrections, notes or free-text reasons.
    public func auditSummary(ofStepAt index: Int) -> [String: String] {
        guard history.indices.contains(index) else { return [:] }
        let event = history[index]
        let stateAfter = history[...index].reversed().lazy.compactMap(\.step.resultingState).first ?? .received
        var summary: [String: String] = [
            "request_id": id.rawValue,
            "type": type.rawValue,
            "jurisdiction": jurisdiction.rawValue,
            "channel": channel.rawValue,
            "state": stateAfter.rawValue,
            "step": event.step.name,
            "received_on": receivedOn.iso8601,
            "due_date": dueDate(afterStepAt: index).iso8601,
            "actor": event.actor.principal,
            "role": event.actor.role,
            "at": Value.timestamp(Int64((event.at.timeIntervalSince1970 * 1000).rounded())).rendered(),
        ]
        if let scope { summary["scope"] = scope.purposes.joined(separator: ",") }
        switch event.step {
        case .received: break
        case let .identityVerified(method): summary["verification_method"] = method.rawValue
        case .approved: break
        case let .refused(notice): summary["reasons_count"] = String(notice.reasons.count)
        case let .extended(notice, newDue):
            summary["original_due_date"] = originalDueDate.iso8601
            summary["additional_months"] = String(notice.additionalMonths)
            summary["due_date"] = newDue.description
        case let .fulfilled(record):
            summary["late"] = localCalculator.localDate(of: event.at) > dueDate(afterStepAt: index) ? "true" : "false"
            if !record.evidenceDigests.isEmpty { summary["evidence_digests"] = record.evidenceDigests.joined(separator: ",") }
        }
        return summary
    }

    /// The audit summary of the latest step.
    public var latestAuditSummary: [String: String] { auditSummary(ofStepAt: history.count - 1) }

    func dueDate(afterStepAt index: Int) -> CivilDate {
        for event in history[...index].reversed() {
            if case let .extended(_, newDue) = event.step { return newDue.date }
        }
        return originalDueDate
    }

    // MARK: Checks

    static func check(_ actor: RequestActor) throws {
        guard !actor.principal.isEmpty, !actor.role.isEmpty else { throw RequestError.invalidActor }
    }

    func checkOpen(_ actor: RequestActor, _ time: Date) throws {
        if state.isClosed { throw RequestError.closed(state) }
        try Self.check(actor)
        if let last = history.last, time < last.at { throw RequestError.outOfOrder }
    }

    mutating func append(_ step: RequestStep, _ actor: RequestActor, _ time: Date) -> [String: String] {
        history.append(RequestEvent(step: step, actor: actor, at: time))
        return latestAuditSummary
    }
}
