import ArgumentParser
import CustosEngine
import CustosSchema
import Foundation

struct MineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine",
        abstract: "Run a permitted mining job: rfm, kmeans, rules, sequences or funnel.",
        discussion: """
            Every job goes through the policy decision point (denials are explained and audited), the consent \
            filter for its purpose, and the output gate (minimum group size, or DP noise with the budget charged).

            --mode must be permitted by a rule for your role, purpose and dataset:
              rfm, kmeans: pseudonymous_records (default) or pseudonymous_aggregate
              rules: pseudonymous_aggregate (it releases counts)
              sequences, funnel: pseudonymous_aggregate (counts), or pseudonymous_records (one row per customer)
              any algorithm: dp_aggregate, with --epsilon E charged to your budget
            `custos policy explain` shows which modes the rules grant you.

            Example:
              custos mine rules --principal mika --role marketing_analyst \
                --purpose marketing.segmentation --format html --output rules.html
            """)

    /// The output modes a mining job can ask for (the policy decides whether it may).
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case pseudonymousRecords = "pseudonymous_records"
        case pseudonymousAggregate = "pseudonymous_aggregate"
        case dpAggregate = "dp_aggregate"

        var outputMode: OutputMode {
            switch self {
            case .pseudonymousRecords: return .pseudonymousRecords
            case .pseudonymousAggregate: return .pseudonymousAggregate
            case .dpAggregate: return .dpAggregate
            }
        }
    }

    enum Algorithm: String, ExpressibleByArgument, CaseIterable {
        case rfm, kmeans, rules, sequences, funnel

        /// The dataset the algorithm reads unless told otherwise.
        var defaultDataset: String {
            switch self {
            case .rfm, .kmeans, .rules: return "orders"
            case .sequences, .funnel: return "events"
            }
        }

        /// The columns the engine's job reads (exact and DP variants alike), for the `policy explain` hint.
        var columns: [String] {
            switch self {
            case .rfm: return ["order_time", "amount"]
            case .kmeans: return ["order_time", "amount", "item_count"]
            case .rules: return ["items"]
            case .sequences, .funnel: return ["event_time", "event_type"]
            }
        }

        /// The exact (non-DP) output modes the engine runs this algorithm in, the default first.
        var exactModes: [OutputMode] {
            switch self {
            case .rfm, .kmeans: return [.pseudonymousRecords, .pseudonymousAggregate]
            case .sequences, .funnel: return [.pseudonymousAggregate, .pseudonymousRecords]
            case .rules: return [.pseudonymousAggregate]
            }
        }
    }

    @Argument(help: "The algorithm to run.") var algorithm: Algorithm
    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "Purpose key the job serves.") var purpose: String
    @Option(help: "Dataset (default: orders for rfm/kmeans/rules, events for sequences/funnel).") var dataset: String?
    @Option(help: "Output mode (default: dp_aggregate with --epsilon, else pseudonymous_records for rfm/kmeans and pseudonymous_aggregate otherwise).")
    var mode: Mode?
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("As-of date for recency (YYYY-MM-DD; default: the day after the last purchase).", valueName: "date")) var asOf: String?
    @Option(help: "Clusters (kmeans).") var k = 4
    @Option(help: "Seed for k-means++ (default: random).") var seed: UInt64?
    @Option(help: "Minimum support as a fraction (rules, sequences).") var minSupport = 0.01
    @Option(help: "Minimum confidence (rules).") var minConfidence = 0.3
    @Option(help: "Maximum pattern length.") var maxLength = 4
    @Option(help: "Maximum gap between pattern elements (sequences).") var maxGap: Int?
    @Option(parsing: .upToNextOption, help: "Funnel steps, in order.") var steps: [String] = ["search", "view", "cart", "purchase"]
    @Option(help: "Funnel window in hours.") var windowHours: Double?
    @Option(help: "Run the differentially private variant with this whole privacy cost (budget charged).") var epsilon: Double?

    /// The mode the job asks the policy decision point for.
    var outputMode: OutputMode { mode?.outputMode ?? (epsilon != nil ? .dpAggregate : algorithm.exactModes[0]) }

    func validate() throws {
        if let epsilon {
            guard epsilon > 0, epsilon.isFinite else { throw ValidationError("--epsilon must be a positive number (the job's whole privacy cost)") }
            if let mode, mode != .dpAggregate {
                throw ValidationError("--epsilon runs the differentially private variant (dp_aggregate); drop --mode \(mode.rawValue) or --epsilon")
            }
        } else if outputMode == .dpAggregate {
            throw ValidationError("--mode dp_aggregate needs --epsilon E, the job's whole privacy cost")
        } else if !algorithm.exactModes.contains(outputMode) {
            throw ValidationError("""
                \(algorithm.rawValue) runs in \(algorithm.exactModes.map(\.rawValue).joined(separator: " or ")), or dp_aggregate with --epsilon; \
                it cannot run in \(outputMode.rawValue). If your role is granted only \(outputMode.rawValue) on this dataset, ask the \
                data protection officer for a rule that permits \(algorithm.exactModes[0].rawValue) (see `custos policy explain`)
                """)
        }
        if let asOf, ValueParser.parseDate(asOf) == nil { throw ValidationError("--as-of must be YYYY-MM-DD") }
        if k < 1 { throw ValidationError("--k must be at least 1 cluster") }
        if !(minSupport > 0 && minSupport <= 1) { throw ValidationError("--min-support is a fraction in (0, 1]") }
        if !(0...1).contains(minConfidence) { throw ValidationError("--min-confidence is a fraction in [0, 1]") }
        if maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
        if let maxGap, maxGap < 1 { throw ValidationError("--max-gap must be at least 1") }
        if algorithm == .funnel && steps.isEmpty { throw ValidationError("--steps needs at least one step") }
        if let windowHours, !(windowHours > 0) { throw ValidationError("--window-hours must be positive") }
    }

    /// The job these options ask for: the same value runs locally or goes to `POST /v1/jobs`.
    var jobRequest: JobRequest {
        var job = JobRequest(kind: algorithm.rawValue, purpose: purpose, dataset: dataset ?? algorithm.defaultDataset)
        job.outputMode = outputMode.rawValue
        job.epsilon = epsilon
        job.asOf = asOf
        job.k = k
        job.seed = seed
        job.minSupport = minSupport
        job.minConfidence = minConfidence
        job.maxLength = maxLength
        job.maxGap = maxGap
        job.steps = steps
        job.windowHours = windowHours
        return job
    }

    func run() async throws {
        let job = jobRequest
        let hint = DenialHint.explain(actor, purpose: purpose, dataset: job.resolvedDataset, columns: algorithm.columns,
                                      mode: outputMode.rawValue, epsilon: epsilon)
        try output.checkDestination(workspace: options.url)
        let text = try await JobDispatch.run(job, options: options, actor: actor, format: output.resolvedFormat, denialHint: hint)
        try output.emit(text, workspace: options.url)
    }
}

/// Job results in the chosen format.
enum Render {
    static func result(_ result: JobResult, format: OutputFormat) throws -> String {
        switch format {
        case .json: return try result.json()
        case .html: return try result.html()
        case .text: return result.text()
        }
    }
}
