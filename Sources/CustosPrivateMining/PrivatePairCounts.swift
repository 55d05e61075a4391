import CustosPrivacy

/// Differentially private item and pair counts over a public product catalogue, for frequent pairs
/// and association rules.
///
/// Each customer keeps at most B baskets, each reduced to its first M catalogue items (in catalogue
/// order). Cost ε, split 1/10 to the noisy basket count (sensitivity B), 3/10 to noisy counts of
/// every catalogue item (sensitivity B·M) and 6/10 to noisy counts of every pair among the
/// `candidateItems` items with the highest noisy counts (sensitivity B·M(M−1)/2); choosing the
/// candidates from released counts is post-processing.
public struct PrivatePairCounts: Sendable {
    public let catalogueSize: Int
    public let maxBasketsPerSubject: Int
    public let maxItemsPerBasket: Int
    public let candidateItems: Int
    public let epsilon: Double

    /// What is released: the noisy basket count, a noisy count per catalogue item, the candidate
    /// items (catalogue indices, ascending), a noisy count per candidate pair, and the 95% bound of
    /// the largest pair noise (a pair above it was bought at least once, with 95% confidence).
    public struct Result: Sendable {
        public let baskets: NoisyInteger
        public let items: [NoisyInteger]
        public let candidates: [Int]
        public let pairs: [(Int, Int, NoisyInteger)]
        public let significanceCut: Int64
    }

    public init(catalogueSize: Int, maxBasketsPerSubject: Int, maxItemsPerBasket: Int, candidateItems: Int, epsilon: Double) throws {
        guard catalogueSize >= 2, (1...100).contains(maxBasketsPerSubject), (2...30).contains(maxItemsPerBasket), candidateItems >= 2 else {
            throw PrivacyError.invalidParameter("the catalogue needs 2 items or more, baskets per customer 1…100, items per basket 2…30")
        }
        guard epsilon.isFinite, epsilon > 0 else { throw PrivacyError.invalidParameter("epsilon must be a positive number") }
        self.catalogueSize = catalogueSize
        self.maxBasketsPerSubject = maxBasketsPerSubject
        self.maxItemsPerBasket = maxItemsPerBasket
        self.candidateItems = candidateItems
        self.epsilon = epsilon
    }

    /// The whole privacy cost, known before any data is read.
    public var cost: PrivacyCost { PrivacyCost(epsilon: epsilon) }

    /// Position of the pair `a < c` among all pairs of `n` items (row-major upper triangle).
    public static func pairIndex(_ a: Int, _ c: Int, _ n: Int) -> Int { a * (2 * n - a - 1) / 2 + (c - a - 1) }

    /// Baskets reduced to catalogue indices: each owner's first B non-empty baskets (input order),
    /// each its distinct catalogue items in catalogue order, first M. Items outside the catalogue are ignored.
    public func bound(owners: [Int32], baskets: [[String]], catalogue: [String]) -> (owners: [Int32], baskets: [[Int]]) {
        let index = Dictionary(catalogue.enumerated().map { ($1, $0) }) { first, _ in first }
        var used: [Int32: Int] = [:]
        var keptOwners: [Int32] = [], kept: [[Int]] = []
        for (owner, list) in zip(owners, baskets) {
            let basket = Array(Set(list.compactMap { index[$0] }).sorted().prefix(maxItemsPerBasket))
            guard !basket.isEmpty, used[owner, default: 0] < maxBasketsPerSubject else { continue }
            used[owner, default: 0] += 1
            keptOwners.append(owner)
            kept.append(basket)
        }
        return (keptOwners, kept)
    }

    /// Bounds the baskets and releases the three counts through `handle`.
    public func run(owners: [Int32], baskets: [[String]], catalogue: [String], handle: PrivacyHandle) throws -> Result {
        guard catalogue.count == catalogueSize else { throw PrivacyError.invalidParameter("the catalogue has \(catalogue.count) items, not \(catalogueSize)") }
        let b = maxBasketsPerSubject, m = maxItemsPerBasket, n = catalogueSize
        let part = BudgetSplit.evenShare(epsilon, parts: 10)
        let bounded = bound(owners: owners, baskets: baskets, catalogue: catalogue)
        var itemOwners: [Int32] = [], itemRows: [Double] = []
        for (owner, basket) in zip(bounded.owners, bounded.baskets) { for a in basket { itemOwners.append(owner); itemRows.append(Double(a)) } }
        // The bounder re-checks the per-customer row bounds the sensitivities assume.
        let basketRows = try ContributionBounder.bound(subjects: bounded.owners, values: bounded.owners, maxRowsPerSubject: b)
        let itemColumn = try ContributionBounder.bound(subjects: itemOwners, values: itemRows, maxRowsPerSubject: b * m)
        let basketCount = try handle.run(try CountMechanism(guarantee: .pure(epsilon: part), bounds: try ContributionBounds(maxRowsPerSubject: b)),
                                         on: basketRows.rowCount)
        let itemCounts = try handle.run(try HistogramMechanism(edges: (0...n).map(Double.init), guarantee: .pure(epsilon: 3 * part),
                                                               bounds: try ContributionBounds(maxRowsPerSubject: b * m)), on: itemColumn)
        let candidates = (0..<n).sorted { (itemCounts[$0].value, $1) > (itemCounts[$1].value, $0) }.prefix(min(candidateItems, n)).sorted()
        let position = Dictionary(uniqueKeysWithValues: candidates.enumerated().map { ($1, $0) })
        let c = candidates.count, pairs = c * (c - 1) / 2
        var pairOwners: [Int32] = [], pairRows: [Double] = []
        for (owner, basket) in zip(bounded.owners, bounded.baskets) {
            let kept = basket.compactMap { position[$0] }
            for (x, a) in kept.enumerated() { for y in kept[(x + 1)...] { pairOwners.append(owner); pairRows.append(Double(Self.pairIndex(a, y, c))) } }
        }
        let perSubject = b * m * (m - 1) / 2
        let pairColumn = try ContributionBounder.bound(subjects: pairOwners, values: pairRows, maxRowsPerSubject: perSubject)
        let pairCounts = try handle.run(try HistogramMechanism(edges: (0...max(pairs, 1)).map(Double.init), guarantee: .pure(epsilon: 6 * part),
                                                               bounds: try ContributionBounds(maxRowsPerSubject: perSubject)), on: pairColumn)
        let cut = pairCounts.first?.noise.halfWidth(confidence: 1 - 0.05 / Double(max(pairs, 1))) ?? 0
        var list: [(Int, Int, NoisyInteger)] = []
        for x in 0..<c { for y in (x + 1)..<c { list.append((candidates[x], candidates[y], pairCounts[Self.pairIndex(x, y, c)])) } }
        return Result(baskets: basketCount, items: itemCounts, candidates: Array(candidates), pairs: list, significanceCut: cut)
    }
}
