import CustosSchema
import Foundation

/// Validates a policies directory for its authors: everything the loader checks (unknown roles,
/// purposes, datasets and columns, malformed or ill-typed row filters, missing budgets...) plus
/// rules that contradict each other or can never take effect. Each problem has a file and line.
public enum PolicyChecker {
    /// Every problem found in `directory`, in file order; empty when the policies are sound.
    public static func check(directory: URL) -> [ConfigurationError] {
        let (set, errors) = PolicySet.loadCollecting(directory: directory)
        guard let set else { return errors }
        return errors + check(set)
    }

    /// The cross-rule checks over a loaded policy set.
    public static func check(_ set: PolicySet) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        let permits = set.rules.filter { $0.effect == .permit }.sorted { ($0.file, $0.line ?? 0) < ($1.file, $1.line ?? 0) }
        var signatures: [String: PolicyRule] = [:]
        for permit in permits {
            let signature = Self.signature(permit)
            if let first = signatures[signature] {
                problems.append(ConfigurationError(
                    file: permit.file, line: permit.line,
                    message: "rule '\(permit.id)' repeats rule '\(first.id)' (\(first.location)) exactly; remove one"))
            } else {
                signatures[signature] = permit
            }
            problems += checkPermit(permit, in: set)
        }
        return problems
    }

    /// One concrete situation a permit covers.
    struct Scope {
        let role: String
        let purpose: Purpose
        let dataset: DatasetSchema
        let mode: OutputMode
    }

    static func scopes(of permit: PolicyRule, in set: PolicySet) -> [Scope] {
        var out: [Scope] = []
        for role in set.roles.keys where permit.coversRole(role) {
            for key in set.purposes.keys where permit.coversPurpose(key) {
                guard let purpose = set.purposes[key] else { continue }
                for dataset in set.catalog.datasets.values.sorted(by: { $0.name < $1.name }) where permit.coversDataset(dataset.name) {
                    for mode in permit.outputModes { out.append(Scope(role: role, purpose: purpose, dataset: dataset, mode: mode)) }
                }
            }
        }
        return out
    }

    static func checkPermit(_ permit: PolicyRule, in set: PolicySet) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        func problem(_ line: Int?, _ message: String) {
            problems.append(ConfigurationError(file: permit.file, line: line ?? permit.line, message: "rule '\(permit.id)': \(message)"))
        }
        let forbids = set.rules.filter { $0.effect == .forbid }
        let scopes = scopes(of: permit, in: set)

        // dp_only entries in a permit without differentially private output can never be used.
        if !permit.outputModes.contains(.dpAggregate) {
            for entry in permit.columns where entry.treatment == .dpOnly {
                problem(entry.line, "'\(entry.selector)' is dp_only but the permit has no dp_aggregate output, so it can never be used; deny it or add dp_aggregate")
            }
        }

        // Is anything the permit grants left standing after forbids?
        var effective = false
        var blocking = Set<String>()
        for scope in scopes {
            let applicable = forbids.filter {
                $0.applies(role: scope.role, purpose: scope.purpose.key, dataset: scope.dataset.name, mode: scope.mode, hasSubjectScope: true)
            }
            for column in scope.dataset.columns {
                guard let (treatment, _) = permit.permittedTreatment(for: column, mode: scope.mode), treatment != .deny else { continue }
                let hits = applicable.filter { $0.entry(for: column) != nil }.map(\.id)
                if hits.isEmpty { effective = true } else { blocking.formUnion(hits) }
            }
        }
        if !effective && !blocking.isEmpty {
            problem(nil, "can never take effect: everything it grants is refused by forbid \(blocking.sorted().joined(separator: ", "))")
        }

        // Entries that name a column the permit can never actually give.
        for entry in permit.columns where entry.treatment != .deny {
            guard case let .column(name) = entry.selector else { continue }
            var relevant = false
            var usable = false
            var forbidden = Set<String>()
            var outsidePurpose = Set<String>()
            for scope in scopes {
                guard let column = scope.dataset.column(named: name) else { continue }
                relevant = true
                let hits = forbids.filter {
                    $0.applies(role: scope.role, purpose: scope.purpose.key, dataset: scope.dataset.name, mode: scope.mode, hasSubjectScope: true)
                        && $0.entry(for: column) != nil
                }
                if !hits.isEmpty {
                    forbidden.formUnion(hits.map(\.id))
                } else if !scope.purpose.covers(category: column.category) {
                    outsidePurpose.insert(scope.purpose.key)
                } else {
                    usable = true
                }
            }
            guard relevant, !usable else { continue }
            if !forbidden.isEmpty {
                if effective {
                    problem(entry.line, "'\(name)' is \(entry.treatment.rawValue) here but always refused by forbid \(forbidden.sorted().joined(separator: ", ")); remove the entry or narrow the forbid")
                }
            } else {
                problem(entry.line, "'\(name)' is \(entry.treatment.rawValue) here, but purpose \(outsidePurpose.sorted().joined(separator: ", ")) does not list its data category, so it is always denied")
            }
        }

        // Row filters must not read columns a forbid refuses in the permit's scope.
        if let filter = permit.rowFilter {
            for name in filter.columns {
                for scope in scopes {
                    guard let column = scope.dataset.column(named: name) else { continue }
                    let hits = forbids.filter {
                        $0.applies(role: scope.role, purpose: scope.purpose.key, dataset: scope.dataset.name, mode: scope.mode, hasSubjectScope: true)
                            && $0.entry(for: column) != nil
                    }
                    if let hit = hits.first {
                        problem(permit.line, "its row filter reads '\(name)', which forbid \(hit.id) refuses for \(scope.role)/\(scope.purpose.key)/\(scope.mode.rawValue); requests would always be denied")
                        break
                    }
                }
            }
        }
        return problems
    }

    /// A canonical description of what a permit grants, independent of id, description and order.
    static func signature(_ rule: PolicyRule) -> String {
        let columns = rule.columns.map { "\($0.selector)=\($0.treatment.rawValue)" }.sorted()
        let budget = rule.budget.map { "\($0.epsilonPerJob ?? -1)/\($0.epsilonPerPeriod ?? -1)/\($0.period.rawValue)" } ?? "-"
        return [
            rule.effect.rawValue, rule.roles.map(\.text).sorted().joined(separator: ","),
            rule.purposes.map(\.text).sorted().joined(separator: ","), rule.datasets.map(\.text).sorted().joined(separator: ","),
            rule.outputModes.map(\.rawValue).sorted().joined(separator: ","), columns.joined(separator: ","),
            rule.rowFilter?.description ?? "-", rule.minGroupSize.map(String.init) ?? "-", budget,
            "\(rule.allowDirectIdentifiers)", "\(rule.requiresSubjectScope)",
        ].joined(separator: "|")
    }
}
