import CustosGovernance
import CustosPrivacy
import CustosSchema
import Foundation

/// Parameters of the DP statistics and cube jobs.
public struct StatisticsParameters: Sendable {
    /// Measures to describe (default: every measure column of the dataset the job may read).
    public var measures: [String] = []
    /// Cube dimensions: category columns (public when the schema declares their values) or a
    /// timestamp/date column, grouped by month.
    public var dimensions: [String] = []
    /// Cube measure (a sum and mean per group), optional.
    public var measure: String?
    /// Contribution bounds: rows per subject (per group in a cube) and groups per subject.
    public var maxRowsPerSubject = 10
    public var maxGroupsPerSubject = 4
    /// Delta for partition selection of keys not declared public.
    public var delta = 1e-6
    public var top: Int?
    /// A public time range (first and last month, `YYYY-MM`): its months become public keys of time
    /// dimensions, released without partition selection. The range must come from outside the data.
    public var months: (String, String)?
    /// An upper clamping bound the analyst chooses for measures (tighter than the schema's public
    /// bound means less noise; values above it count as the bound). Public, never read from the data.
    public var clampUpper: Double?
    public init() {}
}

extension JobRunner {
    /// DP descriptive statistics: count, and per measure sum, mean, variance, median and a 10-bin
    /// histogram over the schema's public bounds, plus the correlation of the first two measures. The
    /// job's epsilon is split evenly over the mechanisms, declared before any row is read.
    public func dpStatistics(actor: Caller, purpose: String, dataset name: String, epsilon: Double, parameters: StatisticsParameters) throws -> JobResult {
        let dataset = try declaredDataset(name, caller: actor, purpose: purpose, epsilon: epsilon)
        let measures = parameters.measures.isEmpty ? dataset.columns.filter { $0.columnClass == .measure }.map(\.name) : parameters.measures
        guard !measures.isEmpty else { throw EngineError.invalidRequest("dataset '\(name)' declares no measure columns") }
        let mechanisms = 1 + measures.count * 5 + (measures.count >= 2 ? 1 : 0)  // count; sum, mean, variance, median, histogram each; correlation
        let share = PrivacyGuarantee.pure(epsilon: BudgetSplit.evenShare(epsilon, parts: mechanisms))
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: name, columns: measures, outputMode: .dpAggregate, epsilon: epsilon,
                           kind: "stats", title: "Differentially private statistics: \(name)")
        return try runPrivate(spec) { frame, _, handle in
            var release = DPRelease()
            let bounds = try ContributionBounds(maxRowsPerSubject: parameters.maxRowsPerSubject)
            let subjects = frame.subjectIndex
            var domains: [String: NumericDomain] = [:]
            var rows: [[ReleasedCell]] = []
            var count: NoisyInteger?
            var rankError = 0.0
            for measure in measures {
                let column = try schemaColumn(frame, measure)
                guard let declared = column.bounds else { throw EngineError.invalidRequest("measure '\(measure)' has no public bounds") }
                let b = Self.clamped(declared, parameters.clampUpper)
                let domain = try NumericDomain(lower: b.lower, upper: b.upper, decimalPlaces: column.type == .decimal ? column.scale : 0)
                let values = try frame.column(measure).map { $0.numeric(scale: column.scale) }
                // Missing values are left out; the count below counts rows with a value of the first measure.
                let present = zip(subjects, values).compactMap { s, v in v.map { (s, min(max($0, b.lower), b.upper)) } }
                let bounded = try ContributionBounder.bound(subjects: present.map(\.0), values: present.map(\.1), maxRowsPerSubject: bounds.maxRowsPerSubject)
                domains[measure] = domain
                if count == nil { count = try handle.run(try CountMechanism(guarantee: share, bounds: bounds), on: bounded.rowCount) }
                let sum = try handle.run(try SumMechanism(domain: domain, guarantee: share, bounds: bounds), on: bounded)
                let mean = try handle.run(try MeanMechanism(domain: domain, guarantee: share, bounds: bounds), on: bounded)
                let variance = try handle.run(try VarianceMechanism(domain: domain, guarantee: share, bounds: bounds), on: bounded)
                let grid = (0...200).map { b.lower + (b.upper - b.lower) * Double($0) / 200 }
                let quantile = try QuantileMechanism(level: 0.5, candidates: grid, guarantee: share, bounds: bounds)
                let median = try handle.run(quantile, on: bounded)
                rankError = quantile.rankErrorBound95
                rows.append([.label(.declared(measure)), .number(ReleasedNumber(sum), decimals: 2), .number(ReleasedNumber(mean), decimals: 2),
                             .number(ReleasedNumber(variance), decimals: 2), .number(ReleasedNumber(median), decimals: 2)])
                let histogram = try HistogramMechanism.equalWidth(bins: 10, over: domain, guarantee: share, bounds: bounds)
                let bins = try handle.run(histogram, on: bounded)
                let width = (b.upper - b.lower) / 10
                let labels = (0..<10).map { ReleasedLabel.declared(String(format: "%g–%g", b.lower + Double($0) * width, b.lower + Double($0 + 1) * width)) }
                release.charts.append(ReleasedChart(kind: .bar, title: "\(public: measure): histogram (noisy counts, 95% ± \(public: bins.first?.halfWidth95 ?? 0))",
                                                    labels: labels, values: bins.map(ReleasedNumber.init)))
            }
            if let count {
                release.tables.append(ReleasedTable(
                    title: "Rows", columns: ["statistic", "rows (noisy)"], rows: [[.label(.declared("rows")), .count(ReleasedNumber(count))]],
                    selection: .publicDomain,
                    note: "Each customer contributes at most \(public: bounds.maxRowsPerSubject) rows; values are clamped to the schema's public bounds."))
            }
            release.tables.append(ReleasedTable(
                title: "Measures (value [95% interval])", columns: ["measure", "sum", "mean", "variance", "median"], rows: rows, selection: .publicDomain,
                note: "Medians by the exponential mechanism over 201 public grid points; 95% rank error ≤ \(public: String(format: "%.0f", rankError)) rows."))
            if measures.count >= 2, let dx = domains[measures[0]], let dy = domains[measures[1]] {
                // Pairs need both values in the same row.
                let xs = try frame.column(measures[0]), ys = try frame.column(measures[1])
                let cx = try schemaColumn(frame, measures[0]), cy = try schemaColumn(frame, measures[1])
                var pairSubjects: [Int32] = [], pairs: [NumericPair] = []
                for r in 0..<frame.rowCount {
                    guard let a = xs[r].numeric(scale: cx.scale), let b = ys[r].numeric(scale: cy.scale) else { continue }
                    pairSubjects.append(subjects[r])
                    pairs.append(NumericPair(x: min(max(a, dx.lower), dx.upper), y: min(max(b, dy.lower), dy.upper)))
                }
                let bounded = try ContributionBounder.bound(subjects: pairSubjects, values: pairs, maxRowsPerSubject: bounds.maxRowsPerSubject)
                let r = try handle.run(try CorrelationMechanism(xDomain: dx, yDomain: dy, guarantee: share, bounds: bounds), on: bounded)
                let statistics = r.noisyStatistics.map(ReleasedNumber.init)
                let cell: ReleasedCell = r.correlation.map {
                    correlation in .number(.derived("Pearson r from noisy sufficient statistics", from: statistics) { _ in correlation }, decimals: 3)
                } ?? .empty
                release.tables.append(ReleasedTable(title: "Correlation", columns: ["measures", "Pearson r (from noisy sufficient statistics)"],
                                                    rows: [[.label(.declared("\(measures[0]) × \(measures[1])")), cell]], selection: .publicDomain))
            }
            return release
        }
    }

    static func clamped(_ bounds: Bounds, _ upper: Double?) -> Bounds {
        guard let upper, upper > bounds.lower, upper < bounds.upper else { return bounds }
        return Bounds(lower: bounds.lower, upper: upper)
    }

    /// An OLAP-style cube: noisy counts (and sum and mean of a measure) per combination of dimension
    /// values. When every dimension has a public domain (declared categories, a public month range)
    /// every key of it is released and no delta is spent; otherwise keys are released only above
    /// the partition-selection threshold, with delta reserved and charged. Dimensions that identify a
    /// customer are refused.
    public func dpCube(actor: Caller, purpose: String, dataset name: String, epsilon: Double, parameters: StatisticsParameters) throws -> JobResult {
        let dataset = try declaredDataset(name, caller: actor, purpose: purpose, epsilon: epsilon)
        guard !parameters.dimensions.isEmpty else { throw EngineError.invalidRequest("give at least one --by dimension") }
        let columns = parameters.dimensions + (parameters.measure.map { [$0] } ?? [])
        // Keys: public when every dimension's domain is declared (categories) or given (months).
        let monthKeys = parameters.months.map { Self.monthRange($0.0, $0.1) }
        let domains = try parameters.dimensions.map { d -> [String]? in
            guard let column = dataset.column(named: d) else { throw EngineError.invalidRequest("dataset '\(name)' has no column '\(d)'") }
            return (column.type == .timestamp || column.type == .date) ? monthKeys : column.publicValues
        }
        var publicKeys: Set<String> = []
        if domains.allSatisfy({ $0 != nil }) {
            publicKeys = Set(domains.reduce([[String]]([[]])) { acc, d in acc.flatMap { p in (d ?? []).map { p + [$0] } } }
                .map { $0.joined(separator: " · ") })
        }
        let selects = publicKeys.isEmpty
        var spec = JobSpec(actor: actor, purpose: purpose, dataset: name, columns: columns, outputMode: .dpAggregate, epsilon: epsilon,
                           kind: "cube", title: "Cube: \(parameters.measure.map { "\($0) by " } ?? "rows by ")\(parameters.dimensions.joined(separator: " × "))")
        spec.delta = selects ? parameters.delta : 0
        spec.groupingColumns = parameters.dimensions
        let title = spec.title
        return try runPrivate(spec) { frame, _, handle in
            var release = DPRelease()
            let bounds = try ContributionBounds(maxRowsPerSubject: parameters.maxRowsPerSubject, maxGroupsPerSubject: parameters.maxGroupsPerSubject)
            let share = PrivacyGuarantee.pure(epsilon: BudgetSplit.evenShare(epsilon, parts: parameters.measure == nil ? 1 : 2))
            let dims = try parameters.dimensions.map { d -> (Column, [Value]) in (try schemaColumn(frame, d), try frame.column(d)) }
            var keys: [String] = []
            for r in 0..<frame.rowCount {
                keys.append(dims.map { column, values in Self.dimensionLabel(values[r], column: column) }.joined(separator: " · "))
            }
            var measureValues = [Double](repeating: 0, count: frame.rowCount)
            var domain: NumericDomain?
            if let measure = parameters.measure {
                let column = try schemaColumn(frame, measure)
                guard let declared = column.bounds else { throw EngineError.invalidRequest("measure '\(measure)' has no public bounds") }
                let b = Self.clamped(declared, parameters.clampUpper)
                domain = try NumericDomain(lower: b.lower, upper: b.upper, decimalPlaces: column.type == .decimal ? column.scale : 0)
                measureValues = try frame.column(measure).map { min(max($0.numeric(scale: column.scale) ?? 0, b.lower), b.upper) }
            }
            let grouped = try ContributionBounder.bound(subjects: frame.subjectIndex, keys: keys, values: measureValues, bounds: bounds)
            let mechanism = selects
                ? try GroupByCountMechanism<String>(guarantee: share, delta: parameters.delta, bounds: bounds)
                : try GroupByCountMechanism<String>(guarantee: share, bounds: bounds, publicDomain: publicKeys)
            let counts = try handle.run(mechanism, on: grouped.groupKeys)
            let released = counts.counts.keys.sorted()
            var sums: [String: ReleasedNumber] = [:]
            if let domain {
                sums = try handle.run(try GroupBySumMechanism<String>(domain: domain, guarantee: share, bounds: bounds),
                                      on: .init(column: grouped, keys: released)).mapValues(ReleasedNumber.init)
            }
            var ordered = released.compactMap { key in counts.counts[key].map { (key, ReleasedNumber($0)) } }
            // Largest first: by noisy sum when there is a measure, else by noisy count (post-processing).
            func weight(_ item: (String, ReleasedNumber)) -> Double { sums[item.0]?.value ?? item.1.value }
            ordered.sort { (weight($1), $0.0) < (weight($0), $1.0) }
            if let top = parameters.top { ordered = Array(ordered.prefix(top)) }
            let label: (String) -> ReleasedLabel = { selects ? .selected($0) : .declared($0) }
            let rows = ordered.map { key, count -> [ReleasedCell] in
                var row: [ReleasedCell] = [.label(label(key)), .count(count)]
                if let sum = sums[key] {
                    row.append(.number(sum, decimals: 2))
                    row.append(count.value > 0 ? .number(.derived("noisy sum / noisy count", from: [sum, count]) { $0[0] / $0[1] }, decimals: 2) : .empty)
                }
                return row
            }
            let headers = [parameters.dimensions.joined(separator: " · "), "rows (noisy)"] + (parameters.measure.map { ["sum \($0)", "mean \($0)"] } ?? [])
            let selection: RowSelection = parameters.top.map { .rankedByNoisyValue(limit: $0) }
                ?? (selects ? .partitionSelection(threshold: counts.threshold) : .publicDomain)
            release.tables.append(ReleasedTable(
                title: "\(public: title)", columns: headers, rows: rows, selection: selection,
                note: selects ? "groups not declared public are shown only when their noisy count passes \(public: counts.threshold) (δ \(public: parameters.delta))"
                    : "all declared groups shown (public domain)"))
            let chartValues = ordered.map { sums[$0.0] ?? $0.1 }
            release.charts.append(ReleasedChart(kind: .bar, title: "\(public: title)", labels: ordered.map { label($0.0) }, values: chartValues,
                                                selection: selection))
            return release
        }
    }

    /// Months from `first` to `last` inclusive, as `YYYY-MM`.
    static func monthRange(_ first: String, _ last: String) -> [String] {
        func parse(_ s: String) -> (Int, Int)? {
            let parts = s.split(separator: "-").compactMap { Int($0) }
            return parts.count == 2 && (1...12).contains(parts[1]) ? (parts[0], parts[1]) : nil
        }
        guard var (y, m) = parse(first), let (ly, lm) = parse(last), (y, m) <= (ly, lm) else { return [] }
        var out: [String] = []
        while (y, m) <= (ly, lm) && out.count < 1200 {
            out.append(String(format: "%04d-%02d", y, m))
            m += 1
            if m > 12 { m = 1; y += 1 }
        }
        return out
    }

    static func dimensionLabel(_ value: Value, column: Column) -> String {
        switch value {
        case let .timestamp(ms): return DateTruncation.month.label(forDaysSinceEpoch: (ms >= 0 ? ms : ms - 86_399_999) / 86_400_000)
        case let .date(d): return DateTruncation.month.label(forDaysSinceEpoch: Int64(d))
        case .missing: return "(missing)"
        default: return value.rendered(scale: column.scale)
        }
    }
}

/// The schema column of a frame column.
func schemaColumn(_ frame: JobFrame, _ name: String) throws -> Column {
    guard let i = frame.index(of: name) else { throw EngineError.invalidRequest("the job did not load column '\(name)'") }
    return frame.schema[i]
}
