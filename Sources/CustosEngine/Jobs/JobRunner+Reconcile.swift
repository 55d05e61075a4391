import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosVault
import Foundation

extension JobRunner {
    /// Brings a ledger that no longer matches the signed audit log (edited, truncated, restored from
    /// an older copy) back to at least what the log records, so DP jobs can run again. Only raises
    /// spend, never refunds; only an authenticated compliance officer may do it, and every account
    /// changed is named in a `budget.reconcile` entry. Returns one line per account changed.
    public func reconcileLedger(actor: Caller) throws -> [String] {
        let officer = actor.token.flatMap { policies.principals.authenticate(principal: actor.principal, token: $0) }
        guard let officer, actor.role == "compliance_officer", officer.holds("compliance_officer") else {
            let reason = "only an authenticated compliance officer may reconcile the privacy-budget ledger; "
                + "run it as a principal holding compliance_officer, with that principal's token"
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .budgetReconcile, decision: .deny,
                                  reason: reason, policyVersion: policies.version))
            throw EngineError.denied(reason)
        }
        let logged: [LedgerAccount: LedgerCost]
        do { logged = try context.auditedBudget.totals(log: audit) } catch {
            throw EngineError.auditUnavailable("the budget reservations in the audit log cannot be read (\(error))")
        }
        let reference = "reconcile-" + SecureRandom.bytes(count: 8).hexString
        let changed = try workspace.ledger.raiseLedger(to: logged, reference: reference, at: Int64(clock().timeIntervalSince1970 * 1000))
        let lines = changed.map {
            "\(AuditedBudget.describe($0.account)): \(AuditedBudget.show($0.before)) -> \(AuditedBudget.show($0.after))"
        }
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .budgetReconcile, decision: .allow,
                              reason: changed.isEmpty ? "the ledger already matched the audit log"
                                  : "ledger raised to the spend the audit log records (nothing refunded)",
                              policyVersion: policies.version, jobID: reference,
                              details: ["accounts": String(changed.count), "changes": lines.joined(separator: "; ")]))
        return lines
    }
}

extension JobRunner {
    /// Takes back the reservations of DP jobs that died before reading a row (a crash or a kill
    /// between the reservation and the read), which would otherwise stay charged for good. Only
    /// reservations never marked as reading, and not of a job running in this engine, qualify; each
    /// release is a `budget.release` audit entry, and the ledger check subtracts it from the logged
    /// spend. An authenticated operator or compliance officer does it. Returns one line per job.
    public func releaseUnreadReservations(actor: Caller) throws -> [String] {
        let allowed = [StandardRole.operator, StandardRole.complianceOfficer]
        let principal = actor.token.flatMap { policies.principals.authenticate(principal: actor.principal, token: $0) }
        guard let principal, allowed.contains(actor.role), principal.holds(actor.role) else {
            let reason = "only an authenticated operator or compliance officer may release reservations; run it as such a principal, with its token"
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .budgetRelease, decision: .deny,
                                  reason: reason, policyVersion: policies.version))
            throw EngineError.denied(reason)
        }
        do { _ = try context.auditedBudget.totals(log: audit) } catch {
            throw EngineError.auditUnavailable("the budget reservations in the audit log cannot be read (\(error))")
        }
        let released = try context.auditedBudget.withJobsInFlight { try workspace.ledger.releaseUnreadReservations(excluding: $0) }
        var lines: [String] = []
        for reservation in released {
            let charge = AuditedBudget.Charge(jobID: reservation.jobID, accounts: reservation.accounts, cost: reservation.cost)
            try record(charge.releaseEntry(time: clock(), actor: actor.principal, role: actor.role, policyVersion: policies.version))
            context.auditedBudget.release(reservation.jobID)
            lines.append("\(reservation.jobID): \(AuditedBudget.show(reservation.cost)) released from \(reservation.accounts.map(AuditedBudget.describe).joined(separator: ", "))")
        }
        return lines
    }
}
