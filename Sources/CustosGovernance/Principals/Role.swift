import Foundation
import CustosSchema

/// Names of the roles every Custos deployment knows. A deployment may declare more in `roles.yaml`.
public enum StandardRole {
    /// Runs permitted mining jobs; sees differentially private and pseudonymous results only.
    public static let analyst = "analyst"
    /// Segments and targets customers for marketing purposes the customer agreed to.
    public static let marketingAnalyst = "marketing_analyst"
    /// Data protection officer: reviews audits, handles data-subject requests, edits policies.
    public static let complianceOfficer = "compliance_officer"
    /// Installs and runs Custos (init, ingest, key rotation, backup); reads no customer data.
    public static let `operator` = "operator"
    /// Records consent as customers give or withdraw it (a preference centre); reads no customer data.
    public static let consentCollector = "consent_collector"
    /// Reads the records of subjects under legal hold for the case the hold serves.
    public static let legalHoldCustodian = "legal_hold_custodian"
    /// A customer reading their own data through a data-subject request.
    public static let dataSubject = "data_subject"

    /// All standard role names.
    public static let all = [analyst, marketingAnalyst, complianceOfficer, `operator`, consentCollector, legalHoldCustodian, dataSubject]
}

/// A role declared in `roles.yaml`.
public struct Role: Sendable, Equatable {
    /// Name.
    public let name: String
    /// Description in words.
    public let description: String
    /// Administrative actions (``AdministrativeAction`` raw values) a principal acting in this role
    /// may take: changing data, consent or keys. Reading data is governed by rules, not here.
    public let actions: [String]
    /// Line in the source file (1-based), for diagnostics.
    public let line: Int?

    /// Creates the value from its parts.
    public init(name: String, description: String, actions: [String] = [], line: Int? = nil) {
        self.name = name
        self.description = description
        self.actions = actions
        self.line = line
    }

    /// Whether this role may take `action`.
    public func permits(_ action: AdministrativeAction) -> Bool { actions.contains(action.rawValue) }
}

extension RoleCatalog {
    /// Parses `roles.yaml`, appending problems to `errors` and skipping the bad entries.
    static func parse(_ yaml: YAMLValue, errors: inout [ConfigurationError]) -> RoleCatalog {
        parse(yaml, listKey: "roles", required: true, errors: &errors) { item, declared in
            try item.checkKeys(["name", "description", "actions"])
            let name = try item.string("name")
            guard Identifiers.isName(name) else {
                throw item.error("role name '\(name)' must be lower-case letters, digits and underscores")
            }
            guard !declared.contains(name) else { throw item.error("role '\(name)' is declared twice") }
            let actions = item["actions"] == nil ? [] : try item.stringList("actions")
            if let unknown = actions.first(where: { AdministrativeAction(rawValue: $0) == nil }) {
                throw item.error("role '\(name)': unknown action '\(unknown)'; known actions: "
                    + AdministrativeAction.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return Role(name: name, description: try item.optionalString("description") ?? "", actions: actions, line: item.line)
        }
    }
}

/// Shapes of names used across policy files.
enum Identifiers {
    /// `snake_case` names: roles, rule ids, datasets.
    static func isName(_ s: String) -> Bool {
        s.range(of: #"^[a-z][a-z0-9_]*$"#, options: .regularExpression) != nil
    }

    /// Rule ids: lower-case words joined by `-` or `_`.
    static func isRuleID(_ s: String) -> Bool {
        s.range(of: #"^[a-z][a-z0-9_-]*$"#, options: .regularExpression) != nil
    }

    /// Principal ids: letters, digits, `_`, `-`, `.`.
    static func isPrincipalID(_ s: String) -> Bool {
        s.range(of: #"^[a-z][a-z0-9_.-]*$"#, options: .regularExpression) != nil
    }

    /// Purpose keys in fideslang style: dot-separated snake_case words.
    static func isPurposeKey(_ s: String) -> Bool {
        s.range(of: #"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"#, options: .regularExpression) != nil
    }
}
