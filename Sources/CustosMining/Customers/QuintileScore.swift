/// Rank-based quintile scores 1-5.
///
/// Rule: with `n` values, a value with `L` values strictly below it scores `1 + floor(5L / n)`
/// (`higherIsBetter`); for measures where lower is better (recency), `L` is the number of values
/// strictly above it. Tied values therefore share one score, the lower one their tie group could
/// get, and a large tie group can leave scores unused (if most subjects bought once, they all have
/// frequency score 1). Examples: values `[10, 20, 20, 30, 40]` score `[1, 2, 2, 4, 5]`; recencies
/// `[1, 5, 5, 30, 100]` (lower is better) score `[5, 3, 3, 2, 1]`.
///
/// Cost `O(n log n)`.
public enum QuintileScore {
    /// The score of each value.
    public static func scores(_ values: [Double], higherIsBetter: Bool) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let sorted = values.sorted()
        return values.map { v in
            // Number of values strictly below (or strictly above) v.
            let below = lowerBound(sorted, v)
            let above = n - upperBound(sorted, v)
            let rank = higherIsBetter ? below : above
            return 1 + (5 * rank) / n
        }
    }

    private static func lowerBound(_ a: [Double], _ v: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private static func upperBound(_ a: [Double], _ v: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
