import CustosSchema
import Foundation

/// The treatment decided for one column and the rules that decided it.
public struct ColumnDecision: Sendable, Equatable {
    /// Column name.
    public let column: String
    /// How the column may be used.
    public let treatment: ColumnTreatment
    /// Ids of the rules that set this treatment (the most restrictive permits, or the forbids).
    public let rules: [String]
    /// Why the column is denied, when it is.
    public let reason: DecisionReason?
    /// True when the column is read only to apply the row filter and must not reach the job's output.
    public let filterOnly: Bool

    /// Creates the value from its parts.
    public init(column: String, treatment: ColumnTreatment, rules: [String], reason: DecisionReason?, filterOnly: Bool = false) {
        self.column = column
        self.treatment = treatment
        self.rules = rules
        self.reason = reason
        self.filterOnly = filterOnly
    }
}

/// A per-period limit of epsilon (and of delta, when a permit sets one).
public struct PeriodBudget: Sendable, Equatable, Codable {
    /// The accounting period.
    public let period: BudgetPeriod
    /// Epsilon (differential privacy budget).
    public let epsilon: Double
    /// Delta (probability that pure epsilon-DP fails); nil when no permit limits it, so no job may spend any.
    public let delta: Double?

    /// Creates the value from its parts.
    public init(period: BudgetPeriod, epsilon: Double, delta: Double? = nil) {
        self.period = period
        self.epsilon = epsilon
        self.delta = delta
    }
}

/// Budget limits combined from every applicable permit (the smallest of each wins). The period
/// limits are per principal per dataset; the engine's budget accountant enforces them, together
/// with the population account that bounds every customer's loss over all principals and datasets.
public struct BudgetLimits: Sendable, Equatable, Codable {
    /// Largest epsilon one job may spend.
    public var epsilonPerJob: Double?
    /// Largest delta one job may spend; nil: none.
    public var deltaPerJob: Double?
    /// Largest epsilon (and delta) per principal per dataset per period.
    public var perPeriod: [PeriodBudget]

    /// Creates the value from its parts.
    public init(epsilonPerJob: Double? = nil, deltaPerJob: Double? = nil, perPeriod: [PeriodBudget] = []) {
        self.epsilonPerJob = epsilonPerJob
        self.deltaPerJob = deltaPerJob
        self.perPeriod = perPeriod
    }
}

/// Allow or deny.
public enum DecisionEffect: String, Sendable, Codable {
    case allow
    case deny
}

/// The outcome of one access request. Every decision is handed to the `DecisionRecorder`.
public struct Decision: Sendable {
    /// Random 128-bit id (hex); the grant and the audit entry carry it.
    public let id: String
    /// When it happened.
    public let time: Date
    /// Allow or deny (for a rule: permit or forbid).
    public let effect: DecisionEffect
    /// Principal id.
    public let principal: String
    /// Role the principal acted in.
    public let role: String
    /// Purpose key, e.g. `marketing.segmentation`.
    public let purpose: String
    /// Dataset name.
    public let dataset: String
    /// How results leave the engine.
    public let outputMode: OutputMode
    /// Epsilon (differential privacy budget).
    public let epsilon: Double?
    /// Delta the request asked to spend (0 for pure DP).
    public let delta: Double
    /// The one subject the request is limited to (internal id), if any.
    public let subjectScope: String?
    /// Requested columns (and columns read only for the row filter) with their treatments.
    public let columns: [ColumnDecision]
    /// Why the request was refused; empty when allowed.
    public let reasons: [DecisionReason]
    /// Ids of the permits and forbids that applied, sorted.
    public let matchedRules: [String]
    /// Rows the job may see (all filters of the applicable permits, joined with `and`).
    public let rowFilter: RowFilter?
    /// Smallest group a pseudonymous aggregate may report.
    public let minGroupSize: Int?
    /// Privacy budget limits.
    public let budget: BudgetLimits
    /// SHA-256 of the policy files this decision was made under.
    public let policyVersion: String
    /// Present exactly when the request is allowed: the vault's permission to decrypt.
    public let grant: AccessGrant?

    /// Whether the request is allowed.
    public var isAllowed: Bool { effect == .allow }

    /// Treatment of each requested column (filter-only columns excluded).
    public var treatments: [String: ColumnTreatment] {
        var out: [String: ColumnTreatment] = [:]
        for c in columns where !c.filterOnly { out[c.column] = c.treatment }
        return out
    }

    /// Columns read only to apply the row filter; they must not reach the job's output.
    public var filterColumns: [String] { columns.filter(\.filterOnly).map(\.column) }

    /// Reasons as one paragraph for the person who asked.
    public var explanation: String {
        isAllowed ? "allowed by \(matchedRules.joined(separator: ", "))" : reasons.map(\.message).joined(separator: "; ")
    }

    /// The decision's fields for the audit log: no token, no grant tag, no personal data.
    public var auditRecord: DecisionAuditRecord {
        DecisionAuditRecord(
            decisionID: id, timeMillis: Int64((time.timeIntervalSince1970 * 1000).rounded()), effect: effect,
            principal: principal, role: role, purpose: purpose, dataset: dataset, outputMode: outputMode.rawValue,
            epsilon: epsilon, delta: delta, subjectScoped: subjectScope != nil,
            treatments: Dictionary(columns.map { ($0.column, $0.treatment.rawValue) }, uniquingKeysWith: { a, _ in a }),
            reasons: reasons, matchedRules: matchedRules, rowFilter: rowFilter?.description, minGroupSize: minGroupSize,
            budget: budget, policyVersion: policyVersion)
    }

    init(
        id: String, time: Date, effect: DecisionEffect, request: AccessRequest, columns: [ColumnDecision],
        reasons: [DecisionReason], matchedRules: [String], rowFilter: RowFilter?, minGroupSize: Int?,
        budget: BudgetLimits, policyVersion: String, grant: AccessGrant?
    ) {
        self.id = id
        self.time = time
        self.effect = effect
        self.principal = request.principal
        self.role = request.role
        self.purpose = request.purpose
        self.dataset = request.dataset
        self.outputMode = request.outputMode
        self.epsilon = request.epsilon
        self.delta = request.delta
        self.subjectScope = request.subjectScope
        self.columns = columns
        self.reasons = reasons
        self.matchedRules = matchedRules
        self.rowFilter = rowFilter
        self.minGroupSize = minGroupSize
        self.budget = budget
        self.policyVersion = policyVersion
        self.grant = grant
    }
}

/// A decision flattened for the audit log (Codable; encode with sorted keys for canonical JSON).
public struct DecisionAuditRecord: Sendable, Equatable, Codable {
    /// Id of the decision.
    public let decisionID: String
    /// Decision time, milliseconds since 1970-01-01T00:00:00Z.
    public let timeMillis: Int64
    /// Allow or deny (for a rule: permit or forbid).
    public let effect: DecisionEffect
    /// Principal id.
    public let principal: String
    /// Role the principal acted in.
    public let role: String
    /// Purpose key, e.g. `marketing.segmentation`.
    public let purpose: String
    /// Dataset name.
    public let dataset: String
    /// How results leave the engine.
    public let outputMode: String
    /// Epsilon (differential privacy budget).
    public let epsilon: Double?
    /// Delta the request asked to spend (0 for pure DP).
    public let delta: Double
    /// Whether the request was limited to one subject (the subject id itself is not copied here).
    public let subjectScoped: Bool
    /// Treatment of each column, by column name.
    public let treatments: [String: String]
    /// Why the request was refused; empty when allowed.
    public let reasons: [DecisionReason]
    /// Ids of the rules that applied, sorted.
    public let matchedRules: [String]
    /// The row filter, as canonical text.
    public let rowFilter: String?
    /// Smallest group a pseudonymous aggregate may report.
    public let minGroupSize: Int?
    /// Privacy budget limits.
    public let budget: BudgetLimits
    /// SHA-256 of the policy files the decision was made under.
    public let policyVersion: String
}

/// Where the decision point hands every decision, allowed or denied. The engine adapts this to the
/// audit log. If recording throws, the decision point refuses the request (no unaudited access).
public protocol DecisionRecorder: Sendable {
    /// Records one decision durably before it takes effect.
    func record(_ decision: Decision) throws
}
