/// Frequent sequential patterns by PrefixSpan (Pei et al. 2001) with pseudo-projection.
///
/// A sequence contains a pattern `<P1 P2 ... Pm>` (itemsets) when it has elements
/// `e1 < e2 < ... < em` with `Pj ⊆ e_j`; with `maxGap = g`, also `e_{j+1} - e_j <= g`
/// (`g = 1`: consecutive elements). Support is the number of sequences containing the pattern.
///
/// For each pattern the projected database lists, per supporting sequence, the element indices
/// where an embedding of the pattern can end. Growth step:
/// 1. **count** (once per sequence) the items of the elements after an end (sequence extensions,
///    within the gap window) and the larger items inside an end element (itemset extensions);
/// 2. **threshold** at `minCount` and report;
/// 3. **project**: file each occurrence under its item; each frequent item's list is the child's
///    projected database.
/// Without a gap constraint and without multi-item elements only the first end per sequence is
/// kept (the classic pseudo-projection). Top-level prefixes are spread over threads; the output
/// order is deterministic (depth first).
///
/// Cost: proportional to the total size of the scanned suffixes over all frequent patterns;
/// memory one projection per depth.
public enum PrefixSpan {
    /// Mines all sequential patterns contained in at least `minCount` sequences.
    /// - Parameters:
    ///   - sequences: the database.
    ///   - minCount: minimum number of supporting sequences (at least 1).
    ///   - maxLength: maximum number of items in a pattern (nil: unbounded).
    ///   - maxGap: maximum distance in elements between consecutive pattern elements (nil: unbounded).
    ///   - threads: worker threads for the top-level prefixes.
    public static func mine(
        sequences: SequenceDatabase, minCount: Int, maxLength: Int? = nil, maxGap: Int? = nil, threads: Int = 2
    ) throws -> [SequentialPattern] {
        guard minCount >= 1 else { throw MiningError.invalidMinimumCount(minCount) }
        if let maxLength, maxLength < 1 {
            throw MiningError.invalidParameter(name: "maxLength", reason: "must be at least 1")
        }
        if let maxGap, maxGap < 1 {
            throw MiningError.invalidParameter(name: "maxGap", reason: "must be at least 1 (1 = consecutive elements)")
        }
        if sequences.sequenceCount == 0 || sequences.items.isEmpty { return [] }
        let config = SequenceMinerConfiguration(
            minCount: Int32(clamping: minCount), maxLength: maxLength ?? Int.max, maxGap: maxGap ?? Int.max,
            needAllEnds: maxGap != nil || sequences.hasMultiItemElements,
            multiItem: sequences.hasMultiItemElements)
        let storage = SequenceStorage(sequences)
        let root = SequenceMiner(storage: storage, config: config)
        root.loadRoot()
        root.countAndProject(depth: 0)
        var result = root.collect()
        let rootLevel = root.levels[0]
        let tasks = rootLevel.sFrequentCount
        if tasks == 0 || config.maxLength == 1 { return result }
        let workers = max(1, min(threads, tasks))
        let counter = TaskCounter(count: tasks)
        let slots = WorkerSlots<[(Int, [SequentialPattern])]>(count: workers)
        runParallel(workers: workers) { worker in
            let miner = SequenceMiner(storage: storage, config: config)
            var produced: [(Int, [SequentialPattern])] = []
            while let task = counter.claim() {
                miner.resetOutput()
                miner.expand(parent: rootLevel, itemset: false, index: task, depth: 1)
                produced.append((task, miner.collect()))
            }
            slots.set(worker, produced)
        }
        for (_, patterns) in slots.all.flatMap({ $0 }).sorted(by: { $0.0 < $1.0 }) {
            result.append(contentsOf: patterns)
        }
        return result
    }
}

struct SequenceMinerConfiguration: Sendable {
    let minCount: Int32
    let maxLength: Int
    let maxGap: Int
    let needAllEnds: Bool
    let multiItem: Bool
}

/// The database as shared, read-only pointers.
// @unchecked: the pointers are written only in init and freed in deinit; workers only read through them.
final class SequenceStorage: @unchecked Sendable {
    let items: UnsafeMutablePointer<Int32>
    let elementStarts: UnsafeMutablePointer<Int32>
    let sequenceStarts: UnsafeMutablePointer<Int32>
    let sequenceCount: Int
    let itemIdBound: Int

    init(_ db: SequenceDatabase) {
        items = .allocate(capacity: max(1, db.items.count))
        items.initialize(from: db.items, count: db.items.count)
        elementStarts = .allocate(capacity: db.elementStarts.count)
        elementStarts.initialize(from: db.elementStarts, count: db.elementStarts.count)
        sequenceStarts = .allocate(capacity: db.sequenceStarts.count)
        sequenceStarts.initialize(from: db.sequenceStarts, count: db.sequenceStarts.count)
        sequenceCount = db.sequenceCount
        itemIdBound = db.itemIdBound
    }

    deinit {
        items.deallocate()
        elementStarts.deallocate()
        sequenceStarts.deallocate()
    }
}

/// One depth of the search: the projected database and the occurrence buckets built from it.
/// Written by one thread; the root level is only read while workers share it.
// @unchecked: workers only read the root level, which its one writer finished before they started.
final class SequenceLevel: @unchecked Sendable {
    let sequenceIds = ScratchBuffer<Int32>()
    let endStarts = ScratchBuffer<Int32>()
    let ends = ScratchBuffer<Int32>()
    var entryCount = 0
    // Sequence-extension buckets.
    let sEntry = ScratchBuffer<Int32>()
    let sPosition = ScratchBuffer<Int32>()
    let sItems = ScratchBuffer<Int32>()
    let sBegin = ScratchBuffer<Int32>()
    let sCursor: ScratchBuffer<Int32>
    var sFrequentCount = 0
    // Itemset-extension buckets.
    let iEntry = ScratchBuffer<Int32>()
    let iPosition = ScratchBuffer<Int32>()
    let iItems = ScratchBuffer<Int32>()
    let iBegin = ScratchBuffer<Int32>()
    let iCursor: ScratchBuffer<Int32>
    var iFrequentCount = 0

    init(itemIdBound: Int) {
        sCursor = ScratchBuffer<Int32>(capacity: itemIdBound)
        iCursor = ScratchBuffer<Int32>(capacity: itemIdBound)
    }
}

/// Per-thread PrefixSpan state.
final class SequenceMiner {
    let db: SequenceStorage
    let config: SequenceMinerConfiguration
    let sCount: ScratchBuffer<Int32>, sOccurrences: ScratchBuffer<Int32>, sStamp: ScratchBuffer<Int>
    let iCount: ScratchBuffer<Int32>, iOccurrences: ScratchBuffer<Int32>, iStamp: ScratchBuffer<Int>
    let touchedS = ScratchBuffer<Int32>(), touchedI = ScratchBuffer<Int32>()
    var stamp = 0
    var levels: [SequenceLevel] = []
    var patternItems: [Int32] = []
    var patternStartsElement: [Bool] = []
    var outItems: [Int32] = []
    var outStartsElement: [Bool] = []
    var outLengths: [Int32] = []
    var outCounts: [Int32] = []

    init(storage: SequenceStorage, config: SequenceMinerConfiguration) {
        db = storage
        self.config = config
        let n = storage.itemIdBound
        sCount = ScratchBuffer(capacity: n); sCount.fill(0, count: n)
        sOccurrences = ScratchBuffer(capacity: n); sOccurrences.fill(0, count: n)
        sStamp = ScratchBuffer(capacity: n); sStamp.fill(0, count: n)
        iCount = ScratchBuffer(capacity: n); iCount.fill(0, count: n)
        iOccurrences = ScratchBuffer(capacity: n); iOccurrences.fill(0, count: n)
        iStamp = ScratchBuffer(capacity: n); iStamp.fill(0, count: n)
        touchedS.reserve(n)
        touchedI.reserve(n)
    }

    func level(_ depth: Int) -> SequenceLevel {
        while levels.count <= depth { levels.append(SequenceLevel(itemIdBound: db.itemIdBound)) }
        return levels[depth]
    }

    func resetOutput() {
        outItems.removeAll(keepingCapacity: true)
        outStartsElement.removeAll(keepingCapacity: true)
        outLengths.removeAll(keepingCapacity: true)
        outCounts.removeAll(keepingCapacity: true)
    }

    func collect() -> [SequentialPattern] {
        var result: [SequentialPattern] = []
        result.reserveCapacity(outCounts.count)
        var position = 0
        for (length, count) in zip(outLengths, outCounts) {
            var elements: [[Int32]] = []
            for j in position..<(position + Int(length)) {
                if outStartsElement[j] || elements.isEmpty { elements.append([outItems[j]]) } else {
                    elements[elements.count - 1].append(outItems[j])
                }
            }
            position += Int(length)
            result.append(SequentialPattern(elements: elements, count: Int(count)))
        }
        return result
    }

    /// The root projection: every sequence, with a virtual end just before its first element.
    func loadRoot() {
        let root = level(0)
        let n = db.sequenceCount
        root.sequenceIds.reserve(n)
        root.endStarts.reserve(n + 1)
        root.ends.reserve(n)
        root.endStarts.base[0] = 0
        for s in 0..<n {
            root.sequenceIds.base[s] = Int32(s)
            root.ends.base[s] = db.sequenceStarts[s] - 1
            root.endStarts.base[s + 1] = Int32(s + 1)
        }
        root.entryCount = n
    }

    /// Calls `body(q)` for every element `q` that a sequence extension of entry `entry` may use.
    @inline(__always)
    private func forEachExtensionElement(_ lv: SequenceLevel, entry: Int, root: Bool, _ body: (Int) -> Void) {
        let s = Int(lv.sequenceIds.base[entry])
        let seqEnd = Int(db.sequenceStarts[s + 1])
        let endsBegin = Int(lv.endStarts.base[entry]), endsEnd = Int(lv.endStarts.base[entry + 1])
        let ends = lv.ends.base
        let first = Int(ends[endsBegin]) + 1
        if root || config.maxGap == Int.max {
            if first < seqEnd { for q in first..<seqEnd { body(q) } }
            return
        }
        let gap = config.maxGap
        let last = min(seqEnd - 1, Int(ends[endsEnd - 1]) + gap)
        if first > last { return }
        var p = endsBegin
        for q in first...last {
            while p + 1 < endsEnd && Int(ends[p + 1]) < q { p += 1 }
            if q - Int(ends[p]) <= gap { body(q) }
        }
    }

    /// Count, threshold (reporting patterns) and fill the buckets of the level at `depth`.
    func countAndProject(depth: Int) {
        let lv = level(depth)
        let root = depth == 0
        let items = db.items, elementStarts = db.elementStarts
        let sC = sCount.base, sO = sOccurrences.base, sS = sStamp.base
        let iC = iCount.base, iO = iOccurrences.base, iS = iStamp.base
        var touchedSCount = 0, touchedICount = 0
        let tS = touchedS.base, tI = touchedI.base
        let lastItem = patternItems.last ?? -1
        let doItemset = config.multiItem && !root
        // 1. Count.
        for entry in 0..<lv.entryCount {
            stamp += 1
            let st = stamp
            forEachExtensionElement(lv, entry: entry, root: root) { q in
                for pos in Int(elementStarts[q])..<Int(elementStarts[q + 1]) {
                    let x = Int(items[pos])
                    if sO[x] == 0 {
                        tS[touchedSCount] = Int32(x)
                        touchedSCount += 1
                    }
                    sO[x] &+= 1
                    if sS[x] != st {
                        sS[x] = st
                        sC[x] &+= 1
                    }
                }
            }
            if doItemset {
                for e in Int(lv.endStarts.base[entry])..<Int(lv.endStarts.base[entry + 1]) {
                    let q = Int(lv.ends.base[e])
                    for pos in Int(elementStarts[q])..<Int(elementStarts[q + 1]) where items[pos] > lastItem {
                        let y = Int(items[pos])
                        if iO[y] == 0 {
                            tI[touchedICount] = Int32(y)
                            touchedICount += 1
                        }
                        iO[y] &+= 1
                        if iS[y] != st {
                            iS[y] = st
                            iC[y] &+= 1
                        }
                    }
                }
            }
        }
        // 2. Threshold and report.
        let minCount = config.minCount
        let canGrow = patternItems.count + 2 <= config.maxLength
        lv.sItems.reserve(touchedSCount)
        lv.sBegin.reserve(touchedSCount + 1)
        lv.iItems.reserve(touchedICount)
        lv.iBegin.reserve(touchedICount + 1)
        var sFreq = 0, sTotal: Int32 = 0
        for t in 0..<touchedSCount {
            let x = Int(tS[t])
            guard sC[x] >= minCount else { continue }
            emit(item: Int32(x), startsElement: true, count: sC[x])
            lv.sItems.base[sFreq] = Int32(x)
            lv.sBegin.base[sFreq] = sTotal
            lv.sCursor.base[x] = sTotal
            sTotal &+= config.needAllEnds ? sO[x] : sC[x]
            sFreq += 1
        }
        var iFreq = 0, iTotal: Int32 = 0
        for t in 0..<touchedICount {
            let y = Int(tI[t])
            guard iC[y] >= minCount else { continue }
            emit(item: Int32(y), startsElement: false, count: iC[y])
            lv.iItems.base[iFreq] = Int32(y)
            lv.iBegin.base[iFreq] = iTotal
            lv.iCursor.base[y] = iTotal
            iTotal &+= iO[y]
            iFreq += 1
        }
        lv.sFrequentCount = canGrow ? sFreq : 0
        lv.iFrequentCount = canGrow ? iFreq : 0
        // 3. Fill buckets.
        if canGrow && (sFreq > 0 || iFreq > 0) {
            lv.sEntry.reserve(Int(sTotal))
            lv.sPosition.reserve(Int(sTotal))
            lv.iEntry.reserve(Int(iTotal))
            lv.iPosition.reserve(Int(iTotal))
            let sEntry = lv.sEntry.base, sPosition = lv.sPosition.base, sCursor = lv.sCursor.base
            let iEntry = lv.iEntry.base, iPosition = lv.iPosition.base, iCursor = lv.iCursor.base
            let all = config.needAllEnds
            for entry in 0..<lv.entryCount {
                stamp += 1
                let st = stamp
                if sFreq > 0 {
                    forEachExtensionElement(lv, entry: entry, root: root) { q in
                        for pos in Int(elementStarts[q])..<Int(elementStarts[q + 1]) {
                            let x = Int(items[pos])
                            guard sC[x] >= minCount else { continue }
                            if !all {
                                if sS[x] == st { continue }
                                sS[x] = st
                            }
                            let c = Int(sCursor[x])
                            sEntry[c] = Int32(entry)
                            sPosition[c] = Int32(q)
                            sCursor[x] = Int32(c + 1)
                        }
                    }
                }
                if iFreq > 0 {
                    for e in Int(lv.endStarts.base[entry])..<Int(lv.endStarts.base[entry + 1]) {
                        let q = Int(lv.ends.base[e])
                        for pos in Int(elementStarts[q])..<Int(elementStarts[q + 1]) where items[pos] > lastItem {
                            let y = Int(items[pos])
                            guard iC[y] >= minCount else { continue }
                            let c = Int(iCursor[y])
                            iEntry[c] = Int32(entry)
                            iPosition[c] = Int32(q)
                            iCursor[y] = Int32(c + 1)
                        }
                    }
                }
            }
        }
        // Reset the shared counters.
        for t in 0..<touchedSCount {
            let x = Int(tS[t])
            sC[x] = 0
            sO[x] = 0
        }
        for t in 0..<touchedICount {
            let y = Int(tI[t])
            iC[y] = 0
            iO[y] = 0
        }
    }

    @inline(__always)
    private func emit(item: Int32, startsElement: Bool, count: Int32) {
        outItems.append(contentsOf: patternItems)
        outStartsElement.append(contentsOf: patternStartsElement)
        outItems.append(item)
        outStartsElement.append(startsElement)
        outLengths.append(Int32(patternItems.count + 1))
        outCounts.append(count)
    }

    /// Builds the projection of the pattern extended by bucket `index` of `parent` and mines it.
    func expand(parent: SequenceLevel, itemset: Bool, index: Int, depth: Int) {
        let item = itemset ? parent.iItems.base[index] : parent.sItems.base[index]
        let begin = Int(itemset ? parent.iBegin.base[index] : parent.sBegin.base[index])
        let end = Int(itemset ? parent.iCursor.base[Int(item)] : parent.sCursor.base[Int(item)])
        let entries = itemset ? parent.iEntry.base : parent.sEntry.base
        let positions = itemset ? parent.iPosition.base : parent.sPosition.base
        let child = level(depth)
        child.sequenceIds.reserve(end - begin)
        child.endStarts.reserve(end - begin + 1)
        child.ends.reserve(end - begin)
        let ids = child.sequenceIds.base, starts = child.endStarts.base, ends = child.ends.base
        var count = 0
        var previous: Int32 = -1
        starts[0] = 0
        for e in begin..<end {
            let entry = entries[e]
            if entry != previous {
                if count > 0 { starts[count] = Int32(e - begin) }
                ids[count] = parent.sequenceIds.base[Int(entry)]
                count += 1
                previous = entry
            }
            ends[e - begin] = positions[e]
        }
        starts[count] = Int32(end - begin)
        child.entryCount = count
        patternItems.append(item)
        patternStartsElement.append(!itemset)
        countAndProject(depth: depth)
        let lv = levels[depth]
        for i in 0..<lv.sFrequentCount { expand(parent: lv, itemset: false, index: i, depth: depth + 1) }
        for i in 0..<lv.iFrequentCount { expand(parent: lv, itemset: true, index: i, depth: depth + 1) }
        patternItems.removeLast()
        patternStartsElement.removeLast()
    }
}
