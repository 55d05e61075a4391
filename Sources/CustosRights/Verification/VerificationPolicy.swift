import Foundation

/// Limits for one-time-code identity verification.
public struct VerificationPolicy: Hashable, Sendable, Codable {
    /// Digits per code, 6 to 8.
    public var codeDigits: Int
    /// How long a code stays valid.
    public var codeLifetime: TimeInterval
    /// Wrong codes allowed before the challenge locks.
    public var maximumAttempts: Int
    /// Challenges allowed per contact within `rateLimitWindow`.
    public var maximumChallengesPerWindow: Int
    /// The sliding window for the per-contact rate limit.
    public var rateLimitWindow: TimeInterval

    /// The defaults: 6 digits, 15 minutes, 5 attempts, 3 challenges per contact per hour.
    public init(
        codeDigits: Int = 6, codeLifetime: TimeInterval = 15 * 60, maximumAttempts: Int = 5,
        maximumChallengesPerWindow: Int = 3, rateLimitWindow: TimeInterval = 60 * 60
    ) {
        self.codeDigits = codeDigits
        self.codeLifetime = codeLifetime
        self.maximumAttempts = maximumAttempts
        self.maximumChallengesPerWindow = maximumChallengesPerWindow
        self.rateLimitWindow = rateLimitWindow
    }

    /// Checks the limits make sense.
    public func validate() throws {
        guard OneTimeCode.allowedDigits.contains(codeDigits) else {
            throw VerificationError.invalidPolicy("codes must have 6 to 8 digits")
        }
        guard codeLifetime > 0, maximumAttempts > 0, maximumChallengesPerWindow > 0, rateLimitWindow > 0 else {
            throw VerificationError.invalidPolicy("lifetime, attempts, challenges per window and window must all be positive")
        }
    }
}

/// Why a challenge could not be issued. Audited outcomes (wrong code, rate limited...) are not
/// errors: they come back as `VerificationResult`.
public enum VerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A limit is out of range.
    case invalidPolicy(String)
    /// Only a request in state `received` awaits identity verification.
    case requestNotAwaitingVerification(RequestState)
    /// The message carrying the code could not be handed to the sender.
    case deliveryFailed(String)

    public var description: String {
        switch self {
        case let .invalidPolicy(reason): return "invalid verification policy: \(reason)"
        case let .requestNotAwaitingVerification(state):
            return "the request is '\(state.rawValue)', so its identity check is over; codes are only sent for received requests"
        case let .deliveryFailed(reason): return "the verification code could not be delivered: \(reason); no challenge was recorded"
        }
    }
}
