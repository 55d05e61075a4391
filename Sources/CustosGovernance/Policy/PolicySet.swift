import CustosSchema
import Foundation

/// Every problem found while loading a policy directory, each located by file and line.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    /// Problems, each with its location.
    public let errors: [ConfigurationError]

    /// All problems found.
    public init(errors: [ConfigurationError]) { self.errors = errors }

    public var description: String {
        "the policies have \(errors.count) problem\(errors.count == 1 ? "" : "s"):\n" + errors.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// The loaded contents of a policies directory:
///
/// ```
/// policies/
///   datasets/*.yaml     dataset schemas (column classes and categories)
///   roles.yaml          roles
///   principals.yaml     principals, their roles and token hashes
///   purposes.yaml       purposes (versioned data uses)
///   notices/*           privacy notice texts whose digests purposes record
///   privacy.yaml        the population budget (every customer's total privacy loss)
///   rules/*.yaml        permits and forbids
///   tests/*.yaml        golden decision tests (not part of the policy version)
/// ```
public struct PolicySet: Sendable {
    /// Dataset schemas from `datasets/`.
    public let catalog: DatasetCatalog
    /// Declared roles.
    public let roles: RoleCatalog
    /// Principals and their token hashes.
    public let principals: PrincipalDirectory
    /// The declared purposes.
    public let purposes: PurposeRegistry
    /// All rules, sorted by id (the order of rules never changes a decision).
    public let rules: [PolicyRule]
    /// The population account's limits from `privacy.yaml`; nil: no DP job may run.
    public let population: PopulationBudget?
    /// SHA-256 (hex) over the policy files; see `PolicyVersion`.
    public let version: String

    /// Creates the value from its parts.
    public init(
        catalog: DatasetCatalog, roles: RoleCatalog, principals: PrincipalDirectory, purposes: PurposeRegistry,
        rules: [PolicyRule], population: PopulationBudget? = nil, version: String
    ) {
        self.catalog = catalog
        self.roles = roles
        self.principals = principals
        self.purposes = purposes
        self.rules = rules.sorted { $0.id < $1.id }
        self.population = population
        self.version = version
    }

    /// Loads and validates a policies directory; throws `PolicyLoadError` listing every problem.
    public static func load(directory: URL) throws -> PolicySet {
        let (set, errors) = loadCollecting(directory: directory)
        guard let set, errors.isEmpty else { throw PolicyLoadError(errors: errors) }
        return set
    }

    /// The rule with `id`.
    public func rule(_ id: String) -> PolicyRule? { rules.first { $0.id == id } }

    /// Loads as much as can be loaded, returning every problem found.
    static func loadCollecting(directory: URL) -> (PolicySet?, [ConfigurationError]) {
        var errors: [ConfigurationError] = []
        let catalog: DatasetCatalog
        do {
            catalog = try DatasetCatalog.load(directory: directory.appendingPathComponent("datasets"))
        } catch let error as ConfigurationError {
            return (nil, [error])
        } catch {
            return (nil, [ConfigurationError(file: "datasets", line: nil, message: "cannot read the datasets folder (\(error.localizedDescription))")])
        }
        func yaml(_ name: String) -> YAMLValue? {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                errors.append(ConfigurationError(file: name, line: nil, message: "the file is missing; every policies directory needs \(name)"))
                return nil
            }
            do { return try YAMLValue.load(url, displayName: name) } catch let error as ConfigurationError {
                errors.append(error)
            } catch {
                errors.append(ConfigurationError(file: name, line: nil, message: "\(error)"))
            }
            return nil
        }
        let roles = yaml("roles.yaml").map { RoleCatalog.parse($0, errors: &errors) } ?? RoleCatalog([])
        let purposes = yaml("purposes.yaml").map { PurposeRegistry.parse($0, directory: directory, errors: &errors) } ?? PurposeRegistry([])

        var principals = PrincipalDirectory([])
        let principalsURL = directory.appendingPathComponent("principals.yaml")
        if FileManager.default.fileExists(atPath: principalsURL.path), let file = yaml("principals.yaml") {
            principals = PrincipalDirectory.parse(file, errors: &errors)
            for p in principals.entries.values.sorted(by: { $0.id < $1.id }) {
                for role in p.roles where !roles.contains(role) {
                    errors.append(ConfigurationError(file: "principals.yaml", line: p.line, message: "principal '\(p.id)' has role '\(role)', which roles.yaml does not declare"))
                }
            }
        }

        var population: PopulationBudget?
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("privacy.yaml").path), let file = yaml("privacy.yaml") {
            population = PopulationBudget.parse(file, errors: &errors)
        }

        var rules: [PolicyRule] = []
        let context = RuleLoader.Context(roles: roles, purposes: purposes, catalog: catalog)
        let rulesDirectory = directory.appendingPathComponent("rules")
        let files = ((try? FileManager.default.contentsOfDirectory(at: rulesDirectory, includingPropertiesForKeys: nil)) ?? [])
            .filter { ["yaml", "yml"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        if files.isEmpty {
            errors.append(ConfigurationError(file: "rules", line: nil, message: "no rule files (rules/*.yaml); with no permits nothing is ever allowed"))
        }
        var seen: [String: String] = [:]
        for file in files {
            let name = "rules/\(file.lastPathComponent)"
            do {
                for rule in RuleLoader.parse(try YAMLValue.load(file, displayName: name), context: context, errors: &errors) {
                    if let other = seen[rule.id] {
                        errors.append(ConfigurationError(file: rule.file, line: rule.line, message: "rule id '\(rule.id)' is already used at \(other); rule ids must be unique"))
                        continue
                    }
                    seen[rule.id] = rule.location
                    rules.append(rule)
                }
            } catch let error as ConfigurationError {
                errors.append(error)
            } catch {
                errors.append(ConfigurationError(file: name, line: nil, message: "\(error)"))
            }
        }
        let version: String
        do { version = try PolicyVersion.digest(directory: directory) } catch {
            errors.append(ConfigurationError(file: ".", line: nil, message: "cannot compute the policy version (\(error.localizedDescription))"))
            return (nil, errors)
        }
        let set = PolicySet(catalog: catalog, roles: roles, principals: principals, purposes: purposes, rules: rules, population: population,
                            version: version)
        return (set, errors)
    }
}
