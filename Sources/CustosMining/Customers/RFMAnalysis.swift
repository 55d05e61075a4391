/// One subject's RFM measures, scores and segment.
public struct RFMCustomer: Sendable, Equatable {
    /// The subject's index.
    public let subject: Int
    /// Days since the last purchase (R).
    public let recencyDays: Int
    /// Purchase occasions: distinct purchase days (F).
    public let frequency: Int
    /// Total amount spent (M).
    public let monetary: Double
    /// Recency score 1-5 (5 = most recent).
    public let recencyScore: Int
    /// Frequency score 1-5 (5 = most frequent).
    public let frequencyScore: Int
    /// Monetary score 1-5 (5 = highest spend).
    public let monetaryScore: Int
    /// Named segment from the R and F scores.
    public let segment: RFMSegment
}

/// Size and mean spend of one segment.
public struct RFMSegmentSummary: Sendable, Equatable {
    /// The segment.
    public let segment: RFMSegment
    /// Number of subjects in it.
    public let size: Int
    /// Mean total spend of its subjects (nil when empty).
    public let meanMonetary: Double?
}

/// The result of `RFMAnalysis.compute`.
public struct RFMResult: Sendable, Equatable {
    /// Per-subject assignments, ordered by subject.
    public let customers: [RFMCustomer]
    /// Every segment (in `RFMSegment.allCases` order) with its size and mean spend.
    public let segments: [RFMSegmentSummary]
}

/// Recency, frequency, monetary analysis.
///
/// From purchase events (subject, day, amount) and an as-of day: R = days since the last purchase,
/// F = distinct purchase days, M = total spend (events after the as-of day are ignored). Each
/// measure is scored 1-5 by `QuintileScore` (R: lower is better), subjects are named by
/// `RFMSegment` from (R, F), and segment sizes and mean spend are reported.
/// Cost `O(n log n)` in the number of events.
public enum RFMAnalysis {
    /// Runs the analysis on parallel event columns.
    public static func compute(subjects: [Int], days: [Int], amounts: [Double], asOfDay: Int) throws -> RFMResult {
        let summaries = try PurchaseSummary.compute(subjects: subjects, days: days, amounts: amounts, asOfDay: asOfDay)
        return compute(summaries: summaries, asOfDay: asOfDay)
    }

    /// Runs the analysis on per-subject summaries (e.g. merged from subject partitions).
    public static func compute(summaries: [PurchaseSummary], asOfDay: Int) -> RFMResult {
        let recency = summaries.map { Double($0.recencyDays(asOfDay: asOfDay)) }
        let frequency = summaries.map { Double($0.purchaseDays) }
        let monetary = summaries.map { $0.totalAmount }
        let r = QuintileScore.scores(recency, higherIsBetter: false)
        let f = QuintileScore.scores(frequency, higherIsBetter: true)
        let m = QuintileScore.scores(monetary, higherIsBetter: true)
        var customers: [RFMCustomer] = []
        customers.reserveCapacity(summaries.count)
        for (i, s) in summaries.enumerated() {
            customers.append(RFMCustomer(
                subject: s.subject, recencyDays: s.recencyDays(asOfDay: asOfDay), frequency: s.purchaseDays,
                monetary: s.totalAmount, recencyScore: r[i], frequencyScore: f[i], monetaryScore: m[i],
                segment: RFMSegment(recencyScore: r[i], frequencyScore: f[i])))
        }
        var sizes: [RFMSegment: Int] = [:]
        var spend: [RFMSegment: Double] = [:]
        for c in customers {
            sizes[c.segment, default: 0] += 1
            spend[c.segment, default: 0] += c.monetary
        }
        let segments = RFMSegment.allCases.map { segment in
            let size = sizes[segment] ?? 0
            return RFMSegmentSummary(
                segment: segment, size: size, meanMonetary: size == 0 ? nil : (spend[segment] ?? 0) / Double(size))
        }
        return RFMResult(customers: customers, segments: segments)
    }
}
