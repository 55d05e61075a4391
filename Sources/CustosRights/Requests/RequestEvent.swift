import Foundation

/// Where a request stands: received -> identityVerified -> approved | refused -> fulfilled.
/// A request may also be refused straight from `received` (e.g. identity cannot be confirmed).
public enum RequestState: String, Sendable, Codable, CaseIterable {
    /// Recorded; identity not yet confirmed.
    case received
    /// Identity confirmed; awaiting a decision.
    case identityVerified = "identity_verified"
    /// Approved; to be carried out.
    case approved
    /// Refused with reasons and the notice of remedies (closed).
    case refused
    /// Carried out (closed).
    case fulfilled

    /// Whether the request is closed (no further steps).
    public var isClosed: Bool { self == .refused || self == .fulfilled }
}

/// One step in a request's history.
public enum RequestStep: Hashable, Sendable, Codable {
    /// The request was received and recorded.
    case received
    /// Identity confirmed, and how.
    case identityVerified(IdentityVerificationMethod)
    /// The request was approved.
    case approved
    /// Refused, with the notice sent.
    case refused(RefusalNotice)
    /// Not a state: the due date moves, the state stays.
    case extended(ExtensionNotice, newDueDate: ISODate)
    /// Carried out, with evidence digests.
    case fulfilled(FulfilmentRecord)

    /// The state after this step, or nil for an extension (which leaves the state unchanged).
    public var resultingState: RequestState? {
        switch self {
        case .received: return .received
        case .identityVerified: return .identityVerified
        case .approved: return .approved
        case .refused: return .refused
        case .extended: return nil
        case .fulfilled: return .fulfilled
        }
    }

    /// A short name for audit entries: `received`, `identity_verified`, `approved`, `refused`, `extended`, `fulfilled`.
    public var name: String {
        switch self {
        case .received: return "received"
        case .identityVerified: return "identity_verified"
        case .approved: return "approved"
        case .refused: return "refused"
        case .extended: return "extended"
        case .fulfilled: return "fulfilled"
        }
    }
}

/// A recorded step: what happened, who did it in which role, and when.
public struct RequestEvent: Hashable, Sendable, Codable {
    /// What happened.
    public let step: RequestStep
    /// Who did it, in which role.
    public let actor: RequestActor
    /// When.
    public let at: Date

    /// An event.
    public init(step: RequestStep, actor: RequestActor, at: Date) {
        self.step = step
        self.actor = actor
        self.at = at
    }
}
