import Foundation

/// Where a request stands: received -> identityVerified -> approved | refused -> fulfilled.
/// A request may also be refused straight from `received` (e.g. identity cannot be confirmed).
public enum RequestState: String, Sendable, Codable, CaseIterable {
    case received
    case identityVerified = "identity_verified"
    case approved
    case refused
    case fulfilled

    /// Whether the request is closed (no further steps).
    public var isClosed: Bool { self == .refused || self == .fulfilled }
}

/// One step in a request's history.
public enum RequestStep: Hashable, Sendable, Codable {
    case received
    case identityVerified(IdentityVerificationMethod)
    case approved
    case refused(RefusalNotice)
    /// Not a state: the due date moves, the state stays.
    case extended(ExtensionNotice, newDueDate: ISODate)
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
    public let step: RequestStep
    public let actor: RequestActor
    public let at: Date

    /// An event.
    public init(step: RequestStep, actor: RequestActor, at: Date) {
        self.step = step
        self.actor = actor
        self.at = at
    }
}
