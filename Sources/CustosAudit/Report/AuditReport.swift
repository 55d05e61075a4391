import Foundation

/// A compliance report over the entries of a time range: accesses by principal, purpose and data set;
/// denials and their reasons; privacy budget spent per principal and data set per day; data-subject
/// requests with their due dates (overdue ones flagged as of `asOf`); and the log's checkpoint and
/// verification status. Renders as JSON (`json()`) or one self-contained HTML page (`html()`).
public struct AuditReport: Sendable {
    /// What counts as what.
    public struct Options: Sendable {
        /// Actions counted as data accesses (default: `vault.read`, `job.run`).
        public var accessActions: Set<AuditAction>
        /// Actions whose epsilon / rho count as spent budget (default: `job.run`).
        public var budgetActions: Set<AuditAction>
        /// Data-subject request states that are finished (never overdue).
        public var closedRequestStates: Set<String>
        /// The report title.
        public var title: String

        /// The defaults described on each property.
        public init(accessActions: Set<AuditAction> = [.vaultRead, .jobRun], budgetActions: Set<AuditAction> = [.jobRun],
                    closedRequestStates: Set<String> = ["completed", "fulfilled", "rejected", "withdrawn", "closed"],
                    title: String = "Custos audit report") {
            self.accessActions = accessActions
            self.budgetActions = budgetActions
            self.closedRequestStates = closedRequestStates
            self.title = title
        }
    }

    /// A labelled count.
    public struct Count: Sendable, Equatable {
        /// What is counted (a principal, purpose, data set or reason).
        public let key: String
        /// How many.
        public let count: Int
    }

    /// One denied request.
    public struct Denial: Sendable, Equatable {
        /// When (canonical UTC timestamp).
        public let time: String
        /// The principal.
        public let actor: String
        /// The principal's role.
        public let role: String
        /// The action denied.
        public let action: String
        /// The declared purpose.
        public let purpose: String?
        /// The data set.
        public let dataset: String?
        /// Why it was denied.
        public let reason: String?
        /// The policy version that decided.
        public let policyVersion: String?
    }

    /// Budget spent by one principal on one data set on one day (or in total when `day` is nil).
    public struct BudgetUse: Sendable, Equatable {
        /// UTC day `YYYY-MM-DD`; nil in totals.
        public let day: String?
        /// The principal.
        public let actor: String
        /// The data set.
        public let dataset: String
        /// Epsilon spent.
        public let epsilon: Double
        /// Rho spent.
        public let rho: Double
        /// Number of charged entries.
        public let jobs: Int
    }

    /// The latest known state of one data-subject request.
    public struct SubjectRequest: Sendable, Equatable {
        /// The request identifier.
        public let requestID: String
        /// Request type (access, erasure, …).
        public let type: String
        /// Jurisdiction (GDPR, PIPL, …).
        public let jurisdiction: String
        /// Latest state.
        public let state: String
        /// Due date `YYYY-MM-DD`, if known.
        public let due: String?
        /// When the state last changed.
        public let lastChange: String
        /// Open and past its due date as of the report date.
        public let overdue: Bool
        /// Whole days past due (0 when not overdue).
        public let daysOverdue: Int
    }

    /// The report title.
    public let title: String
    /// The report date (overdue flags are computed as of this instant).
    public let asOf: Date
    /// First and last entry time covered (nil when there are no entries).
    public let firstEntryTime: String?
    /// Time of the latest entry covered.
    public let lastEntryTime: String?
    /// Entries the report was built from.
    public let entryCount: Int
    /// Allowed data accesses (see `Options.accessActions`).
    public let accessCount: Int
    /// Accesses per principal, most first.
    public let accessesByPrincipal: [Count]
    /// Accesses per purpose, most first.
    public let accessesByPurpose: [Count]
    /// Accesses per data set, most first.
    public let accessesByDataset: [Count]
    /// Every denied request, in log order.
    public let denials: [Denial]
    /// Denials per reason, most first.
    public let denialsByReason: [Count]
    /// Totals per principal and data set.
    public let budgetTotals: [BudgetUse]
    /// Per day, principal and data set.
    public let budgetDaily: [BudgetUse]
    /// Data-subject requests, overdue first, then by due date.
    public let subjectRequests: [SubjectRequest]
    /// The verification result shown in the report, if one was given.
    public let verification: AuditVerificationResult?
    /// The options the report was built with.
    public let options: Options

    /// Builds the report from `entries` (already limited to the period of interest).
    public init(entries: [AuditEntry], asOf: Date, verification: AuditVerificationResult? = nil,
                options: Options = Options()) {
        title = options.title
        self.options = options
        self.asOf = asOf
        self.verification = verification
        entryCount = entries.count
        let times = entries.map(\.timeMilliseconds)
        firstEntryTime = times.min().map { AuditTimestamp.format(milliseconds: $0) }
        lastEntryTime = times.max().map { AuditTimestamp.format(milliseconds: $0) }

        let accesses = entries.filter { options.accessActions.contains($0.action) && $0.decision != .deny }
        accessCount = accesses.count
        accessesByPrincipal = AuditReport.counts(accesses.map(\.actor))
        accessesByPurpose = AuditReport.counts(accesses.map { $0.purpose ?? "(none)" })
        accessesByDataset = AuditReport.counts(accesses.map { $0.dataset ?? "(none)" })

        let denied = entries.filter { $0.decision == .deny }
        denials = denied.map {
            Denial(time: AuditTimestamp.format(milliseconds: $0.timeMilliseconds), actor: $0.actor, role: $0.role,
                   action: $0.action.rawValue, purpose: $0.purpose, dataset: $0.dataset, reason: $0.reason,
                   policyVersion: $0.policyVersion)
        }
        denialsByReason = AuditReport.counts(denied.map { $0.reason ?? "(no reason recorded)" })

        let spending = entries.filter {
            options.budgetActions.contains($0.action) && $0.decision != .deny && ($0.epsilon != nil || $0.rho != nil)
        }
        budgetDaily = AuditReport.budget(spending, byDay: true)
        budgetTotals = AuditReport.budget(spending, byDay: false)
        subjectRequests = AuditReport.requests(entries, asOf: asOf, closed: options.closedRequestStates)
    }

    /// Counts by key, largest first, ties by key.
    static func counts(_ keys: [String]) -> [Count] {
        var tally = [String: Int]()
        for key in keys { tally[key, default: 0] += 1 }
        return tally.map { Count(key: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }

    static func budget(_ entries: [AuditEntry], byDay: Bool) -> [BudgetUse] {
        struct Key: Hashable {
            let day: String?
            let actor: String
            let dataset: String
        }
        var sums = [Key: (Double, Double, Int)]()
        for e in entries {
            let key = Key(day: byDay ? e.day : nil, actor: e.actor, dataset: e.dataset ?? "(none)")
            let old = sums[key] ?? (0, 0, 0)
            sums[key] = (old.0 + (e.epsilon ?? 0), old.1 + (e.rho ?? 0), old.2 + 1)
        }
        return sums.map { BudgetUse(day: $0.key.day, actor: $0.key.actor, dataset: $0.key.dataset, epsilon: $0.value.0,
                                    rho: $0.value.1, jobs: $0.value.2) }
            .sorted { ($0.day ?? "", $0.actor, $0.dataset) < ($1.day ?? "", $1.actor, $1.dataset) }
    }

    static func requests(_ entries: [AuditEntry], asOf: Date, closed: Set<String>) -> [SubjectRequest] {
        var latest = [String: (entry: AuditEntry, due: String?, type: String?, jurisdiction: String?)]()
        var order = [String]()
        for e in entries where e.action == .dsrState {
            guard let id = e.requestID ?? e.details["request"] else { continue }
            let previous = latest[id]
            if previous == nil { order.append(id) }
            latest[id] = (e, e.details["due"] ?? previous?.due, e.details["type"] ?? previous?.type,
                          e.details["jurisdiction"] ?? previous?.jurisdiction)
        }
        let today = AuditTimestamp.day(milliseconds: AuditTimestamp.milliseconds(of: asOf))
        let todayStart = AuditTimestamp.startOfDay(today) ?? 0
        return order.compactMap { id -> SubjectRequest? in
            guard let item = latest[id] else { return nil }
            let state = item.entry.details["state"] ?? "(unknown)"
            var overdue = false
            var days = 0
            if let due = item.due, let dueStart = AuditTimestamp.startOfDay(due), !closed.contains(state),
               dueStart < todayStart {
                overdue = true
                days = Int((todayStart - dueStart) / 86_400_000)
            }
            return SubjectRequest(
                requestID: id, type: item.type ?? "(unknown)", jurisdiction: item.jurisdiction ?? "(unknown)",
                state: state, due: item.due, lastChange: AuditTimestamp.format(milliseconds: item.entry.timeMilliseconds),
                overdue: overdue, daysOverdue: days)
        }
        .sorted { ($0.overdue ? 0 : 1, $0.due ?? "9999", $0.requestID) < ($1.overdue ? 0 : 1, $1.due ?? "9999", $1.requestID) }
    }

    /// Epsilon spent per day over the whole report (all principals and data sets).
    public var epsilonByDay: [(day: String, epsilon: Double)] {
        var sums = [String: Double]()
        for use in budgetDaily { sums[use.day ?? "", default: 0] += use.epsilon }
        return sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
