import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosPrivacy
import CustosSchema
import CustosVault
import Foundation

/// What a job asks for.
public struct JobSpec: Sendable {
    public var actor: Actor
    public var purpose: String
    public var dataset: String
    /// Columns the algorithm needs (never direct identifiers: rows carry a subject pseudonym instead).
    public var columns: [String]
    public var outputMode: OutputMode
    /// The job's whole privacy cost in epsilon (DP jobs).
    public var epsilon: Double?
    /// Delta of approximate DP (partition selection), reserved with epsilon; 0 for pure DP.
    public var delta: Double = 0
    public var kind: String
    public var title: String

    public init(actor: Actor, purpose: String, dataset: String, columns: [String], outputMode: OutputMode, epsilon: Double? = nil,
                kind: String, title: String) {
        self.actor = actor
        self.purpose = purpose
        self.dataset = dataset
        self.columns = columns
        self.outputMode = outputMode
        self.epsilon = epsilon
        self.kind = kind
        self.title = title
    }
}

/// The rows a job may see, after policy, consent filter, row filter and column treatments:
/// column-major values plus a dense subject index and that subject's purpose-specific pseudonym.
public struct JobFrame: Sendable {
    public let columns: [String]
    public let treatments: [ColumnTreatment]
    public let schema: [Column]
    public var values: [[Value]]
    public var subjectIndex: [Int32] = []
    public var pseudonyms: [String] = []

    public var rowCount: Int { subjectIndex.count }
    public var subjectCount: Int { pseudonyms.count }

    /// Values of one column.
    public func column(_ name: String) throws -> [Value] {
        guard let i = columns.firstIndex(of: name) else { throw EngineError.invalidRequest("the job did not load column '\(name)'") }
        return values[i]
    }

    /// Index of a column, or nil.
    public func index(of name: String) -> Int? { columns.firstIndex(of: name) }
}

extension Engine {
    /// Runs a job end to end: policy decision (deny ends here, audited), budget reservation, consent
    /// filter, decryption of the permitted columns of consenting subjects, row filter, pseudonymisation
    /// and generalisation, the algorithm, and a `job.run` audit entry with a digest of the result.
    public func run(_ spec: JobSpec, algorithm: (JobFrame, Decision) throws -> ReleasedOutput) throws -> JobResult {
        try run(spec) { frame, decision, _ in try algorithm(frame, decision) }
    }

    /// As `run`, for differentially private jobs: the algorithm gets a privacy handle holding exactly the
    /// reserved epsilon; every mechanism it runs is charged to it and the handle refuses overspending.
    public func run(_ spec: JobSpec, algorithm: (JobFrame, Decision, PrivacyHandle?) throws -> ReleasedOutput) throws -> JobResult {
        let jobID = "job-" + SecureRandom.bytes(count: 8).hexString
        let now = clock()
        let dataset = try workspace.catalog.dataset(spec.dataset)
        let request = AccessRequest(principal: spec.actor.principal, token: spec.actor.token, role: spec.actor.role, purpose: spec.purpose,
                                    dataset: spec.dataset, columns: spec.columns, outputMode: spec.outputMode, epsilon: spec.epsilon)
        let decision = decide(request)
        guard decision.isAllowed, let grant = decision.grant else {
            throw EngineError.denied(decision.explanation)
        }
        func refuse(_ reason: String) throws -> Never {
            try record(AuditEntry(time: clock(), actor: spec.actor.principal, role: spec.actor.role, action: .jobRun, purpose: spec.purpose,
                                  dataset: spec.dataset, decision: .deny, reason: reason, policyVersion: decision.policyVersion,
                                  epsilon: spec.epsilon, jobID: jobID, details: ["kind": spec.kind, "decision": decision.id]))
            throw EngineError.budgetExhausted(reason)
        }

        // Budget: the whole cost is reserved atomically before a single row is read.
        if spec.outputMode == .dpAggregate {
            guard let epsilon = spec.epsilon, epsilon > 0 else { throw EngineError.invalidRequest("a DP job needs --epsilon > 0") }
            let accounts = decision.budget.perPeriod.map {
                SQLiteRecordStore.BudgetAccount(period: Engine.periodKey($0.period, now), limit: $0.epsilon)
            }
            if let refused = try workspace.store.reserveBudget(jobID: jobID, principal: spec.actor.principal, dataset: spec.dataset,
                                                               accounts: accounts, epsilon: epsilon, rho: 0,
                                                               at: Int64(now.timeIntervalSince1970 * 1000)) {
                try refuse(String(format: "epsilon %.3g would take %@'s spend on '%@' for %@ from %.3g to %.3g, above the limit %.3g; wait for the next period or ask the DPO",
                                  epsilon, spec.actor.principal, spec.dataset, refused.account.period, refused.spent,
                                  refused.spent + epsilon, refused.account.limit))
            }
        }

        // Consent filter: only subjects whose lawful basis for the purpose is in force now.
        let (eligible, exclusions) = try consentFilter(purpose: spec.purpose, grant: grant, at: now)

        // Read, filter and transform.
        let frame = try loadFrame(decision: decision, grant: grant, dataset: dataset, columns: spec.columns, subjects: eligible)
        let handle = spec.outputMode == .dpAggregate
            ? try PrivacyHandle(reserved: PrivacyCost(epsilon: spec.epsilon ?? 0, delta: spec.delta), randomSource: noiseSource()) : nil
        var output = try algorithm(frame, decision, handle)
        var privacyDetails: [String: String] = [:]
        if let handle {
            let spent = handle.spent
            // The declared cost is charged in full: whatever the algorithm left unspent is not refunded.
            output.notes.append(String(format: "privacy: ε %.4g reserved and charged; mechanisms used ε %.4g", spec.epsilon ?? 0, spent.epsilon)
                                + (spent.delta > 0 ? String(format: ", δ %.2g", spent.delta) : ""))
            privacyDetails["mechanisms"] = handle.releasedMechanisms.map(\.mechanism).joined(separator: ",")
            privacyDetails["epsilon_used"] = String(spent.epsilon)
            if spent.delta > 0 { privacyDetails["delta"] = String(spent.delta) }
        }
        let digest = JobResult.digest(tables: output.tables, charts: output.charts)
        try record(AuditEntry(time: clock(), actor: spec.actor.principal, role: spec.actor.role, action: .jobRun, purpose: spec.purpose,
                              dataset: spec.dataset, decision: .allow, reason: "\(spec.kind) completed", policyVersion: decision.policyVersion,
                              epsilon: spec.outputMode == .dpAggregate ? spec.epsilon : nil, subjectCount: Int64(frame.subjectCount),
                              rows: Int64(frame.rowCount), jobID: jobID, resultDigest: digest,
                              details: ["kind": spec.kind, "decision": decision.id, "output_mode": spec.outputMode.rawValue,
                                        "suppressed_groups": String(output.suppressedGroups),
                                        "excluded": exclusions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")]
                                  .merging(privacyDetails) { a, _ in a }))
        if spec.outputMode == .dpAggregate { try workspace.store.settleBudget(jobID: jobID) }
        return JobResult(jobID: jobID, kind: spec.kind, title: spec.title, principal: spec.actor.principal, purpose: spec.purpose,
                         dataset: spec.dataset, outputMode: spec.outputMode.rawValue, policyVersion: decision.policyVersion,
                         epsilon: spec.epsilon, subjects: frame.subjectCount, rows: frame.rowCount, exclusions: exclusions,
                         suppressedGroups: output.suppressedGroups, minGroupSize: decision.minGroupSize, tables: output.tables,
                         charts: output.charts, notes: output.notes, finishedAt: Value.timestamp(Int64(clock().timeIntervalSince1970 * 1000)).rendered(),
                         resultDigest: digest)
    }

    /// The noise source for DP jobs: OpenSSL's CSPRNG. Tests can substitute a seeded source only through
    /// `@testable` access; no configuration selects it.
    func noiseSource() -> any RandomSource { noiseSourceOverride ?? SecureRandomSource() }

    /// `month:2026-11`, `week:2026-W47`-style keys for budget periods.
    static func periodKey(_ period: BudgetPeriod, _ date: Date) -> String {
        let day = CivilDate(daysSinceEpoch: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        switch period.rawValue {
        case "day": return "day:\(day.iso8601)"
        case "year": return "year:\(day.year)"
        case "quarter": return "quarter:\(day.year)-Q\((day.month - 1) / 3 + 1)"
        case "week": return "week:\(CivilDate(daysSinceEpoch: day.daysSinceEpoch - day.weekday).iso8601)"
        default: return "month:\(day.iso8601.prefix(7))"
        }
    }

    /// Subjects whose consent (or other lawful basis) for `purpose` is in force at `time`, and the
    /// number excluded per reason.
    func consentFilter(purpose: String, grant: AccessGrant, at time: Date, subjects scope: Set<SubjectID>? = nil) throws -> (Set<SubjectID>, [String: Int]) {
        let records = try consentRecords(grant: grant, subjects: scope)
        let states = try processingStates(grant: grant, subjects: scope)
        let evaluator = ConsentEvaluator(purposes: policies.purposes)
        var eligible = Set<SubjectID>()
        var excluded: [String: Int] = [:]
        for subject in try scope.map(Array.init) ?? workspace.store.allSubjects() {
            switch evaluator.evaluate(purpose: purpose, records: records[subject] ?? [], state: states[subject] ?? SubjectProcessingState(), at: time) {
            case .inForce: eligible.insert(subject)
            case let .excluded(reason): excluded[reason.rawValue, default: 0] += 1
            }
        }
        return (eligible, excluded)
    }

    /// Decrypts the permitted columns of eligible subjects, applies the row filter, drops filter-only
    /// columns and applies each column's treatment.
    func loadFrame(decision: Decision, grant: AccessGrant, dataset: DatasetSchema, columns: [String], subjects: Set<SubjectID>) throws -> JobFrame {
        let treatments = decision.treatments
        var wanted: [String] = []
        for column in columns {
            guard let treatment = treatments[column], treatment != .deny else {
                throw EngineError.denied("column '\(column)' is not available to this job")
            }
            wanted.append(column)
        }
        let projection = wanted + decision.filterColumns.filter { !wanted.contains($0) }
        let filter = try decision.rowFilter?.bind(to: projection)
        let schema = try wanted.map { name -> Column in
            guard let column = dataset.column(named: name) else { throw EngineError.invalidRequest("unknown column '\(name)'") }
            return column
        }
        let columnTreatments = wanted.map { treatments[$0] ?? .deny }
        let pseudonymizer = try SubjectPseudonymizer(root: pseudonymRoot, purpose: decision.purpose)
        let today = Int((clock().timeIntervalSince1970 / 86_400).rounded(.down))
        var frame = JobFrame(columns: wanted, treatments: columnTreatments, schema: schema,
                             values: Array(repeating: [], count: wanted.count))
        var indexOf: [SubjectID: Int32] = [:]
        guard !subjects.isEmpty else { return frame }
        try workspace.vault.read(grant, dataset: dataset, columns: projection, subjects: subjects) { subject, values in
            if let filter, !filter.matches(values) { return }
            let index: Int32
            if let known = indexOf[subject] { index = known } else {
                index = Int32(frame.pseudonyms.count)
                indexOf[subject] = index
                frame.pseudonyms.append(pseudonymizer.pseudonym(for: subject))
            }
            frame.subjectIndex.append(index)
            for c in 0..<wanted.count {
                frame.values[c].append(Treatment.apply(columnTreatments[c], to: values[c], column: schema[c], pseudonymizer: pseudonymizer, today: today))
            }
        }
        return frame
    }
}
