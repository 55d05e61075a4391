/// Why a request could not be created or a step could not be recorded. Messages say what went wrong
/// and what to do; they never contain contact data or subject identifiers.
public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The delivery contact cannot be used.
    case invalidContact(String)
    /// The processing scope is malformed or not allowed for this type.
    case invalidScope(String)
    /// Objection, restriction and consent withdrawal must name the purposes they concern.
    case scopeRequired(RequestType)
    /// The actor has no principal id or no role.
    case invalidActor
    /// A refusal or extension gives no reasons.
    case missingReasons(String)
    /// A refusal lacks the notice of the right to complain and to a judicial remedy.
    case missingRemedyNotice(String)
    /// Approval needs a verified identity first.
    case identityNotVerified
    /// Identity was already verified for this request.
    case identityAlreadyVerified
    /// The request is already approved.
    case alreadyApproved
    /// Fulfilment needs an approval; this request is still at `state`.
    case notApproved(state: RequestState)
    /// A refused request is closed and cannot be fulfilled.
    case refusedCannotBeFulfilled
    /// The request is closed (fulfilled or refused); nothing more can be recorded.
    case closed(RequestState)
    /// The extension came after the original due date (both ISO 8601 dates).
    case extensionAfterDueDate(originalDueDate: String, recordedOn: String)
    /// The time to respond was already extended once.
    case alreadyExtended
    /// GDPR art. 12(3) allows at most two further months.
    case extensionTooLong(requestedMonths: Int)
    /// The law has no extension (PIPL asks for a timely answer).
    case extensionNotAvailable(Jurisdiction)
    /// A step is dated before the step recorded before it.
    case outOfOrder

    public var description: String {
        switch self {
        case let .invalidContact(reason): return "invalid delivery contact: \(reason)"
        case let .invalidScope(reason): return "invalid processing scope: \(reason)"
        case let .scopeRequired(type):
            return "a \(type.rawValue) request must name the purposes it concerns; pass a ProcessingScope such as marketing.*"
        case .invalidActor: return "every step needs the acting principal id and role; pass a RequestActor with both"
        case let .missingReasons(reason): return "missing reasons: \(reason)"
        case let .missingRemedyNotice(reason): return "missing notice of remedies: \(reason)"
        case .identityNotVerified:
            return "cannot approve a request before the requester's identity is verified; verify identity first (or refuse the request)"
        case .identityAlreadyVerified: return "identity is already verified for this request; go on to approve or refuse"
        case .alreadyApproved: return "the request is already approved; record its fulfilment next"
        case let .notApproved(state):
            return "cannot fulfil a request that is '\(state.rawValue)'; it must be approved first"
        case .refusedCannotBeFulfilled:
            return "cannot fulfil a refused request; the refusal is final, so the requester must file a new request"
        case let .closed(state):
            return "the request is already \(state.rawValue) and closed; nothing more can be recorded, file a new request instead"
        case let .extensionAfterDueDate(due, recorded):
            return "cannot extend on \(recorded): the original due date \(due) has passed; an extension must be notified "
                + "within the first month (GDPR art. 12(3))"
        case .alreadyExtended:
            return "the time to respond was already extended; GDPR art. 12(3) allows one extension of at most two further months"
        case let .extensionTooLong(months):
            return "cannot extend by \(months) months: GDPR art. 12(3) allows 1 or 2 further months"
        case let .extensionNotAvailable(jurisdiction):
            return "\(jurisdiction.rawValue) has no extension of the time to respond; answer in time or refuse with reasons"
        case .outOfOrder: return "a step cannot be dated before the previous step; check the clock of the recording system"
        }
    }
}
