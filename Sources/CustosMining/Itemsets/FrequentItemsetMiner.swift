/// Finds every itemset whose count (number of baskets containing it) reaches a minimum.
///
/// Algorithm: depth-first pattern growth over horizontal, projected databases with
/// occurrence delivery (the scheme of LCM, Uno et al. 2004, and of FP-growth without the tree).
/// Items are recoded to ranks by ascending count; each basket keeps only frequent items,
/// sorted by rank. For a prefix `P` with projected database `D(P)`:
/// 1. **count**: one scan of `D(P)` adds each basket's weight to every item it holds;
/// 2. **threshold**: items with count `>= minCount` extend `P` (reported with their counts);
/// 3. **project**: one more scan files each basket under each of its frequent items
///    (occurrence lists); the database of `P + {x}` is the suffix after `x` of every basket
///    holding `x`, so each itemset is generated exactly once.
///
/// Counting and thresholding are separate steps, so a noisy variant can add noise between them.
/// The top-level prefixes are spread over worker threads (dynamic hand-out); the result order
/// is deterministic: depth first, by ascending item count at each level.
///
/// Cost: each projected database is scanned twice, so time is proportional to the total size
/// of the projected databases, `O(sum over frequent itemsets of |D(P)|)`; memory is one
/// projected database per depth.
public enum FrequentItemsetMiner {
    /// Mines all itemsets with count `>= minCount`.
    /// - Parameters:
    ///   - database: the baskets.
    ///   - minCount: the absolute minimum support (at least 1); see `SupportThreshold`.
    ///   - maxLength: the largest itemset size reported (nil: no limit).
    ///   - threads: worker threads for the top-level prefixes (default 2).
    /// - Returns: the frequent itemsets, each with items sorted ascending.
    public static func mine(
        _ database: TransactionDatabase, minCount: Int, maxLength: Int? = nil, threads: Int = 2
    ) throws -> [FrequentItemset] {
        guard minCount >= 1 else { throw MiningError.invalidMinimumCount(minCount) }
        if let maxLength, maxLength < 1 {
            throw MiningError.invalidParameter(name: "maxLength", reason: "must be at least 1")
        }
        let limit = maxLength ?? Int.max
        let prepared = RankedDatabase(database, minCount: minCount)
        if prepared.rankCount == 0 { return [] }
        let root = ProjectionMiner(rankCount: prepared.rankCount, minCount: minCount, maxLength: limit)
        root.loadRoot(prepared)
        let rootFrequent = root.countAndProject(depth: 0)
        var result = root.collect(rankToItem: prepared.rankToItem)
        if rootFrequent.isEmpty || limit == 1 { return result }

        let workers = max(1, min(threads, rootFrequent.count))
        let counter = TaskCounter(count: rootFrequent.count)
        let slots = WorkerSlots<[(Int, [FrequentItemset])]>(count: workers)
        let rootLevel = root.levels[0]
        let rankCount = prepared.rankCount, rankToItem = prepared.rankToItem
        runParallel(workers: workers) { worker in
            let miner = ProjectionMiner(rankCount: rankCount, minCount: minCount, maxLength: limit)
            var produced: [(Int, [FrequentItemset])] = []
            while let task = counter.claim() {
                miner.resetOutput()
                miner.expand(parent: rootLevel, parentIndex: task, depth: 1)
                produced.append((task, miner.collect(rankToItem: rankToItem)))
            }
            slots.set(worker, produced)
        }
        for (_, itemsets) in slots.all.flatMap({ $0 }).sorted(by: { $0.0 < $1.0 }) {
            result.append(contentsOf: itemsets)
        }
        return result
    }

    /// Mines all itemsets with relative support `>= minSupport`, i.e. count `>= ceil(minSupport * N)`
    /// computed exactly (see `SupportThreshold.minimumCount(fraction:basketCount:)`).
    public static func mine(
        _ database: TransactionDatabase, minSupport: Double, maxLength: Int? = nil, threads: Int = 2
    ) throws -> [FrequentItemset] {
        let minCount = try SupportThreshold.minimumCount(fraction: minSupport, basketCount: database.basketCount)
        return try mine(database, minCount: minCount, maxLength: maxLength, threads: threads)
    }
}

/// The baskets recoded to item ranks (0 = least frequent frequent item), infrequent items dropped.
struct RankedDatabase {
    var items: [Int32] = []
    var starts: [Int32] = [0]
    var rankToItem: [Int32] = []
    var rankCount: Int { rankToItem.count }

    init(_ database: TransactionDatabase, minCount: Int) {
        let counts = database.itemCounts()
        let frequent = counts.indices.filter { counts[$0] >= minCount }
            .sorted { counts[$0] != counts[$1] ? counts[$0] < counts[$1] : $0 < $1 }
        rankToItem = frequent.map { Int32($0) }
        var itemToRank = [Int32](repeating: -1, count: counts.count)
        for (rank, item) in frequent.enumerated() { itemToRank[item] = Int32(rank) }
        items.reserveCapacity(database.items.count)
        database.items.withUnsafeBufferPointer { all in
            itemToRank.withUnsafeBufferPointer { map in
                for b in 0..<database.basketCount {
                    let begin = items.count
                    for q in database.offsets[b]..<database.offsets[b + 1] {
                        let r = map[Int(all[q])]
                        if r >= 0 { items.append(r) }
                    }
                    if items.count - begin < 1 { continue }
                    items[begin...].sort()
                    starts.append(Int32(items.count))
                }
            }
        }
    }
}

/// One level of the depth-first search: its projected database and the occurrence lists built from it.
/// Written by one thread; the root level is then only read while workers share it.
// @unchecked: workers only read the root level, which its one writer finished before they started.
final class ProjectionLevel: @unchecked Sendable {
    // Input projected database.
    let items = ScratchBuffer<Int32>()
    let starts = ScratchBuffer<Int32>()
    let weights = ScratchBuffer<Int32>()
    var transactionCount = 0
    // Filtered copy (frequent items only, baskets with at least 2 of them).
    let filteredItems = ScratchBuffer<Int32>()
    let filteredStarts = ScratchBuffer<Int32>()
    let filteredWeights = ScratchBuffer<Int32>()
    // Occurrence lists: entry e says "basket occurrenceBasket[e] holds the item at position occurrencePosition[e]".
    let occurrenceBasket = ScratchBuffer<Int32>()
    let occurrencePosition = ScratchBuffer<Int32>()
    let occurrenceCursor: ScratchBuffer<Int32>
    let touched = ScratchBuffer<Int32>()
    let frequent = ScratchBuffer<Int32>()
    let frequentBegin = ScratchBuffer<Int32>()
    var frequentCount = 0

    init(rankCount: Int) {
        occurrenceCursor = ScratchBuffer<Int32>(capacity: rankCount)
    }
}

/// The per-thread miner state: global count arrays (kept zeroed between uses), levels, prefix and output.
final class ProjectionMiner {
    let rankCount: Int
    let minCount: Int32
    let maxLength: Int
    let counts: ScratchBuffer<Int32>
    let occurrences: ScratchBuffer<Int32>
    var levels: [ProjectionLevel] = []
    var prefix: [Int32] = []
    var outItems: [Int32] = []
    var outLengths: [Int32] = []
    var outCounts: [Int32] = []

    init(rankCount: Int, minCount: Int, maxLength: Int) {
        self.rankCount = rankCount
        self.minCount = Int32(clamping: minCount)
        self.maxLength = maxLength
        counts = ScratchBuffer<Int32>(capacity: rankCount)
        counts.fill(0, count: rankCount)
        occurrences = ScratchBuffer<Int32>(capacity: rankCount)
        occurrences.fill(0, count: rankCount)
    }

    func level(_ depth: Int) -> ProjectionLevel {
        while levels.count <= depth { levels.append(ProjectionLevel(rankCount: rankCount)) }
        return levels[depth]
    }

    func resetOutput() {
        outItems.removeAll(keepingCapacity: true)
        outLengths.removeAll(keepingCapacity: true)
        outCounts.removeAll(keepingCapacity: true)
    }

    func loadRoot(_ db: RankedDatabase) {
        let root = level(0)
        let n = db.starts.count - 1
        root.items.reserve(db.items.count)
        root.starts.reserve(n + 1)
        root.weights.reserve(n)
        root.items.base.update(from: db.items, count: db.items.count)
        root.starts.base.update(from: db.starts, count: n + 1)
        root.weights.base.update(repeating: 1, count: n)
        root.transactionCount = n
    }

    /// Converts the output (ranks) into itemsets of item ids.
    func collect(rankToItem: [Int32]) -> [FrequentItemset] {
        var result: [FrequentItemset] = []
        result.reserveCapacity(outCounts.count)
        var position = 0
        for (length, count) in zip(outLengths, outCounts) {
            var items = [Int32](repeating: 0, count: Int(length))
            for j in 0..<Int(length) { items[j] = rankToItem[Int(outItems[position + j])] }
            position += Int(length)
            result.append(FrequentItemset(items: items, count: Int(count)))
        }
        return result
    }

    /// Counts the level's database, reports the frequent extensions of the prefix, and builds the
    /// filtered database and occurrence lists. Returns the frequent items (ranks) of this level.
    @discardableResult
    func countAndProject(depth: Int) -> [Int32] {
        let lv = level(depth)
        let n = lv.transactionCount
        let items = lv.items.base, starts = lv.starts.base, weights = lv.weights.base
        let cnt = counts.base, occ = occurrences.base
        let total = Int(starts[n])
        lv.touched.reserve(min(total, rankCount))
        let touched = lv.touched.base
        var touchedCount = 0
        // 1. Count.
        for t in 0..<n {
            let w = weights[t]
            for q in Int(starts[t])..<Int(starts[t + 1]) {
                let x = Int(items[q])
                if occ[x] == 0 {
                    touched[touchedCount] = Int32(x)
                    touchedCount += 1
                }
                cnt[x] &+= w
                occ[x] &+= 1
            }
        }
        // 2. Threshold and report.
        lv.frequent.reserve(touchedCount)
        lv.frequentBegin.reserve(touchedCount)
        let freq = lv.frequent.base, freqBegin = lv.frequentBegin.base
        let cursor = lv.occurrenceCursor.base
        var freqCount = 0
        var running: Int32 = 0
        for i in 0..<touchedCount {
            let x = Int(touched[i])
            if cnt[x] >= minCount {
                freq[freqCount] = Int32(x)
                freqBegin[freqCount] = running
                cursor[x] = running
                running &+= occ[x]
                freqCount += 1
                emit(extra: Int32(x), count: cnt[x])
            }
        }
        lv.frequentCount = freqCount
        let canGrow = prefix.count + 2 <= maxLength && freqCount > 1
        if canGrow {
            // 3. Filter and build occurrence lists (an item that is last in its basket has an empty suffix: skipped).
            lv.filteredItems.reserve(total)
            lv.filteredStarts.reserve(n + 1)
            lv.filteredWeights.reserve(n)
            lv.occurrenceBasket.reserve(Int(running))
            lv.occurrencePosition.reserve(Int(running))
            let fItems = lv.filteredItems.base, fStarts = lv.filteredStarts.base, fWeights = lv.filteredWeights.base
            let occBasket = lv.occurrenceBasket.base, occPosition = lv.occurrencePosition.base
            var write = 0
            var kept = 0
            fStarts[0] = 0
            for t in 0..<n {
                let begin = write
                for q in Int(starts[t])..<Int(starts[t + 1]) {
                    let x = items[q]
                    if cnt[Int(x)] >= minCount {
                        fItems[write] = x
                        write += 1
                    }
                }
                if write - begin < 2 {
                    write = begin
                    continue
                }
                fWeights[kept] = weights[t]
                for p in begin..<(write - 1) {
                    let x = Int(fItems[p])
                    let e = Int(cursor[x])
                    occBasket[e] = Int32(kept)
                    occPosition[e] = Int32(p)
                    cursor[x] = Int32(e + 1)
                }
                kept += 1
                fStarts[kept] = Int32(write)
            }
        }
        // Reset the shared count arrays for the next use.
        for i in 0..<touchedCount {
            let x = Int(touched[i])
            cnt[x] = 0
            occ[x] = 0
        }
        if !canGrow {
            lv.frequentCount = 0
            return []
        }
        return Array(UnsafeBufferPointer(start: freq, count: freqCount))
    }

    @inline(__always)
    private func emit(extra: Int32, count: Int32) {
        outItems.append(contentsOf: prefix)
        outItems.append(extra)
        outLengths.append(Int32(prefix.count + 1))
        outCounts.append(count)
    }

    /// Builds the projected database of `prefix + parent.frequent[parentIndex]` at `depth` and mines it.
    func expand(parent: ProjectionLevel, parentIndex: Int, depth: Int) {
        let x = parent.frequent.base[parentIndex]
        let begin = Int(parent.frequentBegin.base[parentIndex])
        let end = Int(parent.occurrenceCursor.base[Int(x)])
        if end == begin { return }
        let child = level(depth)
        let pItems = parent.filteredItems.base, pStarts = parent.filteredStarts.base, pWeights = parent.filteredWeights.base
        let occBasket = parent.occurrenceBasket.base, occPosition = parent.occurrencePosition.base
        var size = 0
        var weightSum = 0
        for e in begin..<end {
            let t = Int(occBasket[e])
            size += Int(pStarts[t + 1]) - Int(occPosition[e]) - 1
            weightSum += Int(pWeights[t])
        }
        if weightSum < Int(minCount) { return }
        child.items.reserve(size)
        child.starts.reserve(end - begin + 1)
        child.weights.reserve(end - begin)
        let cItems = child.items.base, cStarts = child.starts.base, cWeights = child.weights.base
        var write = 0
        var count = 0
        cStarts[0] = 0
        for e in begin..<end {
            let t = Int(occBasket[e])
            let from = Int(occPosition[e]) + 1
            let to = Int(pStarts[t + 1])
            (cItems + write).update(from: pItems + from, count: to - from)
            write += to - from
            cWeights[count] = pWeights[t]
            count += 1
            cStarts[count] = Int32(write)
        }
        child.transactionCount = count
        prefix.append(x)
        let frequent = countAndProject(depth: depth)
        if !frequent.isEmpty {
            let lv = levels[depth]
            for i in 0..<lv.frequentCount {
                expand(parent: lv, parentIndex: i, depth: depth + 1)
            }
        }
        prefix.removeLast()
    }
}
