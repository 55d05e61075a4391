import Yams
import CustosSchema

/// Parses and validates `rules/*.yaml` against the declared roles, purposes and datasets.
enum RuleLoader {
    static let permitKeys: Set<String> = [
        "id", "effect", "description", "roles", "purposes", "datasets", "output_modes", "columns", "row_filter",
        "min_group_size", "budget", "allow_direct_identifiers", "requires_subject_scope",
    ]
    static let forbidKeys: Set<String> = ["id", "effect", "description", "roles", "purposes", "datasets", "output_modes", "columns"]

    struct Context {
        let roles: RoleCatalog
        let purposes: PurposeRegistry
        let catalog: DatasetCatalog
    }

    /// Parses one rules file, appending problems to `errors` and skipping bad rules.
    static func parse(_ yaml: YAMLValue, context: Context, errors: inout [ConfigurationError]) -> [PolicyRule] {
        var rules: [PolicyRule] = []
        do {
            try yaml.checkKeys(["rules"])
            for item in try yaml.required("rules").list() {
                do { rules.append(try parseRule(item, context: context)) } catch let error as ConfigurationError { errors.append(error) }
            }
        } catch let error as ConfigurationError {
            errors.append(error)
        } catch {
            errors.append(yaml.error("\(error)"))
        }
        return rules
    }

    static func parseRule(_ item: YAMLValue, context: Context) throws -> PolicyRule {
        guard case .mapping = item.node else { throw item.error("each rule must be a mapping with id, effect, roles, ...") }
        let id = try item.string("id")
        guard Identifiers.isRuleID(id) else { throw item.error("rule id '\(id)' must be lower-case letters, digits, '-' and '_'") }
        let effectNode = try item.required("effect")
        guard let effect = RuleEffect(rawValue: try effectNode.string()) else {
            throw effectNode.error("rule '\(id)': effect must be permit or forbid")
        }
        try item.checkKeys(effect == .permit ? permitKeys : forbidKeys)
        let here = { (key: String) in item.line(ofKey: key) }
        func fail(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(file: item.file, line: here(key), message: "rule '\(id)': \(message)")
        }

        let roles = try patterns(item, "roles", required: effect == .permit, id: id)
        for role in roles where role.text != "*" && !context.roles.contains(role.text) {
            throw fail("roles", "unknown role '\(role.text)'; roles.yaml declares: \(context.roles.keys.joined(separator: ", "))")
        }
        let purposes = try patterns(item, "purposes", required: effect == .permit, id: id)
        for pattern in purposes {
            guard KeyPattern.isValid(pattern.text) else { throw fail("purposes", "'\(pattern.text)' is not a purpose key or pattern (e.g. marketing.* or *)") }
            if !context.purposes.keys.contains(where: { pattern.matches($0) }) {
                throw fail("purposes", "unknown purpose '\(pattern.text)'; purposes.yaml declares: \(context.purposes.keys.joined(separator: ", "))")
            }
        }
        let datasets = try patterns(item, "datasets", required: effect == .permit, id: id)
        for dataset in datasets where dataset.text != "*" && context.catalog.datasets[dataset.text] == nil {
            throw fail("datasets", "unknown dataset '\(dataset.text)'; declared datasets: \(context.catalog.datasets.keys.sorted().joined(separator: ", "))")
        }
        let scoped: [DatasetSchema] = context.catalog.datasets.values.filter { d in datasets.contains { $0.matches(d.name) } }
            .sorted { $0.name < $1.name }

        var modes: [OutputMode] = []
        for text in try item.stringList("output_modes") {
            guard let mode = OutputMode(rawValue: text) else {
                throw fail("output_modes", "unknown output mode '\(text)'; use \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !modes.contains(mode) { modes.append(mode) }
        }
        if effect == .permit && modes.isEmpty { throw item.error("rule '\(id)': a permit must list its output_modes") }

        let columns = try parseColumns(item, effect: effect, id: id, scoped: scoped)
        if effect == .forbid {
            return PolicyRule(
                id: id, effect: .forbid, description: try item.optionalString("description") ?? "", roles: roles.isEmpty ? [KeyPattern("*")] : roles,
                purposes: purposes.isEmpty ? [KeyPattern("*")] : purposes, datasets: datasets.isEmpty ? [KeyPattern("*")] : datasets,
                outputModes: modes, columns: columns, file: item.file, line: item.line)
        }

        var rowFilter: RowFilter?
        if let filterNode = item["row_filter"] {
            guard datasets.count == 1, let schema = context.catalog.datasets[datasets[0].text] else {
                throw fail("row_filter", "a row filter needs exactly one named dataset (split the permit per dataset)")
            }
            do {
                rowFilter = try RowFilter.compile(filterNode, for: schema)
            } catch let error as ConfigurationError {
                throw ConfigurationError(file: error.file, line: error.line, message: "rule '\(id)': \(error.message)")
            }
        }
        let minGroupSize = try item.optionalInt("min_group_size")
        if let minGroupSize, minGroupSize < 2 { throw fail("min_group_size", "min_group_size must be at least 2") }
        if modes.contains(.pseudonymousAggregate) && minGroupSize == nil {
            throw fail("output_modes", "a permit for pseudonymous_aggregate must set min_group_size (groups smaller than it are suppressed)")
        }
        let budget = try parseBudget(item["budget"], id: id)
        if modes.contains(.dpAggregate) && budget?.epsilonPerJob == nil {
            throw fail("output_modes", "a permit for dp_aggregate must set budget.epsilon_per_job")
        }
        let allowIdentifiers = try item.optionalBool("allow_direct_identifiers", default: false)
        if allowIdentifiers, let other = modes.first(where: { !OutputMode.identifying.contains($0) }) {
            throw fail("allow_direct_identifiers", "allow_direct_identifiers is only for reidentified_export and subject_access, not \(other.rawValue); split the permit")
        }
        for entry in columns where entry.treatment == .allow && entry.selector.specificity > 0 && !allowIdentifiers {
            if scoped.contains(where: { d in d.columns.contains { $0.isIdentifier && entry.selector.matches($0) } }) {
                throw ConfigurationError(
                    file: item.file, line: entry.line,
                    message: "rule '\(id)': '\(entry.selector)' gives a direct identifier 'allow'; that needs allow_direct_identifiers: true and only reidentified_export or subject_access output (or use pseudonymize)")
            }
        }
        return PolicyRule(
            id: id, effect: .permit, description: try item.optionalString("description") ?? "", roles: roles, purposes: purposes,
            datasets: datasets, outputModes: modes, columns: columns, rowFilter: rowFilter, minGroupSize: minGroupSize,
            budget: budget, allowDirectIdentifiers: allowIdentifiers,
            requiresSubjectScope: try item.optionalBool("requires_subject_scope", default: false), file: item.file, line: item.line)
    }

    static func patterns(_ item: YAMLValue, _ key: String, required: Bool, id: String) throws -> [KeyPattern] {
        let values = try item.stringList(key)
        if required && values.isEmpty { throw item.error("rule '\(id)': a permit must list its \(key) (use '*' for all)") }
        return values.map { KeyPattern($0) }
    }

    static func parseColumns(_ item: YAMLValue, effect: RuleEffect, id: String, scoped: [DatasetSchema]) throws -> [ColumnEntry] {
        guard let node = item["columns"] else {
            if effect == .permit { throw item.error("rule '\(id)': a permit must give column treatments (columns: {\"*\": dp_only, ...})") }
            return []
        }
        func selector(_ text: String, line: Int?) throws -> ColumnSelector {
            guard let selector = ColumnSelector(text) else {
                throw ConfigurationError(file: item.file, line: line, message: "rule '\(id)': '\(text)' is not a column selector; use a column name, class:NAME or \"*\"")
            }
            if case let .column(name) = selector, !scoped.contains(where: { $0.column(named: name) != nil }) {
                throw ConfigurationError(
                    file: item.file, line: line,
                    message: "rule '\(id)': no dataset in the rule's scope (\(scoped.map(\.name).joined(separator: ", "))) has a column '\(name)'")
            }
            return selector
        }
        if effect == .forbid {
            return try node.list().map { entry in
                ColumnEntry(selector: try selector(try entry.string(), line: entry.line), treatment: .deny, line: entry.line)
            }
        }
        guard case .mapping = node.node else {
            throw node.error("rule '\(id)': columns must map selectors to treatments, e.g. {\"*\": dp_only, customer_id: pseudonymize}")
        }
        var entries: [ColumnEntry] = []
        for key in node.keys {
            let line = node.line(ofKey: key)
            let sel = try selector(key, line: line)
            guard let valueNode = node[key], let treatment = ColumnTreatment(rawValue: try valueNode.string()) else {
                throw ConfigurationError(
                    file: item.file, line: line,
                    message: "rule '\(id)': treatment for '\(key)' must be one of \(ColumnTreatment.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !entries.contains(where: { $0.selector == sel }) else {
                throw ConfigurationError(file: item.file, line: line, message: "rule '\(id)': '\(key)' is given twice")
            }
            entries.append(ColumnEntry(selector: sel, treatment: treatment, line: line))
        }
        if entries.isEmpty { throw node.error("rule '\(id)': columns is empty") }
        return entries
    }

    static func parseBudget(_ node: YAMLValue?, id: String) throws -> BudgetRule? {
        guard let node else { return nil }
        try node.checkKeys(["epsilon_per_job", "epsilon_per_period", "delta_per_job", "delta_per_period", "period"])
        let perJob = try node.optionalDouble("epsilon_per_job")
        let perPeriod = try node.optionalDouble("epsilon_per_period")
        for (name, value) in [("epsilon_per_job", perJob), ("epsilon_per_period", perPeriod)] {
            if let value, !(value > 0 && value.isFinite) {
                throw ConfigurationError(file: node.file, line: node.line(ofKey: name), message: "rule '\(id)': \(name) must be a positive number")
            }
        }
        if let perJob, let perPeriod, perJob > perPeriod {
            throw node.error("rule '\(id)': epsilon_per_job (\(perJob)) is larger than epsilon_per_period (\(perPeriod)); no job could run")
        }
        let deltaPerJob = try node.optionalDouble("delta_per_job")
        let deltaPerPeriod = try node.optionalDouble("delta_per_period")
        for (name, value) in [("delta_per_job", deltaPerJob), ("delta_per_period", deltaPerPeriod)] {
            // Delta is a probability of failure: it must be tiny, and at least below one.
            if let value, !(value > 0 && value < 1) {
                throw ConfigurationError(file: node.file, line: node.line(ofKey: name),
                                         message: "rule '\(id)': \(name) must be a probability between 0 and 1 (typically below 1e-5)")
            }
        }
        if let deltaPerJob, let deltaPerPeriod, deltaPerJob > deltaPerPeriod {
            throw node.error("rule '\(id)': delta_per_job (\(deltaPerJob)) is larger than delta_per_period (\(deltaPerPeriod)); no job needing delta could run")
        }
        let periodText = try node.optionalString("period") ?? "month"
        guard let period = BudgetPeriod(rawValue: periodText) else {
            throw ConfigurationError(file: node.file, line: node.line(ofKey: "period"),
                                     message: "rule '\(id)': period must be one of \(BudgetPeriod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return BudgetRule(epsilonPerJob: perJob, epsilonPerPeriod: perPeriod, deltaPerJob: deltaPerJob, deltaPerPeriod: deltaPerPeriod,
                          period: period)
    }
}
