import CustosCrypto
import Foundation

/// Confirms that a requester controls the contact on file for the subject they named by sending a
/// one-time code there, and only there (`RequestPersonalData.contactOnFile`): never to an address
/// the requester typed that the controller does not already hold. Asks for nothing more.
///
/// - Codes: 6-8 digits, uniform from the CSPRNG; stored only as HMAC-SHA-256(key, challenge id || 0 || code);
///   compared in constant time.
/// - Expiry (`codeLifetime`), a lock after `maximumAttempts` wrong codes, a new challenge supersedes
///   older ones, and a sliding-window limit of `maximumChallengesPerWindow` per contact (keyed digest).
/// - State lives in a `VerificationLedger` value the engine stores; the clock is injected.
public struct IdentityVerifier: Sendable {
    /// Code length, lifetime, attempts and rate limit.
    public let policy: VerificationPolicy
    /// The `From` of code messages, e.g. `Example Shop Privacy <privacy@example.org>` (ASCII).
    public let fromAddress: String
    /// The controller's name, signed under code messages.
    public let organisation: String
    private let codeKey: SymmetricKey
    private let contactKey: SymmetricKey
    private let now: @Sendable () -> Date

    /// A verifier keyed by `key` (e.g. derived by the engine from its workspace secret; two subkeys
    /// are derived with HKDF), with `now` as its clock.
    public init(
        key: SymmetricKey, policy: VerificationPolicy = VerificationPolicy(), fromAddress: String, organisation: String,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try policy.validate()
        self.policy = policy
        self.fromAddress = fromAddress
        self.organisation = organisation
        self.codeKey = try HKDF.deriveKey(from: key, label: "custos/rights/v1/one-time-code")
        self.contactKey = try HKDF.deriveKey(from: key, label: "custos/rights/v1/contact-digest")
        self.now = now
    }

    /// Sends a fresh code for `request` to its contact on file through `sender` (or, when it has none,
    /// records a challenge whose code goes nowhere and answers the same), unless the requester's contact
    /// has had `maximumChallengesPerWindow` codes within the window (then `.rateLimited`, nothing sent).
    /// Older open challenges of the request are superseded. Throws when the request is not awaiting
    /// verification or delivery fails (the ledger is then unchanged).
    public func issueChallenge(
        for request: DataSubjectRequest, ledger: inout VerificationLedger, sender: some MessageSender
    ) throws -> VerificationResult {
        guard request.state == .received else { throw VerificationError.requestNotAwaitingVerification(request.state) }
        let time = now()
        let contactDigest = HMACSHA256.authenticationCode(for: Array(request.personal.contact.canonicalForm.utf8), using: contactKey).hexString
        let windowStart = time.addingTimeInterval(-policy.rateLimitWindow)
        let recent = (ledger.issuances[contactDigest] ?? []).filter { $0 > windowStart }.sorted()
        if recent.count >= policy.maximumChallengesPerWindow, let oldest = recent.first {
            return VerificationResult(
                outcome: .rateLimited(retryAfter: oldest.addingTimeInterval(policy.rateLimitWindow)),
                requestID: request.id, challengeID: nil, at: time)
        }
        let challengeID = "otp-" + SecureRandom.bytes(count: 16).hexString
        let code = OneTimeCode.generate(digits: policy.codeDigits)
        let expiresAt = time.addingTimeInterval(policy.codeLifetime)
        // The code goes only to the contact on file. A request that matched none gets the same answer
        // and a challenge like any other, but its code is sent nowhere, so no code can ever verify it.
        if let destination = request.personal.contactOnFile {
            let message = codeMessage(for: request, to: destination, code: code, challengeID: challengeID, expiresAt: expiresAt, at: time)
            do {
                _ = try sender.send(message)
            } catch {
                throw VerificationError.deliveryFailed(String(describing: type(of: error)))
            }
        }
        for (id, challenge) in ledger.challenges where challenge.requestID == request.id && challenge.status == .open {
            ledger.challenges[id]?.status = .superseded
        }
        ledger.challenges[challengeID] = VerificationChallenge(
            id: challengeID, requestID: request.id, contactDigest: contactDigest, codeHash: codeMAC(code, challengeID: challengeID).hexString,
            issuedAt: time, expiresAt: expiresAt, failedAttempts: 0, status: .open)
        ledger.issuances[contactDigest] = recent + [time]
        return VerificationResult(outcome: .issued(expiresAt: expiresAt), requestID: request.id, challengeID: challengeID, at: time)
    }

    /// Checks `code` against challenge `challengeID` of request `requestID`. Spaces and dashes in
    /// the code are ignored. The `.verified` outcome is the engine's cue to record
    /// `verifyIdentity(method: .oneTimeCode, ...)` on the request.
    public func verify(
        code: String, challengeID: String, requestID: DataSubjectRequestID, ledger: inout VerificationLedger
    ) -> VerificationResult {
        let time = now()
        func result(_ outcome: VerificationOutcome) -> VerificationResult {
            VerificationResult(outcome: outcome, requestID: requestID, challengeID: challengeID, at: time)
        }
        guard var challenge = ledger.challenges[challengeID], challenge.requestID == requestID else { return result(.unknownChallenge) }
        switch challenge.status {
        case .verified: return result(.alreadyUsed)
        case .locked: return result(.locked)
        case .superseded: return result(.superseded)
        case .expired: return result(.expired)
        case .open: break
        }
        if time > challenge.expiresAt {
            challenge.status = .expired
            ledger.challenges[challengeID] = challenge
            return result(.expired)
        }
        let typed = code.filter { $0 != " " && $0 != "-" }
        let expected = [UInt8](hexString: challenge.codeHash) ?? []
        let matches = constantTimeEquals(codeMAC(typed, challengeID: challengeID), expected)
        if matches {
            challenge.status = .verified
            ledger.challenges[challengeID] = challenge
            return result(.verified)
        }
        challenge.failedAttempts += 1
        let left = policy.maximumAttempts - challenge.failedAttempts
        if left <= 0 { challenge.status = .locked }
        ledger.challenges[challengeID] = challenge
        return result(left <= 0 ? .locked : .wrongCode(attemptsLeft: left))
    }

    func codeMAC(_ code: String, challengeID: String) -> [UInt8] {
        HMACSHA256.authenticationCode(for: Array(challengeID.utf8) + [0] + Array(code.utf8), using: codeKey)
    }

    func codeMessage(for request: DataSubjectRequest, to destination: DeliveryContact, code: String, challengeID: String, expiresAt: Date,
                     at time: Date) -> OutgoingMessage {
        let minutes = Int((policy.codeLifetime / 60).rounded(.up))
        let body = """
            We received a request to exercise your rights under \(request.type.article(in: request.jurisdiction)) \
            (reference \(request.id.rawValue)).

            To confirm that it was you, enter this code:

                \(code)

            Code reference: \(challengeID)
            The code is valid for \(minutes) minutes, until \(VerificationResult.timestamp(expiresAt)) (UTC).

            If you did not make this request, ignore this message: nothing will be disclosed.

            \(organisation)
            """
        return OutgoingMessage(
            from: fromAddress, to: destination, subject: "Your verification code for request \(request.id.rawValue)",
            body: body, date: time)
    }
}
