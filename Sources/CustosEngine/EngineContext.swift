import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosPrivacy
import CustosRights
import CustosVault
import Foundation
import Synchronization

/// What the engine's services share: the workspace, its policies, the decision point, the audit log,
/// the clock and the keys derived for pseudonyms. One per open engine.
package final class EngineContext: Sendable {
    package let workspace: Workspace
    package let audit: AuditLog
    package let origin: String
    /// The policies in force and their decision point, swapped together when a newly signed set is
    /// loaded into a running service (requests in flight keep the set they started with).
    private let loaded: Mutex<(policies: PolicySet, decisionPoint: PolicyDecisionPoint)>
    package var policies: PolicySet { loaded.withLock { $0.policies } }
    var decisionPoint: PolicyDecisionPoint { loaded.withLock { $0.decisionPoint } }
    let clock: @Sendable () -> Date
    let pseudonymRoot: SymmetricKey
    /// Keys the subject digests written into audit entries (never the subject id itself).
    let auditPseudonymKey: SymmetricKey
    /// The budget spend the signed audit log records, which the store's ledger is checked against.
    let auditedBudget = AuditedBudget()
    private let noiseOverride = Mutex<(any RandomSource & Sendable)?>(nil)
    private let transportOverride = Mutex<(any MailTransport)?>(nil)
    private let reapplied = Mutex(0)

    init(workspace: Workspace, policies: PolicySet, audit: AuditLog, origin: String, clock: @escaping @Sendable () -> Date) throws {
        self.workspace = workspace
        self.audit = audit
        self.origin = origin
        self.clock = clock
        pseudonymRoot = try workspace.keys.pseudonymRootKey
        auditPseudonymKey = try workspace.keys.derivedKey(label: "custos/audit-subject-digest/v1")
        loaded = Mutex((policies, PolicyDecisionPoint(policies: policies, authority: workspace.authority,
                                                      recorder: AuditDecisionRecorder(audit: audit), clock: clock)))
    }

    /// Puts a verified policy set in force for every request that starts from now on.
    func replacePolicies(with policies: PolicySet) {
        let point = PolicyDecisionPoint(policies: policies, authority: workspace.authority,
                                        recorder: AuditDecisionRecorder(audit: audit), clock: clock)
        loaded.withLock { $0 = (policies, point) }
    }

    /// Test-only substitute for the CSPRNG (reachable only through `@testable import`).
    var noiseSourceOverride: (any RandomSource & Sendable)? {
        get { noiseOverride.withLock { $0 } }
        set { noiseOverride.withLock { $0 = newValue } }
    }

    /// The demo's in-process mailbox (and tests' through `@testable import`): replaces the configured
    /// sendmail program; never configurable from outside the process.
    package var mailTransportOverride: (any MailTransport)? {
        get { transportOverride.withLock { $0 } }
        set { transportOverride.withLock { $0 = newValue } }
    }

    /// How many erasures the erasure ledger applied again when the engine opened.
    var erasuresReappliedOnOpen: Int {
        get { reapplied.withLock { $0 } }
        set { reapplied.withLock { $0 = newValue } }
    }

    /// Appends one entry durably (returns after fsync); an unavailable log stops the operation.
    @discardableResult
    func record(_ entry: AuditEntry) throws -> UInt64 {
        var entry = entry
        entry.details = RequestScope.tagged(entry.details)
        do { return try audit.append(entry) } catch { throw EngineError.auditUnavailable("\(error)") }
    }

    /// The policy decision: the only way to an access grant. Both outcomes are audited by the PDP.
    func decide(_ request: AccessRequest) -> Decision { decisionPoint.decide(request) }
}

/// A service of the engine: the shared context, and the few capabilities every service uses under
/// the same names (audit, decisions, clock).
protocol EngineService: Sendable {
    var context: EngineContext { get }
}

extension EngineService {
    var workspace: Workspace { context.workspace }
    var policies: PolicySet { context.policies }
    var audit: AuditLog { context.audit }
    var clock: @Sendable () -> Date { context.clock }
    var pseudonymRoot: SymmetricKey { context.pseudonymRoot }
    var auditPseudonymKey: SymmetricKey { context.auditPseudonymKey }

    @discardableResult
    func record(_ entry: AuditEntry) throws -> UInt64 { try context.record(entry) }

    func decide(_ request: AccessRequest) -> Decision { context.decide(request) }
}
