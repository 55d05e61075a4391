/// An association rule `antecedent => consequent` with the usual interest measures.
///
/// With `N` baskets and counts `n(X)`: support `= n(A ∪ C) / N`; confidence `= n(A ∪ C) / n(A)`;
/// lift `= confidence / (n(C) / N)`; leverage `= n(A ∪ C)/N - (n(A)/N)(n(C)/N)`;
/// conviction `= (1 - n(C)/N) / (1 - confidence)`, `+infinity` when confidence is 1.
/// These are mlxtend's `association_rules` definitions.
public struct AssociationRule: Sendable, Hashable {
    /// Items on the left-hand side, sorted ascending.
    public let antecedent: [Int32]
    /// Items on the right-hand side (one or more), sorted ascending.
    public let consequent: [Int32]
    /// Baskets containing the antecedent.
    public let antecedentCount: Int
    /// Baskets containing the consequent.
    public let consequentCount: Int
    /// Baskets containing both.
    public let jointCount: Int
    /// Number of baskets `N`.
    public let basketCount: Int

    /// Relative support of antecedent ∪ consequent.
    public var support: Double { Double(jointCount) / Double(basketCount) }
    /// Relative support of the antecedent.
    public var antecedentSupport: Double { Double(antecedentCount) / Double(basketCount) }
    /// Relative support of the consequent.
    public var consequentSupport: Double { Double(consequentCount) / Double(basketCount) }
    /// Confidence: estimated P(consequent | antecedent).
    public var confidence: Double { Double(jointCount) / Double(antecedentCount) }
    /// Lift: confidence divided by the consequent's support.
    public var lift: Double { confidence / consequentSupport }
    /// Leverage: joint support minus the product of the supports.
    public var leverage: Double { support - antecedentSupport * consequentSupport }
    /// Conviction: `(1 - consequent support) / (1 - confidence)`, infinite for exact rules.
    public var conviction: Double {
        jointCount == antecedentCount ? .infinity : (1 - consequentSupport) / (1 - confidence)
    }
}

/// Generates association rules from frequent itemsets.
///
/// Every frequent itemset of two or more items is split in every way into a non-empty antecedent
/// and a non-empty consequent (`2^m - 2` rules for `m` items, multi-item consequents included);
/// the counts of both sides come from the itemsets themselves (all subsets of a frequent itemset
/// are frequent). Counting is done first; the confidence and lift filters are applied afterwards.
///
/// Cost: `O(sum over itemsets of 2^m * m)` with hashed subset look-ups.
public enum AssociationRules {
    /// Largest itemset whose partitions are enumerated.
    public static let maximumItemsetSize = 24

    /// Rules from `itemsets` (as returned by `FrequentItemsetMiner`, which must include every
    /// subset of each itemset) over `basketCount` baskets.
    /// - Parameters:
    ///   - minConfidence: keep rules with confidence `>=` this (default 0: all).
    ///   - minLift: keep rules with lift `>=` this (default 0: all).
    ///   - maxConsequentSize: the largest right-hand side (nil: any).
    /// - Returns: the rules, ordered by itemset then antecedent size descending.
    /// - Throws: `MiningError.invalidParameter` if a subset count is missing, or
    ///   `MiningError.itemsetTooLargeForRules`.
    public static func generate(
        from itemsets: [FrequentItemset], basketCount: Int, minConfidence: Double = 0, minLift: Double = 0,
        maxConsequentSize: Int? = nil
    ) throws -> [AssociationRule] {
        guard basketCount >= 1 else {
            throw MiningError.invalidParameter(name: "basketCount", reason: "must be at least 1")
        }
        var counts: [[Int32]: Int] = [:]
        counts.reserveCapacity(itemsets.count)
        for itemset in itemsets { counts[itemset.items] = itemset.count }
        var rules: [AssociationRule] = []
        let consequentLimit = maxConsequentSize ?? Int.max
        for itemset in itemsets where itemset.items.count >= 2 {
            let items = itemset.items
            let m = items.count
            guard m <= maximumItemsetSize else {
                throw MiningError.itemsetTooLargeForRules(size: m, limit: maximumItemsetSize)
            }
            let full = (1 << m) - 1
            // Antecedents from largest to smallest, as mlxtend enumerates them.
            var masks = Array(1..<full)
            masks.sort { a, b in
                let ca = a.nonzeroBitCount, cb = b.nonzeroBitCount
                return ca != cb ? ca > cb : a < b
            }
            for mask in masks {
                let consequentSize = m - mask.nonzeroBitCount
                if consequentSize > consequentLimit { continue }
                var antecedent: [Int32] = []
                var consequent: [Int32] = []
                antecedent.reserveCapacity(m)
                consequent.reserveCapacity(m)
                for j in 0..<m {
                    if mask & (1 << j) != 0 { antecedent.append(items[j]) } else { consequent.append(items[j]) }
                }
                guard let a = counts[antecedent], let c = counts[consequent] else {
                    throw MiningError.invalidParameter(
                        name: "itemsets", reason: "a subset of a frequent itemset is missing; pass the miner's complete output")
                }
                let rule = AssociationRule(
                    antecedent: antecedent, consequent: consequent, antecedentCount: a, consequentCount: c,
                    jointCount: itemset.count, basketCount: basketCount)
                if rule.confidence >= minConfidence && rule.lift >= minLift { rules.append(rule) }
            }
        }
        return rules
    }
}
