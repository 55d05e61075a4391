import CustosSchema
import Foundation

/// What happened at one verification step; each is audited by the engine.
public enum VerificationOutcome: Hashable, Sendable {
    /// A code was sent; it is valid until `expiresAt`.
    case issued(expiresAt: Date)
    /// The code matched: the engine may now record `DataSubjectRequest.verifyIdentity`.
    case verified
    /// The code did not match; `attemptsLeft` more tries before the challenge locks.
    case wrongCode(attemptsLeft: Int)
    /// The code came after the challenge expired; ask for a new one.
    case expired
    /// Too many wrong codes: the challenge is locked; a new one must be requested.
    case locked
    /// Too many challenges for this contact; a new one may be issued from `retryAfter`.
    case rateLimited(retryAfter: Date)
    /// No such challenge for this request.
    case unknownChallenge
    /// The challenge was already used successfully; codes are single-use.
    case alreadyUsed
    /// A newer challenge replaced this one; use the latest code.
    case superseded

    /// A short name for audit entries, e.g. `issued`, `wrong_code`, `rate_limited`.
    public var name: String {
        switch self {
        case .issued: return "issued"
        case .verified: return "verified"
        case .wrongCode: return "wrong_code"
        case .expired: return "expired"
        case .locked: return "locked"
        case .rateLimited: return "rate_limited"
        case .unknownChallenge: return "unknown_challenge"
        case .alreadyUsed: return "already_used"
        case .superseded: return "superseded"
        }
    }
}

/// The result of issuing or checking a code, with what the engine logs (as a `dsr.verification` entry).
public struct VerificationResult: Hashable, Sendable {
    /// What happened.
    public let outcome: VerificationOutcome
    /// The request concerned.
    public let requestID: DataSubjectRequestID
    /// The challenge concerned; nil when none was issued (rate limited).
    public let challengeID: String?
    /// When (from the injected clock).
    public let at: Date

    /// Request id, challenge id, outcome and its numbers, time. Never the code, its hash, or the contact.
    public var auditSummary: [String: String] {
        var summary = [
            "request_id": requestID.rawValue,
            "outcome": outcome.name,
            "at": Self.timestamp(at),
        ]
        if let challengeID { summary["challenge_id"] = challengeID }
        switch outcome {
        case let .issued(expiresAt): summary["expires_at"] = Self.timestamp(expiresAt)
        case let .wrongCode(left): summary["attempts_left"] = String(left)
        case let .rateLimited(retryAfter): summary["retry_after"] = Self.timestamp(retryAfter)
        default: break
        }
        return summary
    }

    static func timestamp(_ date: Date) -> String {
        Value.timestamp(Int64((date.timeIntervalSince1970 * 1000).rounded())).rendered()
    }
}
