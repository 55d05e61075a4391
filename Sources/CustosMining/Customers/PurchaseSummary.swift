/// One subject's purchase history reduced to sufficient statistics.
///
/// Purchases on the same day form one purchase occasion (as `lifetimes` aggregates by day).
/// Mapping to `lifetimes.utils.summary_data_from_transaction_data(freq="D")`:
/// `frequency = purchaseDays - 1` (repeat purchases), `recency = lastDay - firstDay`,
/// `T = asOfDay - firstDay`, `monetary_value = (totalAmount - firstDayAmount) / (purchaseDays - 1)`
/// (0 without repeat purchases).
public struct PurchaseSummary: Sendable, Equatable {
    /// The subject's index.
    public let subject: Int
    /// Day number of the first purchase.
    public let firstDay: Int
    /// Day number of the last purchase.
    public let lastDay: Int
    /// Distinct days with a purchase (purchase occasions).
    public let purchaseDays: Int
    /// Purchase events (transactions).
    public let transactions: Int
    /// Total amount spent.
    public let totalAmount: Double
    /// Amount spent on the first purchase day.
    public let firstDayAmount: Double

    /// Repeat purchase occasions (`lifetimes` frequency).
    public var repeatPurchases: Int { purchaseDays - 1 }
    /// Days between first and last purchase (`lifetimes` recency).
    public var activeSpanDays: Int { lastDay - firstDay }
    /// Days from the first purchase to `asOfDay` (`lifetimes` T).
    public func ageDays(asOfDay: Int) -> Int { asOfDay - firstDay }
    /// Days from the last purchase to `asOfDay` (the R of RFM).
    public func recencyDays(asOfDay: Int) -> Int { asOfDay - lastDay }
    /// Mean amount per repeat purchase day (`lifetimes` monetary_value), 0 without repeats.
    public var repeatMonetaryValue: Double {
        purchaseDays > 1 ? (totalAmount - firstDayAmount) / Double(purchaseDays - 1) : 0
    }

    /// Summaries of every subject with a purchase on or before `asOfDay`, ordered by subject.
    /// Events after `asOfDay` are ignored.
    /// - Throws: `MiningError.columnLengthMismatch` if the columns differ in length.
    public static func compute(subjects: [Int], days: [Int], amounts: [Double], asOfDay: Int) throws -> [PurchaseSummary] {
        guard subjects.count == days.count, days.count == amounts.count else {
            throw MiningError.columnLengthMismatch("subjects \(subjects.count), days \(days.count), amounts \(amounts.count)")
        }
        let order = subjects.indices.filter { days[$0] <= asOfDay }.sorted { a, b in
            subjects[a] != subjects[b] ? subjects[a] < subjects[b] : (days[a] != days[b] ? days[a] < days[b] : a < b)
        }
        var result: [PurchaseSummary] = []
        var i = 0
        while i < order.count {
            let subject = subjects[order[i]]
            var j = i
            var distinct = 0, total = 0.0, first = 0.0
            let firstDay = days[order[i]]
            var previousDay = Int.min
            while j < order.count && subjects[order[j]] == subject {
                let e = order[j]
                if days[e] != previousDay {
                    distinct += 1
                    previousDay = days[e]
                }
                if days[e] == firstDay { first += amounts[e] }
                total += amounts[e]
                j += 1
            }
            result.append(PurchaseSummary(
                subject: subject, firstDay: firstDay, lastDay: previousDay, purchaseDays: distinct,
                transactions: j - i, totalAmount: total, firstDayAmount: first))
            i = j
        }
        return result
    }
}
