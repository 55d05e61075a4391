import CustosSchema
import Foundation

@testable import CustosGovernance

/// An independent, deliberately naive reading of the policy semantics in policies/README.md,
/// used to check the decision point. It reads the YAML files itself (only the generic YAML
/// accessor is shared) and re-implements matching, specificity, the identifier guard, purpose
/// categories and the most-restrictive combination with plain strings. It ignores row-filter
/// columns (the checker guarantees shipped filters never read forbidden columns).
struct PolicyOracle {
    struct OColumn {
        let name: String
        let cls: String
        let category: String
    }

    struct ORule {
        let id: String
        let effect: String
        let roles: [String]
        let purposes: [String]
        let datasets: [String]
        let modes: [String]
        let columns: [String: String]  // selector text -> treatment (forbid: "deny")
        let allowIdentifiers: Bool
        let needsScope: Bool
        let perJob: Double?
        let perPeriod: Double?
        let minGroup: Int?
    }

    struct OPrincipal {
        let roles: [String]
        let subject: String?
        let disabled: Bool
    }

    var datasets: [String: [OColumn]] = [:]
    var purposeCategories: [String: [String]] = [:]
    var roles: [String] = []
    var principals: [String: OPrincipal] = [:]
    var rules: [ORule] = []

    static let rank = ["allow": 0, "pseudonymize": 1, "generalize": 2, "dp_only": 3, "deny": 4]

    init(directory: URL) throws {
        let fm = FileManager.default
        func yamlFiles(_ sub: String) throws -> [URL] {
            try fm.contentsOfDirectory(at: directory.appendingPathComponent(sub), includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "yaml" }
        }
        for file in try yamlFiles("datasets") {
            let y = try YAMLValue.load(file)
            datasets[try y.string("dataset")] = try y.required("columns").list().map {
                OColumn(name: try $0.string("name"), cls: try $0.string("class"), category: try $0.optionalString("category") ?? "user")
            }
        }
        for p in try YAMLValue.load(directory.appendingPathComponent("purposes.yaml")).required("purposes").list() {
            purposeCategories[try p.string("key")] = try p.stringList("data_categories")
        }
        roles = try YAMLValue.load(directory.appendingPathComponent("roles.yaml")).required("roles").list().map { try $0.string("name") }
        for p in try YAMLValue.load(directory.appendingPathComponent("principals.yaml")).required("principals").list() {
            principals[try p.string("id")] = OPrincipal(
                roles: try p.stringList("roles"), subject: try p.optionalString("subject"), disabled: try p.optionalBool("disabled", default: false))
        }
        for file in try yamlFiles("rules") {
            for r in try YAMLValue.load(file).required("rules").list() {
                let effect = try r.string("effect")
                var columns: [String: String] = [:]
                if let c = r["columns"] {
                    if effect == "forbid" {
                        for s in try c.list() { columns[try s.string()] = "deny" }
                    } else {
                        for key in c.keys { columns[key] = try c[key]?.string() }
                    }
                }
                let budget = r["budget"]
                rules.append(ORule(
                    id: try r.string("id"), effect: effect, roles: try r.stringList("roles"), purposes: try r.stringList("purposes"),
                    datasets: try r.stringList("datasets"), modes: try r.stringList("output_modes"), columns: columns,
                    allowIdentifiers: try r.optionalBool("allow_direct_identifiers", default: false),
                    needsScope: try r.optionalBool("requires_subject_scope", default: false),
                    perJob: try budget?.optionalDouble("epsilon_per_job"), perPeriod: try budget?.optionalDouble("epsilon_per_period"),
                    minGroup: try r.optionalInt("min_group_size")))
            }
        }
    }

    static func matches(_ pattern: String, _ value: String) -> Bool {
        if pattern == "*" || pattern == value { return true }
        if pattern.hasSuffix(".*") {
            let stem = String(pattern.dropLast(2))
            return value == stem || value.hasPrefix(stem + ".")
        }
        return false
    }

    static func any(_ patterns: [String], _ value: String) -> Bool {
        patterns.isEmpty || patterns.contains { matches($0, value) }
    }

    func applies(_ r: ORule, _ q: AccessRequest) -> Bool {
        Self.any(r.roles, q.role) && Self.any(r.purposes, q.purpose) && Self.any(r.datasets, q.dataset)
            && (r.modes.isEmpty || r.modes.contains(q.outputMode.rawValue)) && (!r.needsScope || q.subjectScope != nil)
    }

    /// The treatment text a rule's most specific entry gives a column, or nil.
    func entry(_ r: ORule, _ c: OColumn) -> (selector: String, treatment: String)? {
        if r.effect == "forbid" && r.columns.isEmpty { return ("*", "deny") }
        for selector in [c.name, "class:" + c.cls, "*"] {
            if let t = r.columns[selector] { return (selector, t) }
        }
        return nil
    }

    /// Raw treatments (before any guard) from each applicable permit covering the column.
    func permitTreatments(_ q: AccessRequest, _ c: OColumn) -> [(rule: ORule, selector: String, treatment: String)] {
        rules.filter { $0.effect == "permit" && applies($0, q) }.compactMap { r in entry(r, c).map { (r, $0.selector, $0.treatment) } }
    }

    func forbidden(_ q: AccessRequest, _ c: OColumn) -> Bool {
        rules.contains { $0.effect == "forbid" && applies($0, q) && entry($0, c) != nil }
    }

    /// What the column must be, per the README.
    func treatment(_ q: AccessRequest, _ c: OColumn) -> String {
        if forbidden(q, c) { return "deny" }
        let categories = purposeCategories[q.purpose] ?? []
        if !categories.contains(where: { c.category == $0 || c.category.hasPrefix($0 + ".") }) { return "deny" }
        var worst: String?
        for (rule, selector, raw) in permitTreatments(q, c) {
            var t = raw
            if c.cls == "direct_identifier" && t == "allow"
                && !(rule.allowIdentifiers && selector != "*" && ["reidentified_export", "subject_access"].contains(q.outputMode.rawValue)) {
                t = "deny"
            }
            if worst == nil || (Self.rank[t] ?? 4) > (Self.rank[worst ?? "allow"] ?? 0) { worst = t }
        }
        guard let result = worst else { return "deny" }
        if result == "dp_only" && q.outputMode != .dpAggregate { return "deny" }
        return result
    }

    /// The whole decision: allowed, and each requested column's treatment (nil when the request
    /// is refused before columns are considered).
    func decide(_ q: AccessRequest) -> (allowed: Bool, treatments: [String: String]?) {
        guard let p = principals[q.principal], !p.disabled, roles.contains(q.role), p.roles.contains(q.role),
              purposeCategories[q.purpose] != nil, let columns = datasets[q.dataset], !q.columns.isEmpty
        else { return (false, nil) }
        var requested: [OColumn] = []
        for name in q.columns {
            guard let c = columns.first(where: { $0.name == name }) else { return (false, nil) }
            requested.append(c)
        }
        if q.role == "data_subject" && (q.outputMode != .subjectAccess || q.subjectScope == nil || q.subjectScope != p.subject) { return (false, nil) }
        if q.outputMode == .subjectAccess && q.subjectScope == nil { return (false, nil) }
        let permits = rules.filter { $0.effect == "permit" && applies($0, q) }
        guard !permits.isEmpty else { return (false, nil) }
        var treatments: [String: String] = [:]
        for c in requested { treatments[c.name] = treatment(q, c) }
        var allowed = !treatments.values.contains("deny")
        if q.outputMode == .dpAggregate {
            let limits = permits.compactMap(\.perJob) + permits.compactMap(\.perPeriod)
            if let e = q.epsilon, e > 0, e.isFinite, !permits.compactMap(\.perJob).isEmpty {
                if limits.contains(where: { e > $0 }) { allowed = false }
            } else {
                allowed = false
            }
        } else if let e = q.epsilon, e != 0 {
            allowed = false
        }
        if q.outputMode == .pseudonymousAggregate && permits.allSatisfy({ $0.minGroup == nil }) { allowed = false }
        return (allowed, treatments)
    }
}
