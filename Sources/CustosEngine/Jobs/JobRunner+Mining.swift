import CustosBase
import CustosGovernance
import CustosMining
import CustosSchema
import Foundation

/// Parameters of the mining jobs, with the defaults the demo uses.
public struct MiningParameters: Sendable {
    public var asOf: CivilDate?
    public var k = 4
    public var seed: UInt64?
    public var minSupport = 0.01
    public var minConfidence = 0.3
    public var maxLength = 4
    public var maxGap: Int?
    public var steps = ["search", "view", "cart", "purchase"]
    /// Funnel window in hours.
    public var windowHours: Double?
    public var top = 20
    public init() {}
}

/// Dictionary encoding of strings (items, event types) as dense Int32 ids.
struct Vocabulary {
    private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]

    mutating func id(_ name: String) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        names.append(name)
        ids[name] = id
        return id
    }

    func id(ifKnown name: String) -> Int32? { ids[name] }
    func name(_ id: Int32) -> String { names[Int(id)] }
    func label(_ ids: [Int32]) -> String { ids.map(name).joined(separator: ", ") }
}

extension JobRunner {
    // MARK: RFM

    /// Recency, frequency and monetary value per customer, quintile scores and named segments.
    /// Pseudonymous records mode lists each pseudonymous customer; aggregate mode releases segment sizes
    /// and mean value per segment, suppressing segments below the minimum group size.
    public func mineRFM(actor: Caller, purpose: String, dataset: String = "orders", mode: OutputMode, parameters: MiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["order_time", "amount"], outputMode: mode,
                           kind: "rfm", title: "RFM segments")
        return try run(spec) { frame, decision in
            let (subjects, days, amounts) = try purchases(frame)
            let asOfDay = parameters.asOf?.daysSinceEpoch ?? (days.max() ?? 0) + 1
            var output = ReleasedOutput()
            guard !subjects.isEmpty else { output.notes.append("no purchases in scope"); return output }
            let result = try RFMAnalysis.compute(subjects: subjects, days: days, amounts: amounts, asOfDay: asOfDay)
            let k = decision.minGroupSize ?? 1
            var sizes: [(String, Int, Double?)] = []
            for summary in result.segments {
                if mode == .pseudonymousAggregate && summary.size < k { output.suppressedGroups += 1; continue }
                sizes.append((summary.segment.rawValue, summary.size, summary.meanMonetary))
            }
            output.tables.append(ResultTable(
                title: "Segments (as of \(CivilDate(daysSinceEpoch: asOfDay).iso8601))", columns: ["segment", "customers", "mean monetary"],
                rows: sizes.map { [$0.0, String($0.1), $0.2.map { String(format: "%.2f", $0) } ?? "-"] },
                note: "Quintile scores: ties share the lower score; R from days since last purchase, F from purchase days, M from total spend."))
            output.charts.append(ResultChart(kind: .bar, title: "Customers per RFM segment", labels: sizes.map(\.0), values: sizes.map { Double($0.1) }))
            if mode == .pseudonymousRecords {
                output.tables.append(ResultTable(
                    title: "Per customer (purpose-specific pseudonyms)", columns: ["pseudonym", "recency days", "frequency", "monetary", "R", "F", "M", "segment"],
                    rows: result.customers.map { c in
                        [frame.pseudonyms[c.subject], String(c.recencyDays), String(c.frequency), String(format: "%.2f", c.monetary),
                         String(c.recencyScore), String(c.frequencyScore), String(c.monetaryScore), c.segment.rawValue]
                    }))
            }
            return output
        }
    }

    /// (subject, day, amount) of each order row.
    private func purchases(_ frame: JobFrame) throws -> ([Int], [Int], [Double]) {
        let times = try frame.column("order_time"), amounts = try frame.column("amount")
        let scale = frame.schema[frame.index(of: "amount") ?? 0].scale
        var s: [Int] = [], d: [Int] = [], a: [Double] = []
        for row in 0..<frame.rowCount {
            guard case let .timestamp(ms) = times[row], let amount = amounts[row].numeric(scale: scale) else { continue }
            s.append(Int(frame.subjectIndex[row]))
            d.append(Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000))
            a.append(amount)
        }
        return (s, d, a)
    }

    // MARK: k-means

    /// k-means (k-means++ start, Lloyd) on standardised per-customer behaviour: recency, frequency,
    /// monetary value and mean basket size. Releases cluster sizes and centres (aggregate) or also each
    /// pseudonymous customer's cluster (records), with a scatter on the first two principal components.
    public func mineKMeans(actor: Caller, purpose: String, dataset: String = "orders", mode: OutputMode, parameters: MiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["order_time", "amount", "item_count"], outputMode: mode,
                           kind: "kmeans", title: "Customer clusters (k-means)")
        return try run(spec) { frame, decision in
            let (subjects, days, amounts) = try purchases(frame)
            var output = ReleasedOutput()
            let asOfDay = parameters.asOf?.daysSinceEpoch ?? (days.max() ?? 0) + 1
            let summaries = try PurchaseSummary.compute(subjects: subjects, days: days, amounts: amounts, asOfDay: asOfDay)
            let itemCounts = try frame.column("item_count")
            var basketItems = [Double](repeating: 0, count: frame.subjectCount), orders = [Double](repeating: 0, count: frame.subjectCount)
            for row in 0..<frame.rowCount {
                if let n = itemCounts[row].numeric() { basketItems[Int(frame.subjectIndex[row])] += n; orders[Int(frame.subjectIndex[row])] += 1 }
            }
            let features = ["recency days", "purchase days", "monetary", "items per order"]
            var points: [Double] = []
            var who: [Int] = []
            for s in summaries {
                points += [Double(s.recencyDays(asOfDay: asOfDay)), Double(s.purchaseDays), s.totalAmount,
                           orders[s.subject] > 0 ? basketItems[s.subject] / orders[s.subject] : 0]
                who.append(s.subject)
            }
            let rows = who.count, cols = features.count
            guard rows >= parameters.k else { output.notes.append("fewer customers than clusters"); return output }
            let standardizer = try FeatureStandardizer(points: points, rows: rows, cols: cols)
            let z = try standardizer.transform(points)
            var generator = SeedableGenerator(seed: parameters.seed ?? UInt64.random(in: 0...UInt64.max))
            let result = try KMeans.fit(points: z, rows: rows, cols: cols, k: parameters.k, using: &generator)
            let silhouette = try Silhouette.score(points: z, rows: rows, cols: cols, labels: result.labels, using: &generator)
            let minimum = decision.minGroupSize ?? 1
            var table: [[String]] = []
            for c in 0..<parameters.k {
                if mode == .pseudonymousAggregate && result.sizes[c] < minimum { output.suppressedGroups += 1; continue }
                // Centres back in the original units: mean of the cluster's members.
                var mean = [Double](repeating: 0, count: cols)
                for r in 0..<rows where result.labels[r] == Int32(c) { for j in 0..<cols { mean[j] += points[r * cols + j] } }
                table.append(["\(c + 1)", String(result.sizes[c])] + mean.map { String(format: "%.1f", $0 / Double(max(result.sizes[c], 1))) })
            }
            output.tables.append(ResultTable(title: "Clusters", columns: ["cluster", "customers"] + features.map { "mean \($0)" }, rows: table,
                                             note: String(format: "inertia %.2f (standardised units), silhouette %.3f, %d iterations", result.inertia, silhouette, result.iterations)))
            let (pc1, pc2) = PrincipalComponents.project(z, rows: rows, cols: cols)
            let shown = Array(0..<rows).filter { mode != .pseudonymousAggregate || result.sizes[Int(result.labels[$0])] >= minimum }
            output.charts.append(ResultChart(kind: .scatter, title: "Customers on the first two principal components",
                                             x: shown.map { pc1[$0] }, y: shown.map { pc2[$0] }, group: shown.map { Int(result.labels[$0]) }))
            if mode == .pseudonymousRecords {
                output.tables.append(ResultTable(title: "Cluster per customer (purpose-specific pseudonyms)", columns: ["pseudonym", "cluster"],
                                                 rows: (0..<rows).map { [frame.pseudonyms[who[$0]], String(result.labels[$0] + 1)] }))
            }
            return output
        }
    }

    // MARK: Market baskets

    /// Frequent itemsets and association rules over order baskets. Pseudonymised aggregates: an
    /// itemset or rule is released only when at least the minimum group size of distinct customers
    /// bought it.
    public func mineRules(actor: Caller, purpose: String, dataset: String = "orders", parameters: MiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["items"], outputMode: .pseudonymousAggregate,
                           kind: "rules", title: "Market baskets and association rules")
        return try run(spec) { frame, decision in
            var vocabulary = Vocabulary()
            var baskets: [Basket] = []
            var owners: [Int32] = []
            for (row, value) in try frame.column("items").enumerated() {
                guard case let .items(list) = value, !list.isEmpty else { continue }
                baskets.append(Array(Set(list.map { vocabulary.id($0) })).sorted())
                owners.append(frame.subjectIndex[row])
            }
            var output = ReleasedOutput()
            guard !baskets.isEmpty else { output.notes.append("no baskets in scope"); return output }
            let database = try TransactionDatabase(baskets: baskets)
            let itemsets = try FrequentItemsetMiner.mine(database, minSupport: parameters.minSupport, maxLength: parameters.maxLength)
            let minimum = decision.minGroupSize ?? 1
            // Distinct customers per itemset (the privacy gate counts people, not baskets).
            var customers: [[Int32]: Int] = [:]
            for itemset in itemsets {
                var seen = Set<Int32>()
                for b in 0..<baskets.count where itemset.items.allSatisfy({ baskets[b].contains($0) }) { seen.insert(owners[b]) }
                customers[itemset.items] = seen.count
            }
            let released = itemsets.filter { (customers[$0.items] ?? 0) >= minimum }
            output.suppressedGroups = itemsets.count - released.count
            let rules = try AssociationRules.generate(from: itemsets, basketCount: database.basketCount, minConfidence: parameters.minConfidence)
                .filter { (customers[($0.antecedent + $0.consequent).sorted()] ?? 0) >= minimum }
                .sorted { $0.lift > $1.lift }
            output.tables.append(ResultTable(
                title: "Association rules (min support \(parameters.minSupport), min confidence \(parameters.minConfidence))",
                columns: ["if", "then", "support", "confidence", "lift", "leverage", "conviction"],
                rows: rules.prefix(parameters.top * 5).map { r in
                    [vocabulary.label(r.antecedent), vocabulary.label(r.consequent), String(format: "%.4f", r.support),
                     String(format: "%.3f", r.confidence), String(format: "%.2f", r.lift), String(format: "%.4f", r.leverage),
                     r.conviction.isInfinite ? "inf" : String(format: "%.3f", r.conviction)]
                }))
            let top = released.filter { $0.items.count >= 2 }.sorted { $0.count > $1.count }.prefix(parameters.top)
            output.tables.append(ResultTable(title: "Most frequent item combinations", columns: ["items", "baskets", "support"],
                                             rows: top.map { [vocabulary.label($0.items), String($0.count), String(format: "%.4f", $0.support(basketCount: database.basketCount))] }))
            output.charts.append(ResultChart(kind: .bar, title: "Most frequent item combinations (baskets)", labels: top.map { vocabulary.label($0.items) },
                                             values: top.map { Double($0.count) }))
            output.notes.append("\(database.basketCount) baskets, \(itemsets.count) frequent itemsets, \(released.count) released (≥ \(minimum) customers)")
            return output
        }
    }

    // MARK: Paths and funnels

    /// Events as (subject, time, event id) with a vocabulary of event types.
    /// Shared by the exact and the DP jobs over events.
    static func eventLog(_ frame: JobFrame, vocabulary: inout Vocabulary) throws -> EventLog {
        let times = try frame.column("event_time"), types = try frame.column("event_type")
        var s: [Int] = [], t: [Int64] = [], e: [Int32] = []
        for row in 0..<frame.rowCount {
            guard case let .timestamp(ms) = times[row], case let .category(type) = types[row] else { continue }
            s.append(Int(frame.subjectIndex[row]))
            t.append(ms)
            e.append(vocabulary.id(type))
        }
        return try EventLog(subjects: s, times: t, events: e)
    }

    /// Frequent sequential patterns (PrefixSpan) over each customer's event path, and the most
    /// frequent exact paths. Counts are customers; patterns below the minimum group size are withheld.
    public func mineSequences(actor: Caller, purpose: String, dataset: String = "events", mode: OutputMode = .pseudonymousAggregate,
                              parameters: MiningParameters) throws -> JobResult {
        if mode == .pseudonymousRecords { return try pathRecords(actor: actor, purpose: purpose, dataset: dataset, parameters: parameters) }
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["event_time", "event_type"], outputMode: mode,
                           kind: "sequences", title: "Frequent event paths")
        return try run(spec) { frame, decision in
            var vocabulary = Vocabulary()
            let log = try Self.eventLog(frame, vocabulary: &vocabulary)
            var output = ReleasedOutput()
            guard log.subjectCount > 0 else { output.notes.append("no events in scope"); return output }
            let sequences = (0..<log.subjectCount).map { s in Array(log.events[log.subjectStarts[s]..<log.subjectStarts[s + 1]]) }
            let database = try SequenceDatabase(itemSequences: sequences)
            let minimum = decision.minGroupSize ?? 1
            let minCount = max(minimum, try SupportThreshold.minimumCount(fraction: parameters.minSupport, basketCount: sequences.count))
            let patterns = try PrefixSpan.mine(sequences: database, minCount: minCount, maxLength: parameters.maxLength, maxGap: parameters.maxGap)
                .sorted { ($0.count, $1.elements.count) > ($1.count, $0.elements.count) }
            func label(_ p: SequentialPattern) -> String { p.elements.map { vocabulary.label($0) }.joined(separator: " → ") }
            output.tables.append(ResultTable(title: "Sequential patterns (customers, min \(minCount))", columns: ["pattern", "customers", "share"],
                                             rows: patterns.filter { $0.elements.count >= 2 }.prefix(parameters.top).map {
                                                 [label($0), String($0.count), String(format: "%.3f", Double($0.count) / Double(sequences.count))]
                                             }))
            let paths = try FrequentPaths.top(log: log, length: min(parameters.maxLength, 4), limit: parameters.top * 2)
            let released = paths.filter { $0.count >= minimum }
            output.suppressedGroups = paths.count - released.count
            output.tables.append(ResultTable(title: "Most frequent paths of \(min(parameters.maxLength, 4)) steps (customers)", columns: ["path", "customers"],
                                             rows: released.prefix(parameters.top).map { [$0.path.map(vocabulary.name).joined(separator: " → "), String($0.count)] }))
            return output
        }
    }

    /// Funnel over ordered steps (default search → view → cart → purchase): customers reaching each
    /// step in order (within the window), step conversion and drop-off.
    public func mineFunnel(actor: Caller, purpose: String, dataset: String = "events", mode: OutputMode = .pseudonymousAggregate,
                           parameters: MiningParameters) throws -> JobResult {
        if mode == .pseudonymousRecords { return try funnelRecords(actor: actor, purpose: purpose, dataset: dataset, parameters: parameters) }
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["event_time", "event_type"], outputMode: mode,
                           kind: "funnel", title: "Funnel: " + parameters.steps.joined(separator: " → "))
        return try run(spec) { frame, decision in
            var vocabulary = Vocabulary()
            let log = try Self.eventLog(frame, vocabulary: &vocabulary)
            let steps = parameters.steps.map { vocabulary.id($0) }
            let counts = try Funnel.compute(log: log, steps: steps, window: parameters.windowHours.map { Int64($0 * 3_600_000) })
            var output = ReleasedOutput()
            let minimum = decision.minGroupSize ?? 1
            var rows: [[String]] = []
            var labels: [String] = [], values: [Double] = []
            for (i, step) in parameters.steps.enumerated() {
                let reached = counts.reached[i]
                if reached < minimum {
                    output.suppressedGroups += 1
                    rows.append([step, "< \(minimum)", "-", "-"])
                    continue
                }
                let previous = i == 0 ? counts.subjects : counts.reached[i - 1]
                let conversion = previous > 0 ? Double(reached) / Double(previous) : 0
                rows.append([step, String(reached), String(format: "%.1f%%", conversion * 100), String(format: "%.1f%%", (1 - conversion) * 100)])
                labels.append(step)
                values.append(Double(reached))
            }
            output.tables.append(ResultTable(title: "Funnel (\(counts.subjects) customers with events)", columns: ["step", "customers", "conversion", "drop-off"], rows: rows,
                                             note: parameters.windowHours.map { "each step within \($0) hours of the first" }))
            output.charts.append(ResultChart(kind: .funnel, title: "Customers reaching each step", labels: labels, values: values))
            return output
        }
    }
}

extension JobRunner {
    /// Per-customer paths as pseudonymous records (a recommendations feed, for purposes whose permit
    /// allows records): each customer's pseudonym and the first `maxLength` event types in time order.
    func pathRecords(actor: Caller, purpose: String, dataset: String, parameters: MiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["event_time", "event_type"], outputMode: .pseudonymousRecords,
                           kind: "sequences", title: "Event paths per customer (pseudonymous)")
        return try run(spec) { frame, _ in
            var vocabulary = Vocabulary()
            let log = try Self.eventLog(frame, vocabulary: &vocabulary)
            var rows: [[String]] = []
            for s in 0..<log.subjectCount {
                let events = log.events[log.subjectStarts[s]..<log.subjectStarts[s + 1]].prefix(max(parameters.maxLength, 1))
                rows.append([frame.pseudonyms[log.subjects[log.subjectStarts[s]]], events.map { vocabulary.name($0) }.joined(separator: " → ")])
            }
            var output = ReleasedOutput()
            output.tables.append(ResultTable(title: "Paths per customer", columns: ["customer (pseudonym)", "first events"], rows: rows,
                                             note: "Pseudonyms are specific to the purpose; direct identifiers never leave the vault."))
            return output
        }
    }

    /// The funnel per customer as pseudonymous records: each customer's pseudonym and the deepest
    /// step reached in order (within the window, when one is given).
    func funnelRecords(actor: Caller, purpose: String, dataset: String, parameters: MiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["event_time", "event_type"], outputMode: .pseudonymousRecords,
                           kind: "funnel", title: "Funnel per customer (pseudonymous): " + parameters.steps.joined(separator: " → "))
        return try run(spec) { frame, _ in
            var vocabulary = Vocabulary()
            let log = try Self.eventLog(frame, vocabulary: &vocabulary)
            let steps = parameters.steps.map { vocabulary.id($0) }
            let window = parameters.windowHours.map { Int64($0 * 3_600_000) }
            var rows: [[String]] = []
            for s in 0..<log.subjectCount {
                let range = log.subjectStarts[s]..<log.subjectStarts[s + 1]
                // The deepest step reached in order: the same rule as Funnel.compute, for one customer.
                let one = try EventLog(subjects: Array(repeating: 0, count: range.count), times: Array(log.times[range]), events: Array(log.events[range]))
                let depth = try Funnel.compute(log: one, steps: steps, window: window).reached.filter { $0 > 0 }.count
                rows.append([frame.pseudonyms[log.subjects[range.lowerBound]], depth == 0 ? "(none)" : parameters.steps[depth - 1], String(depth)])
            }
            var output = ReleasedOutput()
            output.tables.append(ResultTable(title: "Deepest funnel step per customer", columns: ["customer (pseudonym)", "deepest step", "steps reached"],
                                             rows: rows, note: "Pseudonyms are specific to the purpose; direct identifiers never leave the vault."))
            return output
        }
    }
}
