/// Sequences of itemsets (each subject's time-ordered events, several items per event allowed),
/// stored flat for fast scanning.
///
/// Each element (itemset) is sorted ascending without duplicates; empty elements are dropped.
public struct SequenceDatabase: Sendable, Equatable {
    /// All items, element after element.
    public let items: [Int32]
    /// `elementStarts[e] ..< elementStarts[e + 1]` are the items of element `e` (global element index).
    public let elementStarts: [Int32]
    /// `sequenceStarts[s] ..< sequenceStarts[s + 1]` are the global element indices of sequence `s`.
    public let sequenceStarts: [Int32]
    /// One more than the largest item id.
    public let itemIdBound: Int
    /// True when some element holds more than one item (itemset extensions are then possible).
    public let hasMultiItemElements: Bool

    /// Number of sequences.
    public var sequenceCount: Int { sequenceStarts.count - 1 }

    /// Builds the database from sequences of itemsets.
    /// - Throws: `MiningError.negativeItemIdentifier` for a negative item id.
    public init(sequences: [[[Int32]]]) throws {
        var items: [Int32] = []
        var elementStarts: [Int32] = [0]
        var sequenceStarts: [Int32] = [0]
        var maxItem: Int32 = -1
        var multi = false
        for sequence in sequences {
            for element in sequence {
                let sorted = Array(Set(element)).sorted()
                if sorted.isEmpty { continue }
                if sorted[0] < 0 { throw MiningError.negativeItemIdentifier(position: items.count) }
                items.append(contentsOf: sorted)
                maxItem = max(maxItem, sorted[sorted.count - 1])
                multi = multi || sorted.count > 1
                elementStarts.append(Int32(items.count))
            }
            sequenceStarts.append(Int32(elementStarts.count - 1))
        }
        self.items = items
        self.elementStarts = elementStarts
        self.sequenceStarts = sequenceStarts
        self.itemIdBound = Int(maxItem) + 1
        self.hasMultiItemElements = multi
    }

    /// Builds the database from sequences of single events (each event a one-item element),
    /// e.g. click streams or the `prefixspan` package's input.
    public init(itemSequences: [[Int32]]) throws {
        var items: [Int32] = []
        items.reserveCapacity(itemSequences.reduce(0) { $0 + $1.count })
        var sequenceStarts: [Int32] = [0]
        sequenceStarts.reserveCapacity(itemSequences.count + 1)
        var maxItem: Int32 = -1
        for sequence in itemSequences {
            for item in sequence {
                if item < 0 { throw MiningError.negativeItemIdentifier(position: items.count) }
                items.append(item)
                if item > maxItem { maxItem = item }
            }
            sequenceStarts.append(Int32(items.count))
        }
        self.items = items
        self.elementStarts = (0...items.count).map { Int32($0) }
        self.sequenceStarts = sequenceStarts
        self.itemIdBound = Int(maxItem) + 1
        self.hasMultiItemElements = false
    }
}

/// A frequent sequential pattern: an ordered list of itemsets and the number of sequences containing it.
public struct SequentialPattern: Sendable, Hashable {
    /// The pattern's elements in order, each sorted ascending.
    public let elements: [[Int32]]
    /// Number of sequences that contain the pattern (each sequence counts once).
    public let count: Int

    /// Creates a pattern.
    public init(elements: [[Int32]], count: Int) {
        self.elements = elements
        self.count = count
    }

    /// Total number of items in the pattern (the length bounded by `maxLength`).
    public var length: Int { elements.reduce(0) { $0 + $1.count } }
}
