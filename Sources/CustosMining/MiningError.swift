/// Why a mining kernel refused its input. Messages say what was wrong and what to do;
/// they never echo data values, only shapes and parameters.
public enum MiningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An item or event id was negative; ids must be dense non-negative integers.
    case negativeItemIdentifier(position: Int)
    /// A support fraction was outside (0, 1] or not finite.
    case invalidSupportFraction(Double)
    /// A minimum count below 1 was requested.
    case invalidMinimumCount(Int)
    /// A matrix or column had the wrong number of values.
    case shapeMismatch(expected: Int, actual: Int, what: String)
    /// A parameter was outside its allowed range.
    case invalidParameter(name: String, reason: String)
    /// Parallel columns (subjects, dates, amounts, ...) had different lengths.
    case columnLengthMismatch(String)
    /// Two sets of sufficient statistics cannot be merged (different shapes or shifts).
    case incompatibleStatistics(String)
    /// An itemset was too large to enumerate its rule partitions.
    case itemsetTooLargeForRules(size: Int, limit: Int)

    /// A human-readable explanation with the remedy.
    public var description: String {
        switch self {
        case .negativeItemIdentifier(let position):
            return "Item id at position \(position) is negative; recode items to non-negative Int32 ids before mining."
        case .invalidSupportFraction(let s):
            return "Support fraction \(s) is not in (0, 1]; pass a fraction such as 0.01 for 1%."
        case .invalidMinimumCount(let c):
            return "Minimum count \(c) is below 1; pass a count of at least 1."
        case .shapeMismatch(let expected, let actual, let what):
            return "\(what) has \(actual) values but \(expected) were expected; check rows x cols."
        case .invalidParameter(let name, let reason):
            return "Parameter \(name) is invalid: \(reason)."
        case .columnLengthMismatch(let detail):
            return "Input columns have different lengths (\(detail)); pass one value per event in every column."
        case .incompatibleStatistics(let detail):
            return "Statistics cannot be merged: \(detail); accumulate every shard with the same configuration."
        case .itemsetTooLargeForRules(let size, let limit):
            return "An itemset of \(size) items has too many rule partitions (limit \(limit) items); raise the support threshold or cap the itemset length."
        }
    }
}
