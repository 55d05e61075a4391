import CustosBase
import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosPrivacy
import CustosSchema
import CustosVault
import Foundation

/// What a job asks for.
public struct JobSpec: Sendable {
    public var actor: Caller
    public var purpose: String
    public var dataset: String
    /// Columns the algorithm needs (never direct identifiers: rows carry a subject pseudonym instead).
    public var columns: [String]
    public var outputMode: OutputMode
    /// The job's whole privacy cost in epsilon (DP jobs).
    public var epsilon: Double?
    /// Delta of approximate DP (partition selection), reserved with epsilon; 0 for pure DP.
    public var delta: Double = 0
    /// Rho of zero-concentrated DP (Gaussian mechanisms), reserved with epsilon and delta.
    public var rho: Double = 0
    /// Columns whose values become released keys (cube dimensions): refused when they identify a
    /// customer, since every key would then describe one person.
    public var groupingColumns: [String] = []
    public var kind: String
    public var title: String

    public init(actor: Caller, purpose: String, dataset: String, columns: [String], outputMode: OutputMode, epsilon: Double? = nil,
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

/// Runs jobs: the policy decision, the budget, the consent filter, the governed read and the
/// audit entry around every algorithm. The job kinds (statistics, mining, DP mining) are in the
/// `JobRunner+…` files.
public struct JobRunner: EngineService {
    package let context: EngineContext
}

extension JobRunner {
    /// Runs a pseudonymous job end to end: policy decision (deny ends here, audited), consent filter,
    /// decryption of the permitted columns of consenting subjects, row filter, pseudonymisation and
    /// generalisation, the algorithm, and a `job.run` audit entry with a digest of the result.
    public func run(_ spec: JobSpec, algorithm: (JobFrame, Decision) throws -> ReleasedOutput) throws -> JobResult {
        guard spec.outputMode != .dpAggregate else {
            throw EngineError.invalidRequest("a differentially private job releases only through runPrivate, with its cost declared")
        }
        return try execute(spec) { frame, decision, _ in .pseudonymous(try algorithm(frame, decision)) }
    }

    /// Runs a differentially private job. The job's whole cost (`spec.epsilon`, `delta`, `rho`) is
    /// reserved atomically against the principal's accounts and the population account before a row
    /// is read; the algorithm gets a privacy handle holding exactly that cost, every mechanism it runs
    /// is charged to it, and it can release only a ``DPRelease``. The exact numbers of customers, rows
    /// and consent exclusions go to the audit entry for officers, never into the result.
    public func runPrivate(_ spec: JobSpec, algorithm: (JobFrame, Decision, PrivacyHandle) throws -> DPRelease) throws -> JobResult {
        guard spec.outputMode == .dpAggregate else {
            throw EngineError.invalidRequest("runPrivate runs dp_aggregate jobs only")
        }
        return try execute(spec) { frame, decision, handle in
            guard let handle else { throw EngineError.invalidRequest("a DP job needs a privacy handle") }
            return .differentiallyPrivate(try algorithm(frame, decision, handle))
        }
    }

    /// The schema of a dataset a job names. An undeclared name is refused by the decision point,
    /// which audits the refusal like any other (a plain lookup error would leave no entry).
    func declaredDataset(_ name: String, caller: Caller, purpose: String, epsilon: Double?) throws -> DatasetSchema {
        if let dataset = try? workspace.catalog.dataset(name) { return dataset }
        let decision = decide(AccessRequest(principal: caller.principal, token: caller.token, role: caller.role, purpose: purpose,
                                            dataset: name, columns: [], outputMode: .dpAggregate, epsilon: epsilon))
        throw EngineError.denied(decision.explanation)
    }

    /// What an algorithm produced.
    enum Produced {
        case pseudonymous(ReleasedOutput)
        case differentiallyPrivate(DPRelease)
    }

    private func execute(_ spec: JobSpec, algorithm: (JobFrame, Decision, PrivacyHandle?) throws -> Produced) throws -> JobResult {
        let jobID = "job-" + SecureRandom.bytes(count: 8).hexString
        let now = clock()
        let isPrivate = spec.outputMode == .dpAggregate
        // From before its reservation to its end, this job's reservation cannot be released.
        if isPrivate { context.auditedBudget.begin(jobID) }
        defer { context.auditedBudget.end(jobID) }
        let request = AccessRequest(principal: spec.actor.principal, token: spec.actor.token, role: spec.actor.role, purpose: spec.purpose,
                                    dataset: spec.dataset, columns: spec.columns, outputMode: spec.outputMode, epsilon: spec.epsilon,
                                    delta: spec.delta)
        let decision = decide(request)
        // The decision point checks everything first (an unknown dataset, a hostile epsilon) and
        // audits the refusal; only then is the dataset looked up.
        guard decision.isAllowed, let grant = decision.grant else {
            throw EngineError.denied(decision.explanation)
        }
        let dataset = try workspace.catalog.dataset(spec.dataset)
        func refuse(_ reason: String, budget: BudgetShortfall? = nil, ledgerMismatch: Bool = false) throws -> Never {
            try record(AuditEntry(time: clock(), actor: spec.actor.principal, role: spec.actor.role, action: .jobRun, purpose: spec.purpose,
                                  dataset: spec.dataset, decision: .deny, reason: reason, policyVersion: decision.policyVersion,
                                  epsilon: spec.epsilon, jobID: jobID,
                                  details: ["kind": spec.kind, "decision": decision.id, "delta": String(spec.delta)]
                                      .merging(ledgerMismatch ? ["ledger": "mismatch"] : [:]) { a, _ in a }))
            if ledgerMismatch { throw EngineError.ledgerMismatch(reason) }
            if let budget { throw EngineError.budgetExhausted(budget) }
            throw EngineError.denied(reason)
        }

        // Keys that would each describe one customer are never released, however much noise is added.
        for column in spec.groupingColumns {
            let schema = dataset.column(named: column)
            let category = schema?.category ?? ""
            let identifying = Self.identifyingCategories.contains { category == $0 || category.hasPrefix($0 + ".") }
            if schema?.columnClass == .directIdentifier || dataset.subjectKeys.contains(column) || decision.treatments[column] == .pseudonymize
                || identifying {
                try refuse("'\(column)' identifies a customer (an identifier or a pseudonym), so it cannot be a group-by key; group by a category, a date or a banded value instead")
            }
        }

        // Budget: the whole cost is reserved atomically before a single row is read.
        var privacy: PrivacyStatement?
        if isPrivate {
            guard let epsilon = spec.epsilon, epsilon > 0 else { throw EngineError.invalidRequest("a DP job needs --epsilon > 0") }
            let cost = PrivacyCost(epsilon: epsilon, delta: spec.delta, rho: spec.rho)
            guard cost.isValid else { throw EngineError.invalidRequest("epsilon, delta and rho must be finite, non-negative, and delta below 1") }
            if let refusal = try reserve(cost, jobID: jobID, spec: spec, decision: decision, at: now) {
                try refuse(refusal.reason, budget: refusal.ledgerMismatch ? nil : refusal.shortfall(requested: cost),
                           ledgerMismatch: refusal.ledgerMismatch)
            }
            // Past this point the job reads customer data, so its reservation can never be released.
            try workspace.ledger.markReading(jobID: jobID)
            privacy = PrivacyStatement(epsilon: epsilon, delta: spec.delta, rho: spec.rho,
                                       conversion: spec.rho > 0 ? Self.conversionNote(cost, decision: decision, population: policies.population) : nil)
        }

        // Consent filter: only subjects whose lawful basis for the purpose is in force now.
        let (eligible, exclusions) = try consentFilter(purpose: spec.purpose, grant: grant, at: now)

        // Read, filter and transform.
        let frame = try loadFrame(decision: decision, grant: grant, dataset: dataset, columns: spec.columns, subjects: eligible)
        let handle = isPrivate
            ? try PrivacyHandle(reserved: PrivacyCost(epsilon: spec.epsilon ?? 0, delta: spec.delta, rho: spec.rho), randomSource: noiseSource())
            : nil
        let produced = try algorithm(frame, decision, handle)
        var tables: [ResultTable], charts: [ResultChart], notes: [String]
        var release: DPRelease?, cohort: Cohort?
        var details: [String: String] = ["kind": spec.kind, "decision": decision.id, "output_mode": spec.outputMode.rawValue,
                                         "excluded": exclusions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")]
        switch produced {
        case let .pseudonymous(output):
            (tables, charts, notes) = (output.tables, output.charts, output.notes)
            cohort = Cohort(subjects: frame.subjectCount, rows: frame.rowCount, exclusions: exclusions, suppressedGroups: output.suppressedGroups,
                            minGroupSize: decision.minGroupSize)
            details["suppressed_groups"] = String(output.suppressedGroups)
        case let .differentiallyPrivate(output):
            release = output
            (tables, charts, notes) = (output.displayTables, output.displayCharts, output.notes.map(\.description))
        }
        if let handle {
            // The declared cost is charged in full: whatever the algorithm left unspent is not refunded.
            // What the mechanisms used is for officers (audit entry) only.
            let spent = handle.spent
            details["mechanisms"] = handle.releasedMechanisms.map(\.mechanism).joined(separator: ",")
            details["epsilon_used"] = String(spent.epsilon)
            if spec.delta > 0 { details["delta"] = String(spec.delta) }
            if spec.rho > 0 { details["rho"] = String(spec.rho) }
        }
        let digest = JobResult.digest(tables: tables, charts: charts)
        // The exact cohort (customers, rows, exclusions per reason) is recorded for officers in every case.
        try record(AuditEntry(time: clock(), actor: spec.actor.principal, role: spec.actor.role, action: .jobRun, purpose: spec.purpose,
                              dataset: spec.dataset, decision: .allow, reason: "\(spec.kind) completed", policyVersion: decision.policyVersion,
                              epsilon: isPrivate ? spec.epsilon : nil, subjectCount: Int64(frame.subjectCount),
                              rows: Int64(frame.rowCount), jobID: jobID, resultDigest: digest, details: details))
        if isPrivate { try workspace.ledger.settleBudget(jobID: jobID) }
        return JobResult(jobID: jobID, kind: spec.kind, title: spec.title, principal: spec.actor.principal, purpose: spec.purpose,
                         dataset: spec.dataset, outputMode: spec.outputMode.rawValue, policyVersion: decision.policyVersion,
                         cohort: cohort, privacy: privacy, release: release, tables: tables, charts: charts, notes: notes,
                         finishedAt: Value.timestamp(Int64(clock().timeIntervalSince1970 * 1000)).rendered(), resultDigest: digest)
    }

    /// Data categories whose values single out a person or their device (Fideslang names): never group-by keys.
    static let identifyingCategories = ["user.unique_id", "user.device.cookie_id", "user.device.device_id", "user.contact.email",
                                        "user.contact.phone_number", "user.name",
                                        "user.government_id"]

    /// Why a reservation was refused: over a limit, or a ledger that does not match the audit log.
    struct BudgetRefusal {
        let reason: String
        var ledgerMismatch = false
        var account: LedgerAccount?
        var spent: LedgerCost?
        var epsilonLimit: Double?
        var deltaLimit: Double?

        func shortfall(requested cost: PrivacyCost) -> BudgetShortfall {
            BudgetShortfall(account: account, spent: spent, requested: LedgerCost(epsilon: cost.epsilon, delta: cost.delta, rho: cost.rho),
                            epsilonLimit: epsilonLimit, deltaLimit: deltaLimit, message: reason)
        }
    }

    /// Reserves `cost` on the principal's per-period accounts for the dataset and on the population
    /// account (per period and lifetime), all or nothing, after checking the stored ledger against
    /// the spend the signed audit log records; then records the reservation in the log. Returns why
    /// it was refused, or nil.
    func reserve(_ cost: PrivacyCost, jobID: String, spec: JobSpec, decision: Decision, at now: Date) throws -> BudgetRefusal? {
        guard let population = policies.population else {
            return BudgetRefusal(reason: "the workspace sets no population budget (policies/privacy.yaml); ask the DPO to set one")
        }
        typealias Account = LedgerAccount
        var limits: [(Account, epsilon: Double, delta: Double)] = decision.budget.perPeriod.map {
            (Account(holder: .principal(spec.actor.principal, dataset: spec.dataset), period: JobRunner.periodKey($0.period, now)), $0.epsilon, $0.delta ?? 0)
        }
        limits.append((Account(holder: .population, period: JobRunner.periodKey(population.period, now)), population.epsilonPerPeriod, population.deltaPerPeriod))
        limits.append((Account(holder: .population, period: "lifetime"), population.epsilonLifetime, population.deltaLifetime))
        let requested = LedgerCost(epsilon: cost.epsilon, delta: cost.delta, rho: cost.rho)
        // Taken before the store's transaction: the log only ever lags the store, so a snapshot that
        // misses a concurrent reservation can only make the check more lenient, never raise a false alarm.
        let logged: [LedgerAccount: LedgerCost]
        do { logged = try context.auditedBudget.totals(log: audit) } catch {
            throw EngineError.auditUnavailable("the budget reservations in the audit log cannot be read (\(error))")
        }
        let refusal = try workspace.ledger.reserveBudget(
            jobID: jobID, accounts: limits.map(\.0), cost: requested, at: Int64(now.timeIntervalSince1970 * 1000),
            verify: { AuditedBudget.inconsistency(stored: $0, logged: logged) }
        ) { total, account in
            guard let limit = limits.first(where: { $0.0 == account }) else { return false }
            return Self.admits(total, epsilonLimit: limit.epsilon, deltaLimit: limit.delta)
        }
        guard let refusal else {
            let charge = AuditedBudget.Charge(jobID: jobID, accounts: limits.map(\.0), cost: requested)
            try record(charge.entry(time: clock(), role: spec.actor.role, purpose: spec.purpose, policyVersion: decision.policyVersion))
            context.auditedBudget.add(charge)
            return nil
        }
        if let inconsistency = refusal.inconsistency { return BudgetRefusal(reason: inconsistency, ledgerMismatch: true) }
        guard let limit = limits.first(where: { $0.0 == refusal.account }) else { return nil }
        let whose: String
        switch refusal.account.holder {
        case let .principal(name, dataset): whose = "\(name)'s spend on '\(dataset)' for \(refusal.account.period)"
        case .population: whose = "the population account (every customer's total over all principals and datasets) for \(refusal.account.period)"
        }
        let spent = refusal.spent
        return BudgetRefusal(reason: String(format: "this job (ε %.3g, δ %.3g) would take %@ from ε %.3g, δ %.3g to ε %.3g, δ %.3g, above the limit ε %.3g, δ %.3g; wait for the next period or ask the DPO",
                      cost.epsilon, cost.delta, whose, spent.epsilon, spent.delta, spent.epsilon + cost.epsilon, spent.delta + cost.delta,
                      limit.epsilon, limit.delta),
                             account: refusal.account, spent: spent, epsilonLimit: limit.epsilon, deltaLimit: limit.delta)
    }

    /// Whether an account's total stays within (epsilon, delta). Rho (zCDP) is converted to epsilon
    /// at the delta the account has left after its approximate-DP spend (Bun & Steinke 2016, Prop. 1.3).
    /// A tiny tolerance absorbs floating-point sums such as 0.1 + 0.2; it never allows a visible overspend.
    static func admits(_ total: LedgerCost, epsilonLimit: Double, deltaLimit: Double) -> Bool {
        guard total.delta <= deltaLimit * (1 + 1e-12) else { return false }
        let cost = PrivacyCost(epsilon: total.epsilon, delta: min(total.delta, deltaLimit), rho: total.rho)
        guard let epsilon = cost.approximateEpsilon(totalDelta: deltaLimit) else { return false }
        return epsilon <= epsilonLimit + 1e-12
    }

    /// The conversion a zCDP job's cost goes through, stated in its result.
    static func conversionNote(_ cost: PrivacyCost, decision: Decision, population: PopulationBudget?) -> String {
        let delta = population?.deltaPerPeriod ?? 0
        guard let epsilon = cost.approximateEpsilon(totalDelta: delta) else { return "ρ cannot be converted: no delta is available" }
        return String(format: "ρ %g zCDP counts as ε %.4g at δ %g (the tighter of Bun & Steinke 2016 and Canonne, Kamath & Steinke 2020) against the population account",
                      cost.rho, epsilon, delta)
    }

    /// The noise source for DP jobs: OpenSSL's CSPRNG. Tests can substitute a seeded source only through
    /// `@testable` access; no configuration selects it.
    func noiseSource() -> any RandomSource {
        if let override = context.noiseSourceOverride { return override }
        return SecureRandomSource()
    }

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
