import CustosAudit
import CustosGovernance
import CustosRights
import Foundation

/// What one pass over the outbox did.
public struct OutboxMaintenance: Sendable, Equatable {
    /// Plaintext messages from earlier versions that were sealed.
    public var sealedLegacy = 0
    /// Sealed messages past the retention limit that were deleted.
    public var purged = 0
    /// Waiting emails the mail system took.
    public var delivered = 0
    /// Messages still waiting, sealed.
    public var waiting = 0
}

extension RightsService {
    /// Seals any plaintext left by earlier versions, purges messages past the retention limit and,
    /// when `deliver` is set, retries every waiting email through the mail system. Anything it did is
    /// audited (counts and file names only).
    @discardableResult
    package func maintainOutbox(deliver: Bool, actor: Caller) throws -> OutboxMaintenance {
        var result = OutboxMaintenance()
        let outbox = try outbox
        result.sealedLegacy = try outbox.sealLegacyMessages()
        let purged = try outbox.purgeExpired(now: clock())
        result.purged = purged.count
        if deliver { result.delivered = try outbox.deliverPending() }
        result.waiting = try outbox.pending().count
        if result.sealedLegacy + result.purged + result.delivered > 0 {
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: AuditAction(rawValue: "outbox.maintain") ?? .dsrState,
                                  decision: .allow, reason: "outbox sealed, purged past retention and delivered", policyVersion: policies.version,
                                  details: ["sealed_legacy": String(result.sealedLegacy), "purged": String(result.purged),
                                            "purged_files": purged.joined(separator: ","), "delivered": String(result.delivered),
                                            "waiting": String(result.waiting)]))
        }
        return result
    }

    /// `custos dsr outbox`: the same pass, for a compliance officer (refusals audited).
    public func runOutbox(deliver: Bool, actor: Caller) throws -> OutboxMaintenance {
        try requireOfficerAudited(actor, step: "outbox")
        return try maintainOutbox(deliver: deliver, actor: actor)
    }

    /// True when the outbox folder holds anything at all (so opening the engine can skip the pass).
    var outboxHasFiles: Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.outboxDirectory.path)) ?? []
        return names.contains { !$0.hasPrefix(".") }
    }
}
