import CustosSchema

/// The budget that protects a customer: a limit per period and a lifetime limit on the privacy loss
/// of all differentially private jobs of the workspace together, over every principal and every
/// dataset (orders, events and customers describe the same people). Read from `privacy.yaml`:
///
/// ```yaml
/// population:
///   period: month
///   epsilon_per_period: 12
///   delta_per_period: 1.0e-5
///   epsilon_lifetime: 60
///   delta_lifetime: 1.0e-4
/// ```
///
/// Without this file no DP job runs: a per-principal budget alone bounds nobody's total loss.
public struct PopulationBudget: Sendable, Equatable, Codable {
    /// The accounting period of the per-period limits.
    public let period: BudgetPeriod
    /// Largest epsilon all DP jobs together may spend in one period.
    public let epsilonPerPeriod: Double
    /// Largest delta all DP jobs together may spend in one period.
    public let deltaPerPeriod: Double
    /// Largest epsilon all DP jobs together may ever spend on this workspace.
    public let epsilonLifetime: Double
    /// Largest delta all DP jobs together may ever spend on this workspace.
    public let deltaLifetime: Double

    /// Creates the value from its parts.
    public init(period: BudgetPeriod, epsilonPerPeriod: Double, deltaPerPeriod: Double, epsilonLifetime: Double, deltaLifetime: Double) {
        self.period = period
        self.epsilonPerPeriod = epsilonPerPeriod
        self.deltaPerPeriod = deltaPerPeriod
        self.epsilonLifetime = epsilonLifetime
        self.deltaLifetime = deltaLifetime
    }

    /// "ε 12 and δ 1e-05 per month, ε 60 and δ 0.0001 in total".
    public var summary: String {
        "ε \(epsilonPerPeriod) and δ \(deltaPerPeriod) per \(period.rawValue), ε \(epsilonLifetime) and δ \(deltaLifetime) in total"
    }

    /// Parses the `population` section of `privacy.yaml`, reporting every problem with its line.
    static func parse(_ yaml: YAMLValue, errors: inout [ConfigurationError]) -> PopulationBudget? {
        do {
            try yaml.checkKeys(["population"])
            let node = try yaml.required("population")
            try node.checkKeys(["period", "epsilon_per_period", "delta_per_period", "epsilon_lifetime", "delta_lifetime"])
            func positive(_ key: String, probability: Bool) throws -> Double {
                let value = try node.required(key).double()
                guard value > 0, value.isFinite, !probability || value < 1 else {
                    throw ConfigurationError(file: node.file, line: node.line(ofKey: key),
                                             message: probability ? "\(key) must be a probability between 0 and 1 (typically below 1e-5)"
                                                : "\(key) must be a positive number")
                }
                return value
            }
            let periodText = try node.optionalString("period") ?? "month"
            guard let period = BudgetPeriod(rawValue: periodText) else {
                throw ConfigurationError(file: node.file, line: node.line(ofKey: "period"),
                                         message: "period must be one of \(BudgetPeriod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let budget = PopulationBudget(
                period: period, epsilonPerPeriod: try positive("epsilon_per_period", probability: false),
                deltaPerPeriod: try positive("delta_per_period", probability: true),
                epsilonLifetime: try positive("epsilon_lifetime", probability: false),
                deltaLifetime: try positive("delta_lifetime", probability: true))
            guard budget.epsilonPerPeriod <= budget.epsilonLifetime, budget.deltaPerPeriod <= budget.deltaLifetime else {
                throw node.error("the per-period limits must not be larger than the lifetime limits")
            }
            return budget
        } catch let error as ConfigurationError {
            errors.append(error)
        } catch {
            errors.append(ConfigurationError(file: "privacy.yaml", line: nil, message: "\(error)"))
        }
        return nil
    }
}
