import ArgumentParser
import CustosEngine
import Foundation

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Differentially private descriptive statistics of a dataset's measures (budget charged).",
        discussion: "Example: custos stats --principal alice --role analyst --purpose analytics.reporting --dataset orders --epsilon 0.5")

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "Purpose key.") var purpose: String
    @Option(help: "Dataset.") var dataset: String
    @Option(help: "The job's whole privacy cost (pure epsilon).") var epsilon: Double
    @Option(parsing: .upToNextOption, help: "Measures (default: all declared measures).") var measures: [String] = []
    @Option(help: "Rows per customer kept (contribution bound).") var maxRows = 10
    @Option(help: "Upper clamping bound for measures, below the schema's public bound (less noise).") var clampUpper: Double?
    @Option(help: "Output: table, json or html.") var format = "table"
    @Option(help: "Write the result to this file.") var output: String?

    func run() throws {
        var p = StatisticsParameters()
        p.measures = measures
        p.maxRowsPerSubject = maxRows
        p.clampUpper = clampUpper
        let result = try withEngine(options) { try $0.dpStatistics(actor: actor.actor, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: p) }
        try emit(try Render.result(result, format: format), to: output)
    }
}

struct CubeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cube",
        abstract: "A differentially private group-by cube: noisy counts, sums and means per combination of dimensions.",
        discussion: "Example (top three countries by revenue, by month): custos cube --dataset orders --by country order_time --measure amount --top 3 ...")

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
    @Option(help: "Output: table, json or html.") var format = "table"
    @Option(help: "Write the result to this file.") var output: String?

    func run() throws {
        var p = StatisticsParameters()
        p.dimensions = by
        p.measure = measure
        p.top = top
        p.maxRowsPerSubject = maxRows
        p.maxGroupsPerSubject = maxGroups
        p.clampUpper = clampUpper
        if let months {
            let parts = months.components(separatedBy: "..")
            guard parts.count == 2 else { throw ValidationError("--months takes YYYY-MM..YYYY-MM") }
            p.months = (parts[0], parts[1])
        }
        let result = try withEngine(options) { try $0.dpCube(actor: actor.actor, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: p) }
        try emit(try Render.result(result, format: format), to: output)
    }
}
