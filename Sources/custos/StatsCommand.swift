import ArgumentParser
import CustosEngine
import CustosSchema
import Foundation

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Differentially private descriptive statistics of a dataset's measures (budget charged).",
        discussion: """
            Example:
              custos stats --principal alice --role analyst \\
                --purpose analytics.reporting --dataset orders --epsilon 0.5
            """)

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "Purpose key.") var purpose: String
    @Option(help: "Dataset.") var dataset: String
    @Option(help: "The job's whole privacy cost (pure epsilon).") var epsilon: Double
    @Option(parsing: .upToNextOption, help: "Measures (default: all declared measures).") var measures: [String] = []
    @Option(help: "Rows per customer kept (contribution bound).") var maxRows = 10
    @Option(help: "Upper clamping bound for measures, below the schema's public bound (less noise).") var clampUpper: Double?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try validateCost(epsilon: epsilon, maxRows: maxRows, clampUpper: clampUpper)
    }

    /// The job these options ask for: the same value runs locally or goes to `POST /v1/jobs`.
    var jobRequest: JobRequest {
        var job = JobRequest(kind: "stats", purpose: purpose, dataset: dataset)
        job.epsilon = epsilon
        job.measures = measures
        job.maxRows = maxRows
        job.clampUpper = clampUpper
        return job
    }

    func run() async throws {
        let hint = DenialHint.explain(actor, purpose: purpose, dataset: dataset, columns: measures, mode: OutputMode.dpAggregate.rawValue, epsilon: epsilon)
        try output.checkDestination(workspace: options.url)
        let text = try await JobDispatch.run(jobRequest, options: options, actor: actor, format: output.resolvedFormat, denialHint: hint)
        try output.emit(text, workspace: options.url)
    }
}

struct CubeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cube",
        abstract: "A differentially private group-by cube: noisy counts, sums and means per combination of dimensions.",
        discussion: """
            Example (the three largest country groups by revenue, by month):
              custos cube --principal alice --role analyst --purpose analytics.reporting \\
                --dataset orders --by country order_time --measure amount --top 3 \\
                --months 2026-01..2026-12 --epsilon 1
            """)

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "Purpose key.") var purpose: String
    @Option(help: "Dataset.") var dataset: String
    @Option(help: "The job's whole privacy cost (pure epsilon).") var epsilon: Double
    @Option(parsing: .upToNextOption, help: "Dimensions (categories; timestamps group by month).") var by: [String]
    @Option(help: "Measure to sum and average per group.") var measure: String?
    @Option(help: "Show only the N largest groups.") var top: Int?
    @Option(help: "Public month range FIRST..LAST (YYYY-MM..YYYY-MM) for time dimensions; other months need partition selection.")
    var months: String?
    @Option(help: "Rows per customer per group.") var maxRows = 10
    @Option(help: "Groups per customer.") var maxGroups = 4
    @Option(help: "Upper clamping bound for the measure, below the schema's public bound (less noise).") var clampUpper: Double?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try validateCost(epsilon: epsilon, maxRows: maxRows, clampUpper: clampUpper)
        if by.isEmpty { throw ValidationError("--by needs at least one dimension") }
        if maxGroups < 1 { throw ValidationError("--max-groups must be at least 1") }
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if let months {
            let parts = months.components(separatedBy: "..")
            guard parts.count == 2 else { throw ValidationError("--months takes YYYY-MM..YYYY-MM") }
        }
    }

    /// The job these options ask for: the same value runs locally or goes to `POST /v1/jobs`.
    var jobRequest: JobRequest {
        var job = JobRequest(kind: "cube", purpose: purpose, dataset: dataset)
        job.epsilon = epsilon
        job.by = by
        job.measure = measure
        job.top = top
        job.maxRows = maxRows
        job.maxGroups = maxGroups
        job.clampUpper = clampUpper
        job.months = months
        return job
    }

    func run() async throws {
        let hint = DenialHint.explain(actor, purpose: purpose, dataset: dataset, columns: by + (measure.map { [$0] } ?? []),
                                     mode: OutputMode.dpAggregate.rawValue, epsilon: epsilon)
        try output.checkDestination(workspace: options.url)
        let text = try await JobDispatch.run(jobRequest, options: options, actor: actor, format: output.resolvedFormat, denialHint: hint)
        try output.emit(text, workspace: options.url)
    }
}

/// Checks shared by the DP statistics commands, before a workspace is opened.
private func validateCost(epsilon: Double, maxRows: Int, clampUpper: Double?) throws {
    guard epsilon > 0, epsilon.isFinite else { throw ValidationError("--epsilon must be a positive number (the job's whole privacy cost)") }
    if maxRows < 1 { throw ValidationError("--max-rows must be at least 1") }
    if let clampUpper, !clampUpper.isFinite { throw ValidationError("--clamp-upper must be a finite number") }
}
