import CustosBase
import CustosSchema
import Foundation

/// A mining or statistics job as a caller asks for it: what the CLI's `mine`, `stats` and `cube`
/// build from their options and what the service's `POST /v1/jobs` decodes, so both run the same
/// checks and the same engine calls. Field names are the API's (snake_case).
public struct JobRequest: Codable, Sendable, Equatable {
    /// `rfm`, `kmeans`, `rules`, `sequences`, `funnel` (mining), `stats` or `cube` (DP statistics).
    public var kind: String
    public var purpose: String
    /// Default: orders for rfm/kmeans/rules, events for sequences/funnel; required for stats and cube.
    public var dataset: String?
    /// Default: dp_aggregate when `epsilon` is given, otherwise the algorithm's first exact mode.
    public var outputMode: String?
    /// The job's whole privacy cost (runs the DP variant, budget charged).
    public var epsilon: Double?
    public var asOf: String?
    public var k: Int?
    public var seed: UInt64?
    public var minSupport: Double?
    public var minConfidence: Double?
    public var maxLength: Int?
    public var maxGap: Int?
    public var steps: [String]?
    public var windowHours: Double?
    public var measures: [String]?
    public var by: [String]?
    public var measure: String?
    public var top: Int?
    /// Public month range `YYYY-MM..YYYY-MM` for time dimensions of a cube.
    public var months: String?
    public var maxRows: Int?
    public var maxGroups: Int?
    public var clampUpper: Double?

    public init(kind: String, purpose: String, dataset: String? = nil) {
        self.kind = kind
        self.purpose = purpose
        self.dataset = dataset
    }

    enum CodingKeys: String, CodingKey {
        case kind, purpose, dataset, outputMode = "output_mode", epsilon, asOf = "as_of", k, seed, minSupport = "min_support"
        case minConfidence = "min_confidence", maxLength = "max_length", maxGap = "max_gap", steps, windowHours = "window_hours"
        case measures, by, measure, top, months, maxRows = "max_rows", maxGroups = "max_groups", clampUpper = "clamp_upper"
    }

    public static let miningKinds = ["rfm", "kmeans", "rules", "sequences", "funnel"]
    public static let statisticsKinds = ["stats", "cube"]

    /// The dataset the job reads.
    public var resolvedDataset: String {
        if let dataset { return dataset }
        return ["sequences", "funnel"].contains(kind) ? "events" : "orders"
    }

    /// The exact (non-DP) output modes the engine runs a mining algorithm in, the default first.
    static func exactModes(_ kind: String) -> [OutputMode] {
        switch kind {
        case "rfm", "kmeans": return [.pseudonymousRecords, .pseudonymousAggregate]
        case "sequences", "funnel": return [.pseudonymousAggregate, .pseudonymousRecords]
        case "rules": return [.pseudonymousAggregate]
        default: return [.dpAggregate]
        }
    }

    /// The mode asked of the policy decision point.
    public func resolvedMode() throws -> OutputMode {
        if let outputMode {
            guard let mode = OutputMode(rawValue: outputMode) else {
                throw EngineError.invalidRequest("output_mode '\(outputMode)' is not one of \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return mode
        }
        return epsilon != nil || Self.statisticsKinds.contains(kind) ? .dpAggregate : Self.exactModes(kind)[0]
    }

    /// The columns the job reads, for a denial's `policy explain` hint.
    public var columns: [String] {
        switch kind {
        case "rfm": return ["order_time", "amount"]
        case "kmeans": return ["order_time", "amount", "item_count"]
        case "rules": return ["items"]
        case "sequences", "funnel": return ["event_time", "event_type"]
        case "stats": return measures ?? []
        default: return (by ?? []) + (measure.map { [$0] } ?? [])
        }
    }

    /// Checks everything that can be checked before the workspace is touched (a DP job's budget is
    /// spent once it runs, so a mistake must not get that far).
    public func validate() throws {
        guard Self.miningKinds.contains(kind) || Self.statisticsKinds.contains(kind) else {
            throw EngineError.invalidRequest("kind '\(kind)' is not one of \((Self.miningKinds + Self.statisticsKinds).joined(separator: ", "))")
        }
        let mode = try resolvedMode()
        if let epsilon {
            guard epsilon > 0, epsilon.isFinite else { throw EngineError.invalidRequest("epsilon must be a positive number (the job's whole privacy cost)") }
            if mode != .dpAggregate {
                throw EngineError.invalidRequest("epsilon runs the differentially private variant (dp_aggregate); drop output_mode \(mode.rawValue) or epsilon")
            }
        } else if mode == .dpAggregate {
            throw EngineError.invalidRequest("dp_aggregate needs epsilon, the job's whole privacy cost")
        } else if !Self.exactModes(kind).contains(mode) {
            throw EngineError.invalidRequest("""
                \(kind) runs in \(Self.exactModes(kind).map(\.rawValue).joined(separator: " or ")), or dp_aggregate with epsilon; \
                it cannot run in \(mode.rawValue). If your role is granted only \(mode.rawValue) on this dataset, ask the \
                data protection officer for a rule that permits \(Self.exactModes(kind)[0].rawValue) (see `custos policy explain`)
                """)
        }
        if Self.statisticsKinds.contains(kind), dataset == nil { throw EngineError.invalidRequest("\(kind) needs a dataset") }
        if kind == "cube", (by ?? []).isEmpty { throw EngineError.invalidRequest("a cube needs at least one dimension in 'by'") }
        if let asOf, ValueParser.parseDate(asOf) == nil { throw EngineError.invalidRequest("as_of must be YYYY-MM-DD") }
        if let k, k < 1 || k > 1000 { throw EngineError.invalidRequest("k must be from 1 to 1000 clusters") }
        if let minSupport, !(minSupport > 0 && minSupport <= 1) { throw EngineError.invalidRequest("min_support is a fraction in (0, 1]") }
        if let minConfidence, !(0...1).contains(minConfidence) { throw EngineError.invalidRequest("min_confidence is a fraction in [0, 1]") }
        if let maxLength, maxLength < 1 || maxLength > 64 { throw EngineError.invalidRequest("max_length must be from 1 to 64") }
        if let maxGap, maxGap < 1 { throw EngineError.invalidRequest("max_gap must be at least 1") }
        if kind == "funnel", let steps, steps.isEmpty { throw EngineError.invalidRequest("steps needs at least one step") }
        if let windowHours, !(windowHours > 0 && windowHours.isFinite) { throw EngineError.invalidRequest("window_hours must be positive") }
        if let maxRows, maxRows < 1 || maxRows > 10_000 { throw EngineError.invalidRequest("max_rows must be from 1 to 10000") }
        if let maxGroups, maxGroups < 1 || maxGroups > 10_000 { throw EngineError.invalidRequest("max_groups must be from 1 to 10000") }
        if let top, top < 1 { throw EngineError.invalidRequest("top must be at least 1") }
        if let clampUpper, !clampUpper.isFinite { throw EngineError.invalidRequest("clamp_upper must be a finite number") }
        if let months, months.components(separatedBy: "..").count != 2 { throw EngineError.invalidRequest("months takes YYYY-MM..YYYY-MM") }
    }

    /// Runs the job on `engine` as `caller`, through the same policy, consent, output gate and audit as every job.
    public func run(on engine: Engine, as caller: Caller) throws -> JobResult {
        try validate()
        let dataset = resolvedDataset
        let asOfDate = asOf.flatMap(ValueParser.parseDate).map { CivilDate(daysSinceEpoch: $0) }
        if Self.statisticsKinds.contains(kind) {
            guard let epsilon else { throw EngineError.invalidRequest("\(kind) needs epsilon, the job's whole privacy cost") }
            var p = StatisticsParameters()
            p.measures = measures ?? []
            p.dimensions = by ?? []
            p.measure = measure
            p.top = top
            p.maxRowsPerSubject = maxRows ?? p.maxRowsPerSubject
            p.maxGroupsPerSubject = maxGroups ?? p.maxGroupsPerSubject
            p.clampUpper = clampUpper
            if let months {
                let parts = months.components(separatedBy: "..")
                p.months = (parts[0], parts[1])
            }
            return kind == "stats"
                ? try engine.jobs.dpStatistics(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: p)
                : try engine.jobs.dpCube(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: p)
        }
        if let epsilon {
            var dp = DPMiningParameters()
            if let asOfDate { dp.asOf = asOfDate }
            if let k { dp.k = k }
            if let seed { dp.seed = seed }
            if let steps { dp.steps = steps }
            dp.windowHours = windowHours
            if let minConfidence { dp.minConfidence = minConfidence }
            switch kind {
            case "rfm": return try engine.jobs.dpRFM(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: dp)
            case "kmeans": return try engine.jobs.dpKMeans(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: dp)
            case "rules": return try engine.jobs.dpRules(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: dp)
            case "sequences": return try engine.jobs.dpSequences(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: dp)
            default: return try engine.jobs.dpFunnel(actor: caller, purpose: purpose, dataset: dataset, epsilon: epsilon, parameters: dp)
            }
        }
        var p = MiningParameters()
        p.asOf = asOfDate
        if let k { p.k = k }
        p.seed = seed
        if let minSupport { p.minSupport = minSupport }
        if let minConfidence { p.minConfidence = minConfidence }
        if let maxLength { p.maxLength = maxLength }
        p.maxGap = maxGap
        if let steps { p.steps = steps }
        p.windowHours = windowHours
        let mode = try resolvedMode()
        switch kind {
        case "rfm": return try engine.jobs.mineRFM(actor: caller, purpose: purpose, dataset: dataset, mode: mode, parameters: p)
        case "kmeans": return try engine.jobs.mineKMeans(actor: caller, purpose: purpose, dataset: dataset, mode: mode, parameters: p)
        case "rules": return try engine.jobs.mineRules(actor: caller, purpose: purpose, dataset: dataset, parameters: p)
        case "sequences": return try engine.jobs.mineSequences(actor: caller, purpose: purpose, dataset: dataset, mode: mode, parameters: p)
        default: return try engine.jobs.mineFunnel(actor: caller, purpose: purpose, dataset: dataset, mode: mode, parameters: p)
        }
    }
}
