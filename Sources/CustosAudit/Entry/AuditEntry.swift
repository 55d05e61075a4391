import Foundation

/// One fact in the audit log: who did what, for which purpose, on which data set, with what outcome.
///
/// Entries never hold plaintext personal data. Data subjects appear only as keyed pseudonyms
/// (HMAC-SHA-256 under a per-purpose key) or digests, in `subjects`, and usually only as a count
/// (`subjectCount`). `details` is for action-specific facts that are not personal data (a request's
/// type and due date, a budget period, a key identifier), never for customer values.
///
/// On disk each entry is one line of canonical JSON (see `CanonicalJSON` and audit/README.md).
public struct AuditEntry: Sendable, Equatable {
    /// When it happened, in milliseconds since 1970-01-01T00:00:00Z (UTC, millisecond precision).
    public var timeMilliseconds: Int64
    /// The principal that acted (user or service name).
    public var actor: String
    /// The principal's role, e.g. `analyst`, `dpo`, `operator`, `system`.
    public var role: String
    /// What happened.
    public var action: AuditAction
    /// The declared purpose, e.g. `marketing.segmentation`.
    public var purpose: String?
    /// The data set touched, e.g. `orders`.
    public var dataset: String?
    /// The policy decision, for entries that record one.
    public var decision: AuditDecision?
    /// Why (a policy rule name or a denial reason). Never personal data.
    public var reason: String?
    /// The version of the policy set that decided.
    public var policyVersion: String?
    /// Differential-privacy epsilon charged, if any (finite, ≥ 0).
    public var epsilon: Double?
    /// Zero-concentrated DP rho charged, if any (finite, ≥ 0).
    public var rho: Double?
    /// Keyed pseudonyms or digests of the data subjects concerned (never identifiers). Keep short.
    public var subjects: [String]?
    /// How many data subjects were concerned.
    public var subjectCount: Int64?
    /// How many rows were read or written.
    public var rows: Int64?
    /// The job this entry belongs to.
    public var jobID: String?
    /// The request (data-subject request or API request) this entry belongs to.
    public var requestID: String?
    /// A digest of the result released, e.g. `sha256:…`.
    public var resultDigest: String?
    /// Action-specific facts, e.g. for `dsr.state`: `type`, `jurisdiction`, `state`, `due` (YYYY-MM-DD).
    public var details: [String: String]

    /// Creates an entry. `time` is rounded to the nearest millisecond.
    public init(
        time: Date = Date(), actor: String, role: String, action: AuditAction,
        purpose: String? = nil, dataset: String? = nil, decision: AuditDecision? = nil, reason: String? = nil,
        policyVersion: String? = nil, epsilon: Double? = nil, rho: Double? = nil, subjects: [String]? = nil,
        subjectCount: Int64? = nil, rows: Int64? = nil, jobID: String? = nil, requestID: String? = nil,
        resultDigest: String? = nil, details: [String: String] = [:]
    ) {
        self.timeMilliseconds = AuditTimestamp.milliseconds(of: time)
        self.actor = actor
        self.role = role
        self.action = action
        self.purpose = purpose
        self.dataset = dataset
        self.decision = decision
        self.reason = reason
        self.policyVersion = policyVersion
        self.epsilon = epsilon
        self.rho = rho
        self.subjects = subjects
        self.subjectCount = subjectCount
        self.rows = rows
        self.jobID = jobID
        self.requestID = requestID
        self.resultDigest = resultDigest
        self.details = details
    }

    /// When it happened.
    public var time: Date {
        get { AuditTimestamp.date(milliseconds: timeMilliseconds) }
        set { timeMilliseconds = AuditTimestamp.milliseconds(of: newValue) }
    }

    /// The UTC day (`YYYY-MM-DD`) of `time`.
    public var day: String { AuditTimestamp.day(milliseconds: timeMilliseconds) }
}

/// The member names used in the JSON form of an entry.
enum EntryKey {
    static let action = "action", actor = "actor", dataset = "dataset", decision = "decision"
    static let details = "details", epsilon = "epsilon", jobID = "jobID", policyVersion = "policyVersion"
    static let purpose = "purpose", reason = "reason", requestID = "requestID", resultDigest = "resultDigest"
    static let rho = "rho", role = "role", rows = "rows", subjectCount = "subjectCount", subjects = "subjects"
    static let time = "time"
}
