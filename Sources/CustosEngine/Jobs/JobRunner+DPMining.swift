import CustosBase
import CustosGovernance
import CustosMining
import CustosPrivacy
import CustosPrivateMining
import CustosSchema
import Foundation

/// Parameters of the differentially private mining jobs. Every bound, threshold and catalogue here
/// is public: chosen by the analyst before the job runs, never read from the data.
public struct DPMiningParameters: Sendable {
    /// Day recency is measured to (default: the engine's current day). Must not come from the data.
    public var asOf: CivilDate?
    /// RFM: upper limits (days since the last purchase) of recency scores 5, 4, 3 and 2; above the
    /// last limit the score is 1. Four ascending values.
    public var recencyCutoffs = [30, 90, 180, 365]
    /// RFM: upper limits (purchase days) of frequency scores 1, 2, 3 and 4; above the last limit the
    /// score is 5. Four ascending values.
    public var frequencyCutoffs = [1, 2, 3, 5]
    /// Clamping bound of one customer's total spend (RFM mean value, k-means monetary feature).
    public var monetaryBound = 20_000.0
    /// k-means: clusters, iterations and the seed of the initial centres (drawn in the public box).
    public var k = 4
    public var iterations = 5
    public var seed: UInt64?
    /// k-means: public upper bounds of recency (days) and purchase days; larger values are clamped.
    public var recencyLimitDays = 730.0
    public var purchaseDaysLimit = 50.0
    /// Rules: the public product catalogue (default p001 … p120, the synthetic generator's ids).
    /// Items outside it are ignored; the catalogue is never derived from the data.
    public var catalogue: [String] = (1...120).map { String(format: "p%03d", $0) }
    /// Rules: baskets kept per customer (the first in the order the vault returns them) and items
    /// kept per basket (the first in catalogue order).
    public var maxBasketsPerSubject = 3
    public var maxItemsPerBasket = 5
    /// Rules: pairs are counted among this many items with the highest noisy counts.
    public var candidateItems = 20
    public var minConfidence = 0.3
    /// Funnel steps (event types, in order) and an optional window from the first step, in hours.
    public var steps = ["search", "view", "cart", "purchase"]
    public var windowHours: Double?
    /// Paths: events per path and distinct paths counted per customer (the first in time order).
    public var pathLength = 3
    public var maxPathsPerSubject = 4
    /// Delta of partition selection (paths whose event types are not declared public).
    public var delta = 1e-6
    /// Rows shown in the top lists.
    public var top = 20
    public init() {}
}

extension JobRunner {
    // MARK: DP RFM

    /// Differentially private RFM segments: segment sizes and mean spend per segment.
    ///
    /// Each customer's segment is computed exactly inside the engine from fixed, public recency and
    /// frequency cut-offs, so it depends on that customer's orders only (quintile scores would
    /// depend on everyone's data: one customer more or less can move every cut-off). Budget: ε/2 to
    /// the sizes (histogram over the 11 public segment names, one row per customer, sensitivity 1),
    /// ε/2 to the spend sums (grouped sum over the same keys of each customer's total clamped to
    /// [0, monetaryBound]). Mean spend = noisy sum / noisy size, post-processing.
    public func dpRFM(actor: Caller, purpose: String, dataset: String = "orders", epsilon: Double,
                      parameters: DPMiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["order_time", "amount"], outputMode: .dpAggregate,
                           epsilon: epsilon, kind: "dp_rfm", title: "RFM segments (differentially private)")
        guard parameters.recencyCutoffs.count == 4, parameters.frequencyCutoffs.count == 4,
              parameters.recencyCutoffs == parameters.recencyCutoffs.sorted(), parameters.frequencyCutoffs == parameters.frequencyCutoffs.sorted() else {
            throw EngineError.invalidRequest("give four ascending recency cut-offs and four ascending frequency cut-offs")
        }
        let share = PrivacyGuarantee.pure(epsilon: BudgetSplit.evenShare(epsilon, parts: 2))
        let asOfDay = parameters.asOf?.daysSinceEpoch ?? Self.currentDay(clock())
        return try runPrivate(spec) { frame, _, handle in
            let (subjects, days, amounts) = try Self.orderColumns(frame)
            let summaries = try PurchaseSummary.compute(subjects: subjects, days: days, amounts: amounts, asOfDay: asOfDay)
            let segments = RFMSegment.allCases
            let index = Dictionary(uniqueKeysWithValues: segments.enumerated().map { ($1, $0) })
            var labels: [Double] = [], keys: [String] = [], spend: [Double] = []
            for s in summaries {
                let segment = Self.fixedSegment(recencyDays: s.recencyDays(asOfDay: asOfDay), purchaseDays: s.purchaseDays, parameters: parameters)
                labels.append(Double(index[segment] ?? 0))
                keys.append(segment.rawValue)
                spend.append(min(max(s.totalAmount, 0), parameters.monetaryBound))
            }
            // One row per customer: PurchaseSummary yields exactly one summary per subject.
            let histogram = try HistogramMechanism(edges: (0...segments.count).map(Double.init), guarantee: share)
            let sizes = try handle.run(histogram, on: .oneRowPerSubject(labels)).map(ReleasedNumber.init)
            let domain = try NumericDomain(lower: 0, upper: parameters.monetaryBound, decimalPlaces: 2)
            let sums = try handle.run(try GroupBySumMechanism<String>(domain: domain, guarantee: share, bounds: .oneRowPerSubject),
                                      on: .init(column: .oneRowPerSubject(keys: keys, values: spend), keys: segments.map(\.rawValue)))
            var release = DPRelease()
            var rows: [[ReleasedCell]] = []
            for (i, segment) in segments.enumerated() {
                let size = sizes[i]
                let sum = sums[segment.rawValue].map(ReleasedNumber.init)
                let mean: ReleasedCell = sum.map { sum in
                    size.value > 0 ? .number(.derived("noisy spend / noisy customers", from: [sum, size]) { max($0[0], 0) / $0[1] }, decimals: 2) : .empty
                } ?? .empty
                rows.append([.label(.declared(segment.rawValue)), .count(size), sum.map { .number($0, decimals: 2) } ?? .empty, mean])
            }
            let cutoffs = parameters.recencyCutoffs.map(String.init).joined(separator: "/")
            let frequency = parameters.frequencyCutoffs.map(String.init).joined(separator: "/")
            release.tables.append(ReleasedTable(
                title: "Segments (as of \(public: CivilDate(daysSinceEpoch: asOfDay).iso8601), noisy)",
                columns: ["segment", "customers", "total spend", "mean spend"], rows: rows, selection: .publicDomain,
                note: "Scores from fixed public cut-offs, so each customer's segment depends on that customer alone: R 5…2 for recency ≤ \(public: cutoffs) days, F 1…4 for purchase days ≤ \(public: frequency). Spend clamped to [0, \(public: parameters.monetaryBound)]; mean = noisy total / noisy customers."))
            release.charts.append(ReleasedChart(kind: .bar, title: "Customers per RFM segment (noisy)",
                                                labels: segments.map { .declared($0.rawValue) }, values: sizes))
            release.notes.append("budget: ε/2 segment sizes, ε/2 spend per segment")
            return release
        }
    }

    /// The RFM segment from fixed public cut-offs (a function of one customer's own orders).
    static func fixedSegment(recencyDays: Int, purchaseDays: Int, parameters: DPMiningParameters) -> RFMSegment {
        let r = 5 - parameters.recencyCutoffs.filter { recencyDays > $0 }.count
        let f = 1 + parameters.frequencyCutoffs.filter { purchaseDays > $0 }.count
        return RFMSegment(recencyScore: r, frequencyScore: f)
    }

    static func currentDay(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// (subject, day, amount) of each order row with a time and an amount.
    static func orderColumns(_ frame: JobFrame) throws -> ([Int], [Int], [Double]) {
        let times = try frame.column("order_time"), amounts = try frame.column("amount")
        let scale = try schemaColumn(frame, "amount").scale
        var s: [Int] = [], d: [Int] = [], a: [Double] = []
        for row in 0..<frame.rowCount {
            guard case let .timestamp(ms) = times[row], let amount = amounts[row].numeric(scale: scale) else { continue }
            s.append(Int(frame.subjectIndex[row]))
            d.append(Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000))
            a.append(amount)
        }
        return (s, d, a)
    }

    // MARK: DP k-means

    /// Differentially private k-means (Su et al. 2016; as diffprivlib): per-customer features
    /// (recency days, purchase days, total spend, items per order) clamped to public bounds and
    /// scaled to [-1, 1] with those bounds (never with data statistics); initial centres drawn from
    /// the seed inside the public box; `iterations` Lloyd steps, each with ε/T: half to the noisy
    /// cluster sizes (histogram of labels, one point per customer, sensitivity 1), half split evenly
    /// over the per-feature noisy coordinate sums (sensitivity 1 per feature: one point moves one
    /// cluster's sum by at most 1 in each coordinate). Releases the final centres and noisy sizes.
    public func dpKMeans(actor: Caller, purpose: String, dataset: String = "orders", epsilon: Double,
                         parameters: DPMiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["order_time", "amount", "item_count"], outputMode: .dpAggregate,
                           epsilon: epsilon, kind: "dp_kmeans", title: "Customer clusters (differentially private k-means)")
        guard parameters.k >= 1, parameters.k <= 64, parameters.iterations >= 1, parameters.iterations <= 50 else {
            throw EngineError.invalidRequest("k must be 1…64 and iterations 1…50")
        }
        let asOfDay = parameters.asOf?.daysSinceEpoch ?? Self.currentDay(clock())
        let seed = parameters.seed ?? UInt64.random(in: 0...UInt64.max)
        return try runPrivate(spec) { frame, _, handle in
            let (subjects, days, amounts) = try Self.orderColumns(frame)
            let summaries = try PurchaseSummary.compute(subjects: subjects, days: days, amounts: amounts, asOfDay: asOfDay)
            let itemBounds = try schemaColumn(frame, "item_count").bounds ?? Bounds(lower: 0, upper: 50)
            var items = [Double](repeating: 0, count: frame.subjectCount), orders = items
            for (row, value) in try frame.column("item_count").enumerated() {
                if let n = value.numeric() { items[Int(frame.subjectIndex[row])] += n; orders[Int(frame.subjectIndex[row])] += 1 }
            }
            let features = ["recency days", "purchase days", "total spend", "items per order"]
            let box: [(Double, Double)] = [(0, parameters.recencyLimitDays), (0, parameters.purchaseDaysLimit), (0, parameters.monetaryBound),
                                           (itemBounds.lower, itemBounds.upper)]
            var points: [Double] = []
            for s in summaries {
                let raw = [Double(s.recencyDays(asOfDay: asOfDay)), Double(s.purchaseDays), s.totalAmount,
                           orders[s.subject] > 0 ? items[s.subject] / orders[s.subject] : itemBounds.lower]
                points += zip(raw, box).map { x, b in Self.toUnitBox(x, b) }
            }
            // The start is public: drawn from the seed inside the box, never from the data.
            var generator = SeedableGenerator(seed: seed)
            let start = (0..<(parameters.k * features.count)).map { _ in Double.random(in: -1...1, using: &generator) }
            let kmeans = try PrivateKMeans(k: parameters.k, dimensions: features.count, iterations: parameters.iterations, epsilon: epsilon,
                                           initialCentres: start)
            let result = try kmeans.run(points: points, handle: handle)
            var release = DPRelease()
            var rows: [[ReleasedCell]] = []
            let sizes = result.sizes.map(ReleasedNumber.init)
            for c in 0..<parameters.k {
                // Centres are noisy sums over noisy sizes, iterated from a public seed: post-processing.
                let centre = (0..<features.count).map { j in
                    ReleasedCell.number(.derived("noisy Lloyd step", from: sizes) { _ in Self.fromUnitBox(result.centres[c * features.count + j], box[j]) },
                                        decimals: 1)
                }
                rows.append([.label(.declared("\(c + 1)")), .count(sizes[c])] + centre)
            }
            release.tables.append(ReleasedTable(
                title: "Clusters (noisy)", columns: ["cluster", "customers"] + features.map { "centre \($0)" }, rows: rows, selection: .publicDomain,
                note: "Features clamped to public bounds (recency ≤ \(public: parameters.recencyLimitDays) days, purchase days ≤ \(public: parameters.purchaseDaysLimit), spend ≤ \(public: parameters.monetaryBound), items per order \(public: itemBounds.lower)–\(public: itemBounds.upper)) and scaled with them; \(public: parameters.iterations) noisy Lloyd steps from seeded centres in the public box; sizes are the last step's noisy counts."))
            release.charts.append(ReleasedChart(kind: .bar, title: "Customers per cluster (noisy)",
                                                labels: (1...parameters.k).map { .declared("cluster \($0)") }, values: sizes))
            release.notes.append("budget: ε/\(public: parameters.iterations) per iteration, half to cluster sizes, half to coordinate sums (ε/\(public: 2 * parameters.iterations * features.count) per feature)")
            return release
        }
    }

    /// `x` clamped to `[lo, hi]` and mapped linearly onto [-1, 1].
    static func toUnitBox(_ x: Double, _ bounds: (Double, Double)) -> Double {
        let (lo, hi) = bounds
        guard hi > lo else { return 0 }
        return 2 * (min(max(x, lo), hi) - lo) / (hi - lo) - 1
    }

    /// The inverse of ``toUnitBox``.
    static func fromUnitBox(_ z: Double, _ bounds: (Double, Double)) -> Double {
        bounds.0 + (z + 1) / 2 * (bounds.1 - bounds.0)
    }

    // MARK: DP association rules

    /// Differentially private frequent pairs and association rules over a public product catalogue.
    ///
    /// Each customer keeps at most `maxBasketsPerSubject` baskets (B), each reduced to its first
    /// `maxItemsPerBasket` catalogue items (M). Budget: ε/10 to the noisy basket count (sensitivity
    /// B), 3ε/10 to noisy counts of every catalogue item (sensitivity B·M), 6ε/10 to noisy counts of
    /// every pair among the `candidateItems` items with the highest noisy counts (sensitivity
    /// B·M(M−1)/2; choosing candidates from released counts is post-processing). Ranking, the
    /// significance flag (above the Bonferroni 95% bound of the largest noise over all candidate
    /// pairs) and confidence and lift are post-processing of noisy counts.
    public func dpRules(actor: Caller, purpose: String, dataset: String = "orders", epsilon: Double,
                        parameters: DPMiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["items"], outputMode: .dpAggregate, epsilon: epsilon,
                           kind: "dp_rules", title: "Market baskets and association rules (differentially private)")
        let catalogue = parameters.catalogue
        guard catalogue.count >= 2, Set(catalogue).count == catalogue.count, catalogue.count <= 2_000 else {
            throw EngineError.invalidRequest("the public catalogue needs 2…2000 distinct product ids")
        }
        let b = parameters.maxBasketsPerSubject, m = parameters.maxItemsPerBasket
        guard (1...100).contains(b), (2...30).contains(m) else { throw EngineError.invalidRequest("baskets per customer must be 1…100 and items per basket 2…30") }
        let counter = try PrivatePairCounts(catalogueSize: catalogue.count, maxBasketsPerSubject: b, maxItemsPerBasket: m,
                                            candidateItems: parameters.candidateItems, epsilon: epsilon)
        return try runPrivate(spec) { frame, _, handle in
            var owners: [Int32] = [], lists: [[String]] = []
            for (row, value) in try frame.column("items").enumerated() {
                guard case let .items(list) = value else { continue }
                owners.append(frame.subjectIndex[row])
                lists.append(list)
            }
            let counts = try counter.run(owners: owners, baskets: lists, catalogue: catalogue, handle: handle)
            let (basketCount, itemCounts, cut) = (counts.baskets, counts.items, counts.significanceCut)
            let c = counts.candidates.count, pairs = c * (c - 1) / 2, n = catalogue.count
            let pairList = counts.pairs.sorted { ($0.2.value, $1.0, $1.1) > ($1.2.value, $0.0, $0.1) }
            let shown = pairList.prefix(parameters.top)
            let baskets = ReleasedNumber(basketCount)
            let items = itemCounts.map(ReleasedNumber.init)
            var release = DPRelease()
            release.tables.append(ReleasedTable(
                title: "Most frequent pairs (noisy baskets)", columns: ["items", "baskets", "support", "significant"],
                rows: shown.map { a, b, count in
                    let joint = ReleasedNumber(count)
                    return [.label(.declared("\(catalogue[a]), \(catalogue[b])")), .count(joint),
                            .number(.derived("noisy pair count / noisy baskets", from: [joint, baskets]) { $0[0] / max($0[1], 1) }, decimals: 4),
                            .derivedVerdict(count.value > cut ? "yes" : "no", from: [joint], how: "noisy count above the public bound")]
                },
                selection: .rankedByNoisyValue(limit: parameters.top),
                note: "Pairs among the \(public: c) items with the highest noisy counts, ranked by noisy count; \"significant\" when above \(public: cut), the 95% bound of the largest noise over all \(public: pairs) candidate pairs (then the pair was bought at least once)."))
            var ranked: [(Double, [ReleasedCell])] = []
            for (a, b, jointCount) in shown {
                let joint = ReleasedNumber(jointCount)
                for (x, y) in [(a, b), (b, a)] {
                    let confidence = ReleasedNumber.derived("noisy pair count / noisy item count", from: [joint, items[x]]) { min($0[0] / max($0[1], 1), 1) }
                    guard confidence.value >= parameters.minConfidence else { continue }
                    let lift = ReleasedNumber.derived("confidence / (noisy item count / noisy baskets)", from: [confidence, items[y], baskets]) {
                        $0[0] / (max($0[1], 1) / max($0[2], 1))
                    }
                    ranked.append((lift.value, [.label(.declared(catalogue[x])), .label(.declared(catalogue[y])),
                                                .number(.derived("noisy pair count / noisy baskets", from: [joint, baskets]) { $0[0] / max($0[1], 1) }, decimals: 4),
                                                .number(confidence, decimals: 3), .number(lift, decimals: 2)]))
                }
            }
            release.tables.append(ReleasedTable(
                title: "Association rules from noisy counts (min confidence \(public: parameters.minConfidence))",
                columns: ["if", "then", "support", "confidence", "lift"], rows: ranked.sorted { $0.0 > $1.0 }.map(\.1),
                selection: .rankedByNoisyValue(limit: 2 * parameters.top),
                note: "Confidence and lift are ratios of noisy counts (post-processing); noisy baskets \(baskets)."))
            let topItems = (0..<n).sorted { (itemCounts[$0].value, $1) > (itemCounts[$1].value, $0) }.prefix(parameters.top)
            release.tables.append(ReleasedTable(title: "Most frequent items (noisy baskets)", columns: ["item", "baskets"],
                                                rows: topItems.map { [.label(.declared(catalogue[$0])), .count(items[$0])] },
                                                selection: .rankedByNoisyValue(limit: parameters.top)))
            release.charts.append(ReleasedChart(kind: .bar, title: "Most frequent pairs (noisy baskets)",
                                                labels: shown.map { .declared("\(catalogue[$0.0]), \(catalogue[$0.1])") },
                                                values: shown.map { ReleasedNumber($0.2) }, selection: .rankedByNoisyValue(limit: parameters.top)))
            release.notes.append("budget: ε/10 basket count, 3ε/10 item counts, 6ε/10 pair counts among the top \(public: c) items; ≤ \(public: b) baskets per customer, ≤ \(public: m) items per basket")
            return release
        }
    }

    // MARK: DP funnel and paths

    /// Differentially private funnel. Each customer reaches a depth 0…S (the steps reached in
    /// order form a prefix), so the whole ε goes to one histogram of depths, one row per customer
    /// (sensitivity 1). Customers reaching step i = the sum of the noisy depth bins above i; its 95%
    /// half-width is computed exactly from the convolution of the bins' noise. Conversion is the
    /// ratio of noisy counts (post-processing).
    public func dpFunnel(actor: Caller, purpose: String, dataset: String = "events", epsilon: Double,
                         parameters: DPMiningParameters) throws -> JobResult {
        let spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["event_time", "event_type"], outputMode: .dpAggregate,
                           epsilon: epsilon, kind: "dp_funnel", title: "Funnel (differentially private): " + parameters.steps.joined(separator: " → "))
        guard !parameters.steps.isEmpty, parameters.steps.count <= 16 else { throw EngineError.invalidRequest("give 1…16 funnel steps") }
        let funnelMechanism = try PrivateFunnel(steps: parameters.steps.count, epsilon: epsilon)
        return try runPrivate(spec) { frame, _, handle in
            var vocabulary = Vocabulary()
            let log = try Self.eventLog(frame, vocabulary: &vocabulary)
            let steps = parameters.steps.map { vocabulary.id($0) }
            let exact = try Funnel.compute(log: log, steps: steps, window: parameters.windowHours.map { Int64($0 * 3_600_000) })
            let funnel = try funnelMechanism.run(depths: PrivateFunnel.depths(subjects: exact.subjects, reached: exact.reached), handle: handle)
            let bins = funnel.bins.map(ReleasedNumber.init)
            let s = steps.count
            var release = DPRelease()
            var rows: [[ReleasedCell]] = []
            var reached: [ReleasedNumber] = []
            for i in 0..<s {
                // Customers reaching step i: the noisy depth bins above i, summed; the interval from the exact convolution.
                let half = Double(funnel.reachedHalfWidth95[i])
                let sum = ReleasedNumber.derived("sum of noisy depth bins", from: Array(bins[(i + 1)...])) { $0.reduce(0, +) }
                let value = sum.withInterval(sum.value - half, sum.value + half)
                let previous = i == 0 ? ReleasedNumber.derived("sum of noisy depth bins", from: bins) { $0.reduce(0, +) } : reached[i - 1]
                reached.append(value)
                let conversion: ReleasedCell = previous.value > 0
                    ? .number(.derived("ratio of noisy counts", from: [value, previous]) { max($0[0], 0) / $0[1] * 100 }, decimals: 1) : .empty
                rows.append([.label(.declared(parameters.steps[i])), .count(value), conversion])
            }
            let window: ReleaseText = parameters.windowHours.map { ", each step within \(public: $0) hours of the first" } ?? ""
            release.tables.append(ReleasedTable(
                title: "Funnel (noisy customers)", columns: ["step", "customers", "conversion %"], rows: rows, selection: .publicDomain,
                note: "Customers counted once at their deepest step; counts are sums of noisy depth bins\(window)."))
            release.charts.append(ReleasedChart(kind: .funnel, title: "Customers reaching each step (noisy)",
                                                labels: parameters.steps.map { .declared($0) }, values: reached))
            release.notes.append("budget: ε to one histogram of funnel depths (sensitivity 1)")
            return release
        }
    }

    /// Differentially private most frequent paths of `pathLength` consecutive events. Each customer
    /// counts once per path, in at most `maxPathsPerSubject` distinct paths (the first in time
    /// order): a group-by count with L0 = that bound, L∞ = 1, taking the whole ε. When the event
    /// types are declared public and there are at most 4096 paths, every path is a public key;
    /// otherwise paths are released only above the partition-selection threshold (δ charged).
    public func dpSequences(actor: Caller, purpose: String, dataset: String = "events", epsilon: Double,
                            parameters: DPMiningParameters) throws -> JobResult {
        var spec = JobSpec(actor: actor, purpose: purpose, dataset: dataset, columns: ["event_time", "event_type"], outputMode: .dpAggregate,
                           epsilon: epsilon, kind: "dp_sequences", title: "Frequent event paths (differentially private)")
        guard (1...8).contains(parameters.pathLength), (1...1024).contains(parameters.maxPathsPerSubject) else {
            throw EngineError.invalidRequest("path length must be 1…8 and paths per customer 1…1024")
        }
        // Paths over declared event types form a public domain (no partition selection, no delta)
        // when there are few enough of them to list.
        var publicPaths = Set<String>()
        if let types = try declaredDataset(dataset, caller: actor, purpose: purpose, epsilon: epsilon).column(named: "event_type")?.publicValues,
           pow(Double(types.count), Double(parameters.pathLength)) <= 4096 {
            publicPaths = Set((0..<parameters.pathLength).reduce([[String]]([[]])) { acc, _ in acc.flatMap { p in types.map { p + [$0] } } }
                .map { $0.joined(separator: " → ") })
        }
        spec.delta = publicPaths.isEmpty ? parameters.delta : 0
        let share = PrivacyGuarantee.pure(epsilon: BudgetSplit.evenShare(epsilon, parts: 1))
        return try runPrivate(spec) { frame, _, handle in
            var vocabulary = Vocabulary()
            let log = try Self.eventLog(frame, vocabulary: &vocabulary)
            let length = parameters.pathLength
            var owners: [Int] = [], keys: [String] = []
            var seen = Set<String>()
            for s in 0..<log.subjectCount {
                let begin = log.subjectStarts[s], end = log.subjectStarts[s + 1]
                guard end - begin >= length else { continue }
                seen.removeAll(keepingCapacity: true)
                for start in begin...(end - length) {
                    let key = log.events[start..<(start + length)].map { vocabulary.name($0) }.joined(separator: " → ")
                    if seen.insert(key).inserted { owners.append(s); keys.append(key) }
                }
            }
            let bounds = try ContributionBounds(maxRowsPerSubject: 1, maxGroupsPerSubject: parameters.maxPathsPerSubject)
            let grouped = try ContributionBounder.bound(subjects: owners, keys: keys, values: Array(repeating: 0, count: keys.count), bounds: bounds)
            let mechanism = publicPaths.isEmpty
                ? try GroupByCountMechanism<String>(guarantee: share, delta: parameters.delta, bounds: bounds)
                : try GroupByCountMechanism<String>(guarantee: share, bounds: bounds, publicDomain: publicPaths)
            let counts = try handle.run(mechanism, on: grouped.groupKeys)
            let ranked = counts.counts.sorted { ($0.value.value, $1.key) > ($1.value.value, $0.key) }.prefix(parameters.top)
            let label: (String) -> ReleasedLabel = { publicPaths.isEmpty ? .selected($0) : .declared($0) }
            var release = DPRelease()
            let how: ReleaseText = publicPaths.isEmpty
                ? "paths shown only when their noisy count reaches \(public: counts.threshold) (δ \(public: parameters.delta)); "
                : "all \(public: publicPaths.count) paths over the public event types are noised; "
            release.tables.append(ReleasedTable(
                title: "Most frequent paths of \(public: length) events (noisy customers)", columns: ["path", "customers"],
                rows: ranked.map { [.label(label($0.key)), .count(ReleasedNumber($0.value))] }, selection: .rankedByNoisyValue(limit: parameters.top),
                note: how + "each customer counts once per path, in at most \(public: parameters.maxPathsPerSubject) paths"))
            release.charts.append(ReleasedChart(kind: .bar, title: "Most frequent paths (noisy customers)", labels: ranked.map { label($0.key) },
                                                values: ranked.map { ReleasedNumber($0.value) }, selection: .rankedByNoisyValue(limit: parameters.top)))
            release.notes.append("budget: ε to one group-by count over paths (L0 \(public: parameters.maxPathsPerSubject), L∞ 1)")
            return release
        }
    }
}
