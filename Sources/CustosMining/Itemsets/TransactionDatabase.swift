/// One shopping basket (or session, or any transaction): the ids of the items it holds.
public typealias Basket = [Int32]

/// Baskets of dense item ids, stored flat (one item array plus offsets) for fast scanning.
///
/// Each basket is treated as a set: its items are sorted ascending and duplicates are removed.
/// Empty baskets are kept (they count towards the number of baskets `N`).
public struct TransactionDatabase: Sendable, Equatable {
    /// All items, basket after basket, each basket sorted ascending without duplicates.
    public let items: [Int32]
    /// `offsets[b] ..< offsets[b + 1]` are the positions of basket `b` in `items`.
    public let offsets: [Int]
    /// One more than the largest item id (0 when there are no items).
    public let itemIdBound: Int

    /// The number of baskets, `N`.
    public var basketCount: Int { offsets.count - 1 }

    /// Builds the database from baskets of non-negative item ids.
    /// - Throws: `MiningError.negativeItemIdentifier` if any id is negative.
    public init(baskets: [Basket]) throws {
        var items: [Int32] = []
        items.reserveCapacity(baskets.reduce(0) { $0 + $1.count })
        var offsets: [Int] = [0]
        offsets.reserveCapacity(baskets.count + 1)
        var maxItem: Int32 = -1
        var scratch: [Int32] = []
        for basket in baskets {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: basket)
            scratch.sort()
            var previous: Int32 = -1
            for item in scratch where item != previous {
                if item < 0 { throw MiningError.negativeItemIdentifier(position: items.count) }
                items.append(item)
                previous = item
                if item > maxItem { maxItem = item }
            }
            offsets.append(items.count)
        }
        self.items = items
        self.offsets = offsets
        self.itemIdBound = Int(maxItem) + 1
    }

    /// The items of basket `index`, sorted ascending.
    public func basket(_ index: Int) -> ArraySlice<Int32> {
        items[offsets[index]..<offsets[index + 1]]
    }

    /// How many baskets contain each item id (`result[id]`); the item-level sufficient statistic.
    /// Counts from disjoint shards of baskets add up element-wise.
    public func itemCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: itemIdBound)
        for item in items { counts[Int(item)] += 1 }
        return counts
    }
}
