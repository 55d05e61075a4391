import Foundation

/// Where a challenge stands.
public enum ChallengeStatus: String, Sendable, Codable {
    /// Awaiting the code; used; locked after too many wrong codes; replaced by a newer challenge; past its lifetime.
    case open, verified, locked, superseded, expired
}

/// One issued code: stored only as an HMAC-SHA-256 of the code, never the code itself.
public struct VerificationChallenge: Hashable, Sendable, Codable {
    /// Random id, `otp-` and 32 hex digits; sent with the code so the reply can be matched.
    public let id: String
    /// The request whose requester is being verified.
    public let requestID: DataSubjectRequestID
    /// HMAC of the contact (hex) for the rate limit; not reversible without the verifier's key.
    let contactDigest: String
    /// HMAC of challenge id and code (hex).
    let codeHash: String
    /// When the code was sent.
    public let issuedAt: Date
    /// Last moment the code is accepted.
    public let expiresAt: Date
    /// Wrong codes so far.
    public internal(set) var failedAttempts: Int
    /// Where the challenge stands.
    public internal(set) var status: ChallengeStatus

    enum CodingKeys: String, CodingKey {
        case id, status
        case requestID = "request_id"
        case contactDigest = "contact_digest"
        case codeHash = "code_hash"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case failedAttempts = "failed_attempts"
    }
}

/// The verifier's state, a plain value the engine persists between calls (it holds hashes and
/// keyed digests only, no codes and no contact data).
public struct VerificationLedger: Hashable, Sendable, Codable {
    /// Challenges by id.
    public internal(set) var challenges: [String: VerificationChallenge]
    /// Issue times per contact digest, for the sliding-window rate limit.
    var issuances: [String: [Date]]

    enum CodingKeys: String, CodingKey { case challenges, issuances }

    /// An empty ledger.
    public init() {
        challenges = [:]
        issuances = [:]
    }

    /// Drops challenges that expired before `date` and issue times older than `window` before `date`.
    public mutating func prune(asOf date: Date, window: TimeInterval) {
        challenges = challenges.filter { $0.value.expiresAt >= date }
        issuances = issuances.compactMapValues { times in
            let recent = times.filter { $0 > date.addingTimeInterval(-window) }
            return recent.isEmpty ? nil : recent
        }
    }
}
