import CustosGovernance
import CustosRights
import Foundation

extension RightsService {
    /// The id of the newest one-time-code challenge sent for request `id` (nil when none was sent), so
    /// an officer can check a returned code by request id alone. Sending a new code supersedes older
    /// ones, so the newest is the only one that can still verify; an expired or locked one is still
    /// returned, and checking a code against it reports that outcome.
    public func latestVerificationChallenge(forRequest id: String, actor: Caller) throws -> String? {
        let requestID = try authorizedRequest(id, actor: actor, action: .dsrVerify).id
        // Ties in time (a coarse clock) go to the open challenge, the one a new send left valid.
        func rank(_ c: VerificationChallenge) -> (Date, Int) { (c.issuedAt, c.status == .open ? 1 : 0) }
        return try ledger().challenges.values.filter { $0.requestID == requestID }.max { rank($0) < rank($1) }?.id
    }
}
