import CustosSchema

/// The result of evaluating a request against the rules, before a decision id or grant exists.
public struct Evaluation: Sendable {
    /// Why the request was refused; empty when allowed.
    public var reasons: [DecisionReason] = []
    /// Columns concerned.
    public var columns: [ColumnDecision] = []
    /// Applicable permits, sorted by id.
    public var permits: [PolicyRule] = []
    /// Applicable forbids that picked at least one column, sorted by id.
    public var forbids: [PolicyRule] = []
    /// The row filter, as canonical text.
    public var rowFilter: RowFilter?
    /// Smallest group a pseudonymous aggregate may report.
    public var minGroupSize: Int?
    /// Privacy budget limits.
    public var budget = BudgetLimits()

    /// Allowed when nothing was refused.
    public var isAllowed: Bool { reasons.isEmpty && !columns.isEmpty }

    /// Ids of the rules that applied, sorted.
    public var matchedRules: [String] { (permits.map(\.id) + forbids.map(\.id)).sorted() }
}

/// Evaluates requests against a policy set with Cedar's semantics: default deny, forbid beats
/// permit, order never matters. Where several permits apply, each column gets the most
/// restrictive of their treatments, row filters are joined with `and`, the largest minimum group
/// size and the smallest budgets win.
public struct PolicyEvaluator: Sendable {
    /// The loaded policy set.
    public let policies: PolicySet

    /// An evaluator over `policies`.
    public init(policies: PolicySet) { self.policies = policies }

    /// Evaluates `request`. With `authenticate: false` the token is not checked (used by
    /// `explain` and golden tests, never by the decision point).
    public func evaluate(_ request: AccessRequest, authenticate: Bool = true) -> Evaluation {
        var result = Evaluation()
        func refuse(_ code: ReasonCode, _ message: String, rule: String? = nil) -> Evaluation {
            result.reasons.append(DecisionReason(code: code, message: message, rule: rule))
            return result
        }
        // Who is asking.
        guard let principal = policies.principals[request.principal] else {
            if authenticate { _ = policies.principals.authenticate(principal: request.principal, token: request.token ?? "") }
            return refuse(.unknownPrincipal, "principal '\(request.principal)' could not be authenticated (unknown principal or wrong token)")
        }
        if authenticate {
            guard let token = request.token, AccessToken.matches(token, storedHash: principal.tokenSHA256) else {
                return refuse(.invalidToken, "principal '\(request.principal)' could not be authenticated (unknown principal or wrong token)")
            }
        }
        if principal.disabled { return refuse(.principalDisabled, "principal '\(principal.id)' is disabled") }
        guard policies.roles.contains(request.role) else {
            return refuse(.unknownRole, "role '\(request.role)' is not declared in roles.yaml")
        }
        guard principal.holds(request.role) else {
            return refuse(.roleNotHeld, "principal '\(principal.id)' does not hold role '\(request.role)' (holds: \(principal.roles.joined(separator: ", ")))")
        }
        // What is asked for.
        guard let purpose = policies.purposes[request.purpose] else {
            return refuse(.unknownPurpose, "purpose '\(request.purpose)' is not declared in purposes.yaml")
        }
        guard let schema = policies.catalog.datasets[request.dataset] else {
            return refuse(.unknownDataset, "dataset '\(request.dataset)' is not declared")
        }
        guard !request.columns.isEmpty else { return refuse(.noColumns, "the request names no columns") }
        var requested: [Column] = []
        for name in request.columns where !requested.contains(where: { $0.name == name }) {
            guard let column = schema.column(named: name) else {
                return refuse(.unknownColumn, "dataset '\(schema.name)' has no column '\(name)'")
            }
            requested.append(column)
        }
        // Subject scope.
        let mode = request.outputMode
        if request.role == StandardRole.dataSubject {
            guard mode == .subjectAccess else {
                return refuse(.outputModeNotPermitted, "a data subject may only read their own data (output mode subject_access)")
            }
            guard let scope = request.subjectScope, let own = principal.subject, scope == own else {
                return refuse(.subjectScopeMismatch, "a data subject may only read their own data; the request is not limited to the subject this principal is bound to")
            }
        }
        if mode == .subjectAccess && request.subjectScope == nil {
            return refuse(.subjectScopeRequired, "subject_access requests must be limited to one subject")
        }
        // Which rules apply.
        let hasScope = request.subjectScope != nil
        result.permits = policies.rules.filter {
            $0.effect == .permit && $0.applies(role: request.role, purpose: purpose.key, dataset: schema.name, mode: mode, hasSubjectScope: hasScope)
        }
        let forbids = policies.rules.filter {
            $0.effect == .forbid && $0.applies(role: request.role, purpose: purpose.key, dataset: schema.name, mode: mode, hasSubjectScope: hasScope)
        }
        if result.permits.isEmpty {
            result.reasons.append(missingPermit(request))
            return result
        }
        // Columns.
        var usedForbids = Set<String>()
        for column in requested {
            let decision = decideColumn(column, purpose: purpose, mode: mode, permits: result.permits, forbids: forbids, filterOnly: false)
            if decision.treatment == .deny, let reason = decision.reason { result.reasons.append(reason) }
            if let reason = decision.reason, reason.code == .forbidden { usedForbids.formUnion(decision.rules) }
            result.columns.append(decision)
        }
        // Row filter, group size, budget.
        var deltaDenied = false
        for permit in result.permits {
            if let filter = permit.rowFilter { result.rowFilter = result.rowFilter.map { $0.and(filter) } ?? filter }
            if let size = permit.minGroupSize { result.minGroupSize = max(result.minGroupSize ?? size, size) }
            if let budget = permit.budget {
                if let job = budget.epsilonPerJob { result.budget.epsilonPerJob = min(result.budget.epsilonPerJob ?? job, job) }
                // Delta: a permit that sets no delta limit allows none, and the most restrictive permit wins.
                if !deltaDenied, let job = budget.deltaPerJob {
                    result.budget.deltaPerJob = min(result.budget.deltaPerJob ?? job, job)
                } else {
                    deltaDenied = true
                    result.budget.deltaPerJob = nil
                }
                if let period = budget.epsilonPerPeriod {
                    let delta = budget.deltaPerPeriod
                    if let i = result.budget.perPeriod.firstIndex(where: { $0.period == budget.period }) {
                        let old = result.budget.perPeriod[i]
                        let combined = old.delta.flatMap { a in delta.map { min(a, $0) } }
                        result.budget.perPeriod[i] = PeriodBudget(period: budget.period, epsilon: min(old.epsilon, period), delta: combined)
                    } else {
                        result.budget.perPeriod.append(PeriodBudget(period: budget.period, epsilon: period, delta: delta))
                    }
                }
            }
        }
        result.budget.perPeriod.sort { $0.period < $1.period }
        if let filter = result.rowFilter {
            // Columns read only to apply the row filter: the permit's author chose them, so only a
            // forbid can refuse them. They enter the grant as dp_only (never output directly) and
            // are listed in `Decision.filterColumns` so the engine drops them after filtering.
            let filtering = result.permits.filter { $0.rowFilter != nil }.map(\.id)
            for name in filter.columns where !requested.contains(where: { $0.name == name }) {
                guard let column = schema.column(named: name) else { continue }
                let forbidding = forbids.filter { $0.entry(for: column) != nil }.map(\.id)
                if forbidding.isEmpty {
                    result.columns.append(ColumnDecision(column: name, treatment: .dpOnly, rules: filtering, reason: nil, filterOnly: true))
                } else {
                    let reason = DecisionReason(
                        code: .filterColumnDenied,
                        message: "the row filter of rule \(filtering.joined(separator: ", ")) needs column '\(name)', which rule \(forbidding.joined(separator: ", ")) forbids; the policy author must resolve this",
                        rule: forbidding.first, column: name)
                    result.reasons.append(reason)
                    usedForbids.formUnion(forbidding)
                    result.columns.append(ColumnDecision(column: name, treatment: .deny, rules: forbidding, reason: reason, filterOnly: true))
                }
            }
        }
        result.forbids = forbids.filter { usedForbids.contains($0.id) }
        checkOutput(request, &result)
        return result
    }

    /// The treatment of one column under the applicable rules.
    func decideColumn(
        _ column: Column, purpose: Purpose, mode: OutputMode, permits: [PolicyRule], forbids: [PolicyRule], filterOnly: Bool
    ) -> ColumnDecision {
        func deny(_ code: ReasonCode, _ message: String, rules: [String]) -> ColumnDecision {
            ColumnDecision(column: column.name, treatment: .deny, rules: rules,
                           reason: DecisionReason(code: code, message: message, rule: rules.first, column: column.name), filterOnly: filterOnly)
        }
        let forbidding = forbids.filter { $0.entry(for: column) != nil }.map(\.id)
        if !forbidding.isEmpty {
            return deny(.forbidden, "column '\(column.name)' is forbidden by rule \(forbidding.joined(separator: ", "))", rules: forbidding)
        }
        if !purpose.covers(category: column.category) {
            return deny(.categoryOutsidePurpose,
                        "column '\(column.name)' holds data category '\(column.category)', which purpose '\(purpose.key)' does not list in its data_categories",
                        rules: [])
        }
        var strongest: ColumnTreatment?
        var deciding: [String] = []
        var guarded: [String] = []
        for permit in permits {
            guard let (treatment, wasGuarded) = permit.permittedTreatment(for: column, mode: mode) else { continue }
            if wasGuarded { guarded.append(permit.id) }
            if strongest == nil || treatment > (strongest ?? .allow) {
                strongest = treatment
                deciding = [permit.id]
            } else if treatment == strongest {
                deciding.append(permit.id)
            }
        }
        guard let treatment = strongest else {
            return deny(.columnNotCovered, "no permit that applies (\(permits.map(\.id).joined(separator: ", "))) covers column '\(column.name)'", rules: [])
        }
        if treatment == .deny {
            if !guarded.isEmpty {
                return deny(.directIdentifier,
                            "raw read of direct identifier '\(column.name)' refused: only a permit with allow_direct_identifiers that names it, for reidentified_export or subject_access, may allow it (rule \(guarded.joined(separator: ", ")))",
                            rules: guarded)
            }
            return deny(.columnDeniedByPermit, "column '\(column.name)' is denied by rule \(deciding.joined(separator: ", "))", rules: deciding)
        }
        if treatment == .dpOnly && mode != .dpAggregate {
            return deny(.dpOnlyOutsideDP,
                        "column '\(column.name)' may only be used inside differentially private aggregates (dp_only by rule \(deciding.joined(separator: ", "))), not for \(mode.rawValue)",
                        rules: deciding)
        }
        return ColumnDecision(column: column.name, treatment: treatment, rules: deciding, reason: nil, filterOnly: filterOnly)
    }

    /// Epsilon, budget and group-size checks that depend on the output mode.
    func checkOutput(_ request: AccessRequest, _ result: inout Evaluation) {
        let deciding = result.permits.map(\.id).joined(separator: ", ")
        if request.outputMode == .dpAggregate {
            guard let epsilon = request.epsilon, epsilon > 0, epsilon.isFinite else {
                result.reasons.append(DecisionReason(code: .epsilonRequired, message: "a differentially private job must state the epsilon it will spend (a positive number)"))
                return
            }
            guard let limit = result.budget.epsilonPerJob else {
                result.reasons.append(DecisionReason(code: .noBudgetLimit, message: "no applicable permit (\(deciding)) sets epsilon_per_job, so no differentially private job may run"))
                return
            }
            if epsilon > limit {
                let setters = result.permits.filter { $0.budget?.epsilonPerJob == limit }.map(\.id)
                result.reasons.append(DecisionReason(
                    code: .epsilonOverJobLimit, message: "epsilon \(epsilon) is over the per-job limit \(limit) set by rule \(setters.joined(separator: ", "))",
                    rule: setters.first))
            }
            for period in result.budget.perPeriod where epsilon > period.epsilon {
                result.reasons.append(DecisionReason(
                    code: .epsilonOverPeriodLimit, message: "epsilon \(epsilon) is over the whole \(period.period.rawValue)ly budget \(period.epsilon)"))
            }
            // A DP permit without a period limit would let one principal spend without bound.
            if result.budget.perPeriod.isEmpty {
                result.reasons.append(DecisionReason(
                    code: .noPeriodLimit, message: "no applicable permit (\(deciding)) sets epsilon_per_period, so spending would be unbounded; ask the policy owner to set one"))
            }
            checkDelta(request, &result)
            checkPopulation(request, &result)
        } else if let epsilon = request.epsilon, epsilon != 0 {
            result.reasons.append(DecisionReason(
                code: .epsilonNotApplicable, message: "epsilon applies to dp_aggregate output only; \(request.outputMode.rawValue) spends no privacy budget, so leave it out"))
        }
        if request.outputMode == .pseudonymousAggregate && result.minGroupSize == nil {
            result.reasons.append(DecisionReason(code: .noMinGroupSize, message: "no applicable permit (\(deciding)) sets min_group_size for pseudonymous aggregates"))
        }
    }

    /// Delta of approximate DP: refused unless every applicable permit limits it, and within those limits.
    func checkDelta(_ request: AccessRequest, _ result: inout Evaluation) {
        let delta = request.delta
        guard delta != 0 else { return }
        guard delta.isFinite, delta > 0, delta < 1 else {
            result.reasons.append(DecisionReason(code: .deltaInvalid, message: "delta must be a probability between 0 and 1 (typically below 1e-6)"))
            return
        }
        guard let limit = result.budget.deltaPerJob else {
            let deciding = result.permits.filter { $0.budget != nil && $0.budget?.deltaPerJob == nil }.map(\.id)
            result.reasons.append(DecisionReason(
                code: .noDeltaLimit,
                message: "this job needs delta \(delta) (partition selection of keys that are not declared public), but permit \(deciding.joined(separator: ", ")) sets no delta_per_job; declare the keys public in the schema or ask the policy owner for a delta limit",
                rule: deciding.first))
            return
        }
        if delta > limit {
            let setters = result.permits.filter { $0.budget?.deltaPerJob == limit }.map(\.id)
            result.reasons.append(DecisionReason(
                code: .deltaOverJobLimit, message: "delta \(delta) is over the per-job limit \(limit) set by rule \(setters.joined(separator: ", "))",
                rule: setters.first))
        }
        for period in result.budget.perPeriod {
            guard let periodDelta = period.delta else {
                result.reasons.append(DecisionReason(
                    code: .noDeltaLimit, message: "no applicable permit sets delta_per_period for the \(period.period.rawValue), so no job may spend delta"))
                continue
            }
            if delta > periodDelta {
                result.reasons.append(DecisionReason(
                    code: .deltaOverPeriodLimit, message: "delta \(delta) is over the whole \(period.period.rawValue)ly delta budget \(periodDelta)"))
            }
        }
    }

    /// The population account (policies/privacy.yaml) must exist and admit the job on its own.
    func checkPopulation(_ request: AccessRequest, _ result: inout Evaluation) {
        guard let population = policies.population else {
            result.reasons.append(DecisionReason(
                code: .noPopulationBudget,
                message: "the workspace sets no population budget (policies/privacy.yaml), so no customer's total privacy loss would be bounded; ask the DPO to set one"))
            return
        }
        let epsilon = request.epsilon ?? 0
        if epsilon > population.epsilonPerPeriod || epsilon > population.epsilonLifetime || request.delta > population.deltaPerPeriod
            || request.delta > population.deltaLifetime {
            result.reasons.append(DecisionReason(
                code: .populationLimit,
                message: "the job (epsilon \(epsilon), delta \(request.delta)) is larger than the population budget allows in a whole \(population.period.rawValue) or lifetime (\(population.summary))"))
        }
    }

    /// The clearest reason no permit applies: the closest permits and what they lack.
    func missingPermit(_ request: AccessRequest) -> DecisionReason {
        let permits = policies.rules.filter { $0.effect == .permit }
        let base = permits.filter { $0.coversRole(request.role) && $0.coversPurpose(request.purpose) && $0.coversDataset(request.dataset) }
        if base.contains(where: { $0.coversMode(request.outputMode) }) {
            let ids = base.filter { $0.coversMode(request.outputMode) }.map(\.id)
            return DecisionReason(code: .subjectScopeRequired,
                                  message: "rule \(ids.joined(separator: ", ")) applies only to requests limited to one subject", rule: ids.first)
        }
        if !base.isEmpty {
            let modes = Set(base.flatMap(\.outputModes)).map(\.rawValue).sorted()
            return DecisionReason(
                code: .outputModeNotPermitted,
                message: "output mode \(request.outputMode.rawValue) is not permitted for role \(request.role), purpose \(request.purpose) on dataset \(request.dataset); permitted: \(modes.joined(separator: ", ")) (rule \(base.map(\.id).joined(separator: ", ")))",
                rule: base.first?.id)
        }
        let sameRole = permits.filter { $0.coversRole(request.role) && $0.coversDataset(request.dataset) }
        if !sameRole.isEmpty {
            let purposes = Set(sameRole.flatMap { $0.purposes.map(\.text) }).sorted()
            return DecisionReason(
                code: .purposeNotPermitted,
                message: "purpose \(request.purpose) is not permitted for role \(request.role) on dataset \(request.dataset); permitted purposes: \(purposes.joined(separator: ", "))")
        }
        let samePurpose = permits.filter { $0.coversPurpose(request.purpose) && $0.coversDataset(request.dataset) }
        if !samePurpose.isEmpty {
            let roles = Set(samePurpose.flatMap { $0.roles.map(\.text) }).sorted()
            return DecisionReason(
                code: .roleNotPermitted,
                message: "role \(request.role) may not use dataset \(request.dataset) for purpose \(request.purpose); roles permitted: \(roles.joined(separator: ", "))")
        }
        return DecisionReason(
            code: .noPermit, message: "no permit covers role \(request.role) using dataset \(request.dataset) for purpose \(request.purpose) (default deny)")
    }
}
