import ArgumentParser
import CustosEngine
import CustosSchema
import Foundation

struct MineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine",
        abstract: "Run a permitted mining job: rfm, kmeans, rules, sequences or funnel.",
        discussion: """
            Every job goes through the policy decision point (denials are explained and audited), the consent \
            filter for its purpose, and the output gate (minimum group size, or DP noise with the budget charged).
            Example: custos mine rules --principal mika --role marketing_analyst --purpose marketing.segmentation
            """)

    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case rfm, kmeans, rules, sequences, funnel }

    @Argument(help: "Algorithm: rfm, kmeans, rules, sequences, funnel.") var algorithm: Algorithm
    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "Purpose key the job serves.") var purpose: String
    @Option(help: "Dataset (default: orders for rfm/kmeans/rules, events for sequences/funnel).") var dataset: String?
    @Option(help: "Output mode: pseudonymous_records or pseudonymous_aggregate (rfm, kmeans).") var mode: String = "pseudonymous_records"
    @Option(help: "Output: table, json or html.") var format = "table"
    @Option(help: "Write the result to this file.") var output: String?
    @Option(help: "As-of date for recency (YYYY-MM-DD; default: the day after the last purchase).") var asOf: String?
    @Option(help: "Clusters (kmeans).") var k = 4
    @Option(help: "Seed for k-means++ (default: random).") var seed: UInt64?
    @Option(help: "Minimum support as a fraction (rules, sequences).") var minSupport = 0.01
    @Option(help: "Minimum confidence (rules).") var minConfidence = 0.3
    @Option(help: "Maximum pattern length.") var maxLength = 4
    @Option(help: "Maximum gap between pattern elements (sequences).") var maxGap: Int?
    @Option(parsing: .upToNextOption, help: "Funnel steps.") var steps: [String] = ["search", "view", "cart", "purchase"]
    @Option(help: "Funnel window in hours.") var windowHours: Double?
    @Option(help: "Run the differentially private variant with this whole privacy cost (budget charged).") var epsilon: Double?

    func run() throws {
        var parameters = MiningParameters()
        if let asOf {
            guard let days = ValueParser.parseDate(asOf) else { throw ValidationError("--as-of must be YYYY-MM-DD") }
            parameters.asOf = CivilDate(daysSinceEpoch: days)
        }
        parameters.k = k
        parameters.seed = seed
        parameters.minSupport = minSupport
        parameters.minConfidence = minConfidence
        parameters.maxLength = maxLength
        parameters.maxGap = maxGap
        parameters.steps = steps
        parameters.windowHours = windowHours
        guard let outputMode = OutputMode(rawValue: mode) else { throw ValidationError("unknown --mode '\(mode)'") }
        let who = actor.actor
        if let epsilon {
            var dp = DPMiningParameters()
            if let asOf = parameters.asOf { dp.asOf = asOf }
            dp.k = k
            if let seed { dp.seed = seed }
            dp.steps = steps
            dp.windowHours = windowHours
            dp.minConfidence = minConfidence
            let result = try withEngine(options) { engine -> JobResult in
                switch algorithm {
                case .rfm: return try engine.dpRFM(actor: who, purpose: purpose, dataset: dataset ?? "orders", epsilon: epsilon, parameters: dp)
                case .kmeans: return try engine.dpKMeans(actor: who, purpose: purpose, dataset: dataset ?? "orders", epsilon: epsilon, parameters: dp)
                case .rules: return try engine.dpRules(actor: who, purpose: purpose, dataset: dataset ?? "orders", epsilon: epsilon, parameters: dp)
                case .sequences: return try engine.dpSequences(actor: who, purpose: purpose, dataset: dataset ?? "events", epsilon: epsilon, parameters: dp)
                case .funnel: return try engine.dpFunnel(actor: who, purpose: purpose, dataset: dataset ?? "events", epsilon: epsilon, parameters: dp)
                }
            }
            return try emit(try Render.result(result, format: format), to: output)
        }
        let result = try withEngine(options) { engine -> JobResult in
            switch algorithm {
            case .rfm: return try engine.mineRFM(actor: who, purpose: purpose, dataset: dataset ?? "orders", mode: outputMode, parameters: parameters)
            case .kmeans: return try engine.mineKMeans(actor: who, purpose: purpose, dataset: dataset ?? "orders", mode: outputMode, parameters: parameters)
            case .rules: return try engine.mineRules(actor: who, purpose: purpose, dataset: dataset ?? "orders", parameters: parameters)
            case .sequences: return try engine.mineSequences(actor: who, purpose: purpose, dataset: dataset ?? "events", parameters: parameters)
            case .funnel: return try engine.mineFunnel(actor: who, purpose: purpose, dataset: dataset ?? "events", parameters: parameters)
            }
        }
        try emit(try Render.result(result, format: format), to: output)
    }
}

enum Render {
    static func result(_ result: JobResult, format: String) throws -> String {
        switch format {
        case "json": return try result.json()
        case "html": return try result.html()
        case "table", "text": return result.text()
        default: throw ValidationError("unknown --format '\(format)'; use table, json or html")
        }
    }
}
