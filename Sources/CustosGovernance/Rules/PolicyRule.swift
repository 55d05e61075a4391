import CustosSchema

/// Whether a rule grants or refuses.
public enum RuleEffect: String, Sendable, Codable {
    case permit
    case forbid
}

/// Which columns a column entry of a rule speaks about.
public enum ColumnSelector: Sendable, Hashable, CustomStringConvertible {
    /// `*`: every column.
    case all
    /// `class:NAME`: every column of that class, e.g. `class:quasi_identifier`.
    case columnClass(ColumnClass)
    /// One column by name.
    case column(String)

    /// Parses `*`, `class:NAME` or a column name.
    public init?(_ text: String) {
        if text == "*" {
            self = .all
        } else if text.hasPrefix("class:") {
            guard let c = ColumnClass(rawValue: String(text.dropFirst(6))) else { return nil }
            self = .columnClass(c)
        } else if Identifiers.isName(text) {
            self = .column(text)
        } else {
            return nil
        }
    }

    /// Within one permit the most specific entry decides: a named column beats its class, which beats `*`.
    public var specificity: Int {
        switch self {
        case .all: return 0
        case .columnClass: return 1
        case .column: return 2
        }
    }

    /// Whether the selector picks `column`.
    public func matches(_ column: Column) -> Bool {
        switch self {
        case .all: return true
        case let .columnClass(c): return column.columnClass == c
        case let .column(name): return column.name == name
        }
    }

    /// Whether the selector names direct identifiers on purpose (by name or by their class), rather than by `*`.
    public func namesExplicitly(_ column: Column) -> Bool { matches(column) && specificity > 0 }

    public var description: String {
        switch self {
        case .all: return "*"
        case let .columnClass(c): return "class:\(c.rawValue)"
        case let .column(name): return name
        }
    }
}

/// One `selector: treatment` entry of a permit (for a forbid the treatment is always `deny`).
public struct ColumnEntry: Sendable, Equatable {
    /// Which columns the entry speaks about.
    public let selector: ColumnSelector
    /// How the column may be used.
    public let treatment: ColumnTreatment
    /// Line in the source file (1-based), for diagnostics.
    public let line: Int?

    /// Creates the value from its parts.
    public init(selector: ColumnSelector, treatment: ColumnTreatment, line: Int? = nil) {
        self.selector = selector
        self.treatment = treatment
        self.line = line
    }
}

/// The accounting period of a privacy budget.
public enum BudgetPeriod: String, Sendable, CaseIterable, Codable, Comparable {
    case day, week, month, quarter, year

    var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: BudgetPeriod, b: BudgetPeriod) -> Bool { a.order < b.order }
}

/// Differential-privacy budget a permit sets: epsilon and delta per job, and epsilon and delta per
/// principal per dataset per period. Delta is what partition selection (releasing keys that are not
/// declared public) costs; a permit without a delta limit allows no job that needs one.
public struct BudgetRule: Sendable, Equatable {
    /// Largest epsilon one job may spend.
    public let epsilonPerJob: Double?
    /// Largest epsilon per principal per dataset per period.
    public let epsilonPerPeriod: Double?
    /// Largest delta one job may spend.
    public let deltaPerJob: Double?
    /// Largest delta per principal per dataset per period.
    public let deltaPerPeriod: Double?
    /// The accounting period.
    public let period: BudgetPeriod

    /// Creates the value from its parts.
    public init(epsilonPerJob: Double?, epsilonPerPeriod: Double?, deltaPerJob: Double? = nil, deltaPerPeriod: Double? = nil,
                period: BudgetPeriod = .month) {
        self.epsilonPerJob = epsilonPerJob
        self.epsilonPerPeriod = epsilonPerPeriod
        self.deltaPerJob = deltaPerJob
        self.deltaPerPeriod = deltaPerPeriod
        self.period = period
    }
}

/// A permit or forbid from `rules/*.yaml`. Rules have Cedar's semantics: nothing is allowed unless
/// a permit applies, a forbid always beats a permit, and the order of rules never matters.
public struct PolicyRule: Sendable {
    /// Stable id.
    public let id: String
    /// Allow or deny (for a rule: permit or forbid).
    public let effect: RuleEffect
    /// Description in words.
    public let description: String
    /// Role names, or `*`.
    public let roles: [KeyPattern]
    /// Purpose keys or patterns (`marketing.*`, `*`).
    public let purposes: [KeyPattern]
    /// Dataset names, or `*`.
    public let datasets: [KeyPattern]
    /// Output modes the rule speaks about; for a forbid, empty means all.
    public let outputModes: [OutputMode]
    /// Column entries; for a forbid, empty means the whole dataset.
    public let columns: [ColumnEntry]
    /// Rows a permit lets through (permit only).
    public let rowFilter: RowFilter?
    /// Smallest group a pseudonymous aggregate may report (permit only).
    public let minGroupSize: Int?
    /// Privacy budget limits.
    public let budget: BudgetRule?
    /// A permit that may give direct identifiers `allow` (re-identified export, subject access).
    public let allowDirectIdentifiers: Bool
    /// The permit applies only to requests limited to one subject.
    public let requiresSubjectScope: Bool
    /// Display name of the source file.
    public let file: String
    /// Line in the source file (1-based), for diagnostics.
    public let line: Int?

    /// Creates the value from its parts.
    public init(
        id: String, effect: RuleEffect, description: String = "", roles: [KeyPattern], purposes: [KeyPattern],
        datasets: [KeyPattern], outputModes: [OutputMode], columns: [ColumnEntry], rowFilter: RowFilter? = nil,
        minGroupSize: Int? = nil, budget: BudgetRule? = nil, allowDirectIdentifiers: Bool = false,
        requiresSubjectScope: Bool = false, file: String = "rules", line: Int? = nil
    ) {
        self.id = id
        self.effect = effect
        self.description = description
        self.roles = roles
        self.purposes = purposes
        self.datasets = datasets
        self.outputModes = outputModes
        self.columns = columns
        self.rowFilter = rowFilter
        self.minGroupSize = minGroupSize
        self.budget = budget
        self.allowDirectIdentifiers = allowDirectIdentifiers
        self.requiresSubjectScope = requiresSubjectScope
        self.file = file
        self.line = line
    }

    /// `file:line` of the rule.
    public var location: String { line.map { "\(file):\($0)" } ?? file }

    /// Whether the rule's scope takes in this value.
    public func coversRole(_ role: String) -> Bool { roles.contains { $0.matches(role) } }
    /// Whether the rule's scope takes in this value.
    public func coversPurpose(_ purpose: String) -> Bool { purposes.contains { $0.matches(purpose) } }
    /// Whether the rule's scope takes in this value.
    public func coversDataset(_ dataset: String) -> Bool { datasets.contains { $0.matches(dataset) } }
    /// Whether the rule's scope takes in this value.
    public func coversMode(_ mode: OutputMode) -> Bool { outputModes.isEmpty || outputModes.contains(mode) }

    /// Whether the rule's scope (role, purpose, dataset, output mode, subject scope) takes in a request.
    public func applies(role: String, purpose: String, dataset: String, mode: OutputMode, hasSubjectScope: Bool) -> Bool {
        coversRole(role) && coversPurpose(purpose) && coversDataset(dataset) && coversMode(mode)
            && (!requiresSubjectScope || hasSubjectScope)
    }

    /// The most specific column entry that picks `column`, or nil when the rule says nothing about
    /// it. For a forbid without column entries, every column is picked.
    public func entry(for column: Column) -> ColumnEntry? {
        if effect == .forbid && columns.isEmpty { return ColumnEntry(selector: .all, treatment: .deny, line: line) }
        var best: ColumnEntry?
        for entry in columns where entry.selector.matches(column) {
            if best == nil || entry.selector.specificity > (best?.selector.specificity ?? -1) { best = entry }
        }
        return best
    }

    /// What this permit lets `column` be used as under `mode`, after the direct-identifier guard:
    /// `allow` on a direct identifier counts only in a permit with `allow_direct_identifiers`, for
    /// re-identified export or subject access, through an entry that names the identifier (by name
    /// or `class:direct_identifier`, not `*`). Otherwise that permit's treatment becomes `deny`.
    /// Returns nil when the permit says nothing about the column.
    public func permittedTreatment(for column: Column, mode: OutputMode) -> (treatment: ColumnTreatment, guarded: Bool)? {
        guard effect == .permit, let entry = entry(for: column) else { return nil }
        if column.columnClass == .directIdentifier && entry.treatment == .allow {
            let explicit = allowDirectIdentifiers && entry.selector.namesExplicitly(column)
                && OutputMode.identifying.contains(mode)
            if !explicit { return (.deny, true) }
        }
        return (entry.treatment, false)
    }
}

extension OutputMode {
    /// Output modes in which direct identifiers may appear (with an explicit permit).
    public static let identifying: Set<OutputMode> = [.reidentifiedExport, .subjectAccess]
}
