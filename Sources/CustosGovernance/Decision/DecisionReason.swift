/// Why a request (or one of its columns) was refused, as a stable code for audit statistics.
public enum ReasonCode: String, Sendable, Codable, CaseIterable {
    case unknownPrincipal = "unknown_principal"
    case invalidToken = "invalid_token"
    case principalDisabled = "principal_disabled"
    case unknownRole = "unknown_role"
    case roleNotHeld = "role_not_held"
    case unknownPurpose = "unknown_purpose"
    case unknownDataset = "unknown_dataset"
    case unknownColumn = "unknown_column"
    case noColumns = "no_columns"
    case roleNotPermitted = "role_not_permitted"
    case purposeNotPermitted = "purpose_not_permitted"
    case outputModeNotPermitted = "output_mode_not_permitted"
    case noPermit = "no_permit"
    case subjectScopeRequired = "subject_scope_required"
    case subjectScopeMismatch = "subject_scope_mismatch"
    case forbidden
    case columnNotCovered = "column_not_covered"
    case columnDeniedByPermit = "column_denied_by_permit"
    case directIdentifier = "direct_identifier"
    case categoryOutsidePurpose = "category_outside_purpose"
    case dpOnlyOutsideDP = "dp_only_outside_dp"
    case filterColumnDenied = "filter_column_denied"
    case epsilonRequired = "epsilon_required"
    case epsilonNotApplicable = "epsilon_not_applicable"
    case epsilonOverJobLimit = "epsilon_over_job_limit"
    case epsilonOverPeriodLimit = "epsilon_over_period_limit"
    case noBudgetLimit = "no_budget_limit"
    case noPeriodLimit = "no_period_limit"
    case deltaInvalid = "delta_invalid"
    case noDeltaLimit = "no_delta_limit"
    case deltaOverJobLimit = "delta_over_job_limit"
    case deltaOverPeriodLimit = "delta_over_period_limit"
    case noPopulationBudget = "no_population_budget"
    case populationLimit = "population_limit"
    case noMinGroupSize = "no_min_group_size"
    case auditUnavailable = "audit_unavailable"
}

/// One reason for a refusal: a code, a sentence for the person who asked (naming the rule or
/// the missing permit, never personal data), and the rule and column concerned.
public struct DecisionReason: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Stable reason code.
    public let code: ReasonCode
    /// What is wrong and what to do.
    public let message: String
    /// The rule concerned, if any.
    public let rule: String?
    /// Column name.
    public let column: String?

    /// A reason.
    public init(code: ReasonCode, message: String, rule: String? = nil, column: String? = nil) {
        self.code = code
        self.message = message
        self.rule = rule
        self.column = column
    }

    public var description: String { message }
}
