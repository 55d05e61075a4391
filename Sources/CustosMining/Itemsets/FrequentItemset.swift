/// A set of items that occurs together in at least the minimum number of baskets.
public struct FrequentItemset: Sendable, Hashable {
    /// Item ids, sorted ascending.
    public let items: [Int32]
    /// Number of baskets containing every item of the set (absolute support).
    public let count: Int

    /// Creates an itemset; `items` are sorted ascending.
    public init(items: [Int32], count: Int) {
        self.items = items.sorted()
        self.count = count
    }

    /// Relative support: `count / basketCount`.
    public func support(basketCount: Int) -> Double {
        Double(count) / Double(basketCount)
    }
}

extension Array where Element == FrequentItemset {
    /// The itemsets in canonical order: by size, then lexicographically by items.
    public func sortedCanonically() -> [FrequentItemset] {
        sorted { a, b in
            if a.items.count != b.items.count { return a.items.count < b.items.count }
            return a.items.lexicographicallyPrecedes(b.items)
        }
    }
}
