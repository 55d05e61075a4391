import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosPrivacy
import CustosSchema
import CustosVault
import Foundation

/// The engine: a facade over a workspace that composes the services doing the work. Every read of
/// customer data goes through the policy decision point (the only path to an access grant) and
/// leaves audit entries; the services share one ``EngineContext`` that holds both.
///
/// - ``jobs``: pseudonymous and differentially private jobs (``JobRunner``).
/// - ``consent``: the consent ledger (``ConsentService``).
/// - ``controls``: restriction, objection and legal hold (``ProcessingControls``).
/// - ``rights``: data-subject requests and their fulfilment (``RightsService``).
/// - ``reports``: the audit report, the budget statement and the record of processing (``ReportService``).
public final class Engine: EngineService {
    /// What every service shares: workspace, policies, decision point, audit log, clock, keys.
    package let context: EngineContext
    /// Jobs: the only way a job reads data.
    public let jobs: JobRunner
    /// The consent ledger.
    public let consent: ConsentService
    /// Restriction, objection and legal hold.
    public let controls: ProcessingControls
    /// Data-subject requests.
    public let rights: RightsService
    /// Reports for officers.
    public let reports: ReportService

    /// The workspace (folders, keys, store).
    public var workspace: Workspace { context.workspace }
    /// The loaded policies.
    public var policies: PolicySet { context.policies }
    /// The audit log.
    public var audit: AuditLog { context.audit }
    /// The log identity written into every checkpoint.
    public var origin: String { context.origin }

    /// Erasures the erasure ledger applied again when this engine opened (key or records had come back).
    public var erasuresReappliedOnOpen: Int { context.erasuresReappliedOnOpen }

    /// Test-only substitute for the CSPRNG (set through `@testable import`; never configurable).
    var noiseSourceOverride: (any RandomSource & Sendable)? {
        get { context.noiseSourceOverride }
        set { context.noiseSourceOverride = newValue }
    }

    private init(context: EngineContext) {
        self.context = context
        jobs = JobRunner(context: context)
        consent = ConsentService(context: context)
        controls = ProcessingControls(context: context)
        rights = RightsService(context: context)
        reports = ReportService(context: context)
    }

    /// Opens the engine on a workspace: loads and validates the policies, opens (and if needed
    /// recovers) the audit log, and records a policy change when the policy version moved.
    public static func open(_ workspace: Workspace, clock: @escaping @Sendable () -> Date = { Date() }) throws -> Engine {
        let policies = try PolicySet.load(directory: workspace.policiesDirectory)
        var id = try workspace.settings.setting("workspace_id")
        if id == nil {
            id = SecureRandom.bytes(count: 8).hexString
            try workspace.settings.setSetting("workspace_id", id ?? "")
        }
        let origin = "custos.local/audit/\(id ?? "workspace")"
        // The anchor in the store makes open refuse deleted checkpoints or an older audit/ instead of re-sealing.
        let log = try AuditLog.open(directory: workspace.auditDirectory, signingKey: try workspace.keys.auditSigningKey(), origin: origin,
                                    options: .init(anchor: SettingsCheckpointAnchor(settings: workspace.settings),
                                                  keepCheckpointEvery: Engine.keepCheckpointEvery))
        let previous = try workspace.settings.setting("policy_version")
        let signature = try trustedSignature(of: policies, in: workspace, previous: previous, log: log, clock: clock)
        let engine = Engine(context: try EngineContext(workspace: workspace, policies: policies, audit: log, origin: origin, clock: clock))
        // Erasures survive restored backups: any erased subject whose key or records are back is shredded
        // again, and audited as that (before the orphan sweep below, which would remove such a key unexplained).
        engine.context.erasuresReappliedOnOpen = try ErasureLedger(context: engine.context).enforce().count
        // Keys of an ingest that died before committing are removed now that this process holds the
        // writer lock (no other ingest can be mid-flight); audited, by count only.
        let orphans = try workspace.vault.removeOrphanKeys()
        if orphans > 0 {
            try engine.record(AuditEntry(time: clock(), actor: Caller.localOperator.principal, role: "operator", action: .keyShred,
                                         decision: .allow, reason: "removed \(orphans) orphan data keys of an ingest that never committed",
                                         details: ["orphan_keys": String(orphans)]))
        }
        if previous != policies.version {
            try engine.recordPolicyChange(to: policies, signedBy: signature, previous: previous)
        }
        // Outbox retention holds even when nothing else touches the outbox: plaintext from earlier
        // versions is sealed and messages past the limit are purged on every open.
        if engine.rights.outboxHasFiles { try engine.rights.maintainOutbox(deliver: false, actor: .localOperator) }
        return engine
    }

    /// Every command signs a checkpoint when it closes; the log keeps the newest, every cosigned one
    /// and one per this many entries, so `audit/checkpoints/` stays small.
    static let keepCheckpointEvery: UInt64 = 256

    /// Appends one entry durably (returns after fsync).
    @discardableResult
    public func record(_ entry: AuditEntry) throws -> UInt64 { try context.record(entry) }

    /// Writes a signed checkpoint and releases the audit log. Call at the end of every command.
    public func close() throws {
        do { try audit.close() } catch { throw EngineError.auditUnavailable("\(error)") }
    }

    /// Explains a request without recording or granting anything.
    public func explain(_ request: AccessRequest) -> String { context.decisionPoint.explain(request) }
}

/// Hands every policy decision to the audit log as a `policy.decision` entry (no personal data).
struct AuditDecisionRecorder: DecisionRecorder {
    let audit: AuditLog

    func record(_ decision: Decision) throws {
        let record = decision.auditRecord
        _ = try audit.append(AuditEntry(
            time: decision.time, actor: record.principal, role: record.role, action: .policyDecision, purpose: record.purpose,
            dataset: record.dataset, decision: record.effect == .allow ? .allow : .deny,
            reason: record.effect == .allow ? "allowed by \(record.matchedRules.joined(separator: ", "))"
                : record.reasons.map(\.message).joined(separator: "; "),
            policyVersion: record.policyVersion, epsilon: record.epsilon.flatMap(Self.chargeable), jobID: record.decisionID,
            details: RequestScope.tagged(details(record))))
    }

    /// Only a finite, non-negative epsilon is a charge the audit entry can state.
    static func chargeable(_ epsilon: Double) -> Double? { epsilon.isFinite && epsilon >= 0 ? epsilon : nil }

    /// The decision's details. A hostile epsilon or delta (−1, NaN, ∞) is kept as the raw text the
    /// caller sent, so the refusal is recorded instead of failing to write.
    func details(_ record: DecisionAuditRecord) -> [String: String] {
        var details = ["output_mode": record.outputMode, "subject_scoped": record.subjectScoped ? "true" : "false",
                       "rules": record.matchedRules.joined(separator: ",")]
        if record.delta != 0 { details["delta"] = String(record.delta) }
        if let epsilon = record.epsilon, Self.chargeable(epsilon) == nil { details["requested_epsilon"] = String(epsilon) }
        return details
    }
}

/// A DP job the budget could not admit: which account, what it had spent, what the job asked for
    /// and the limit, so a caller (the CLI, the service, a scheduler) can act without parsing text.
public struct BudgetShortfall: Sendable, CustomStringConvertible {
    /// The account that would have gone over (nil when no account could be charged at all, e.g.
    /// no population budget is set).
    public let account: LedgerAccount?
    /// What the account had spent before this job.
    public let spent: LedgerCost?
    /// What the job declared.
    public let requested: LedgerCost
    /// The account's limits.
    public let epsilonLimit: Double?
    public let deltaLimit: Double?
    /// The sentence shown to people: what happened and what to do.
    public let message: String

    public var description: String { message }
}

/// Engine failures, each saying what to do.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case denied(String)
    case auditUnavailable(String)
    /// The job's declared cost does not fit an account (the principal's or the population's).
    case budgetExhausted(BudgetShortfall)
    case invalidRequest(String)
    case notFound(String)
    /// The policies are unsigned, altered since signing or signed by a key that is not pinned; the
    /// engine does not open on them.
    case policiesUntrusted(String)
    /// The privacy-budget ledger in the store does not match the signed audit log (edited, truncated
    /// or restored from an older copy); DP jobs stay refused until it is restored or reconciled.
    case ledgerMismatch(String)

    public var description: String {
        switch self {
        case let .denied(why): return "denied: \(why)"
        case let .auditUnavailable(why): return "the audit log is unavailable, so nothing was done: \(why)"
        case let .budgetExhausted(why): return "privacy budget exhausted: \(why)"
        case let .invalidRequest(why): return "invalid request: \(why)"
        case let .notFound(why): return "not found: \(why)"
        case let .policiesUntrusted(why): return "the policies were not loaded: \(why)"
        case let .ledgerMismatch(why): return "privacy budget ledger refused: \(why)"
        }
    }
}
