import Dispatch

/// An RFC 6962 tree held in memory as all its complete levels (2n hashes for n leaves), so that the
/// root at any size and any inclusion or consistency proof is computed in O(log² n) hash operations.
///
/// Used by verification and by the prover; the writer only keeps a `MerkleFrontier`.
public struct MerkleTree: Sendable {
    /// `levels[k]` holds the roots of the aligned perfect subtrees of 2^k leaves, 32 bytes each.
    private let levels: [[UInt8]]

    /// Number of leaves.
    public let size: UInt64

    /// Builds the tree over `leafHashes`.
    public init(leafHashes: [MerkleHash]) {
        var flat = [UInt8]()
        flat.reserveCapacity(leafHashes.count * 32)
        for hash in leafHashes { flat.append(contentsOf: hash.bytes) }
        self.init(flatLeafHashes: flat)
    }

    /// Builds the tree over leaf hashes stored back to back (32 bytes each). Large levels are hashed
    /// on all cores.
    init(flatLeafHashes: [UInt8]) {
        precondition(flatLeafHashes.count % 32 == 0, "leaf hashes must be 32 bytes each")
        var levels = [flatLeafHashes]
        var count = flatLeafHashes.count / 32
        while count >= 2 {
            let below = levels[levels.count - 1]
            let parents = count / 2
            levels.append(MerkleTree.hashLevel(below, parents: parents))
            count = parents
        }
        self.levels = levels
        self.size = UInt64(flatLeafHashes.count / 32)
    }

    private static func hashLevel(_ below: [UInt8], parents: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: parents * 32)
        let workers = parents >= 4096 ? 2 : 1
        below.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                let dstBase = UncheckedSendable(dst)
                let srcBase = UncheckedSendable(src)
                let chunk = (parents + workers - 1) / workers
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let lower = w * chunk
                    let upper = min(parents, lower + chunk)
                    guard lower < upper else { return }
                    for i in lower..<upper {
                        let l = UnsafeRawBufferPointer(rebasing: srcBase.value[(i * 64)..<(i * 64 + 32)])
                        let r = UnsafeRawBufferPointer(rebasing: srcBase.value[(i * 64 + 32)..<(i * 64 + 64)])
                        let h = RFC6962.nodeHashBytes(l, r)
                        h.withUnsafeBytes { hb in
                            UnsafeMutableRawBufferPointer(rebasing: dstBase.value[(i * 32)..<(i * 32 + 32)])
                                .copyMemory(from: hb)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The hash of leaf `index`.
    public func leafHash(at index: UInt64) -> MerkleHash { stored(level: 0, index: Int(index)) }

    /// The root of the first `treeSize` leaves (`treeSize` ≤ `size`).
    public func rootHash(treeSize: UInt64) throws(AuditError) -> MerkleHash {
        guard treeSize <= size else {
            throw .invalidProofRequest(reason: "tree size \(treeSize) is larger than the log (\(size) entries)")
        }
        return rangeHash(0, treeSize)
    }

    /// The root of the whole tree.
    public var rootHash: MerkleHash { rangeHash(0, size) }

    /// The RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of the first `treeSize` leaves.
    public func inclusionProof(index: UInt64, treeSize: UInt64) throws(AuditError) -> InclusionProof {
        guard treeSize <= size else {
            throw .invalidProofRequest(reason: "tree size \(treeSize) is larger than the log (\(size) entries)")
        }
        guard index < treeSize else {
            throw .invalidProofRequest(reason: "entry \(index) is not in a tree of \(treeSize) entries")
        }
        var path = [MerkleHash]()
        var m = index
        var start: UInt64 = 0
        var end = treeSize
        // Walk down from the root, collecting siblings; the proof lists them leaf first.
        while end - start > 1 {
            let k = RFC6962.split(end - start)
            if m < k {
                path.append(rangeHash(start + k, end))
                end = start + k
            } else {
                path.append(rangeHash(start, start + k))
                m -= k
                start += k
            }
        }
        return InclusionProof(leafIndex: index, treeSize: treeSize, hashes: path.reversed())
    }

    /// The RFC 9162 §2.1.4.1 consistency proof from the first `fromSize` leaves to the first `toSize`.
    public func consistencyProof(fromSize: UInt64, toSize: UInt64) throws(AuditError) -> ConsistencyProof {
        guard toSize <= size else {
            throw .invalidProofRequest(reason: "tree size \(toSize) is larger than the log (\(size) entries)")
        }
        guard fromSize <= toSize else {
            throw .invalidProofRequest(reason: "the old size \(fromSize) is larger than the new size \(toSize)")
        }
        guard fromSize > 0, fromSize < toSize else {
            return ConsistencyProof(fromSize: fromSize, toSize: toSize, hashes: [])
        }
        var path = [MerkleHash]()
        var m = fromSize
        var start: UInt64 = 0
        var end = toSize
        var complete = true
        while m != end - start {
            let k = RFC6962.split(end - start)
            if m <= k {
                path.append(rangeHash(start + k, end))
                end = start + k
            } else {
                path.append(rangeHash(start, start + k))
                m -= k
                start += k
                complete = false
            }
        }
        if !complete { path.append(rangeHash(start, end)) }
        return ConsistencyProof(fromSize: fromSize, toSize: toSize, hashes: path.reversed())
    }

    /// MTH(D[start:end]): a stored hash when the range is an aligned perfect subtree, else the RFC split.
    func rangeHash(_ start: UInt64, _ end: UInt64) -> MerkleHash {
        let n = end - start
        if n == 0 { return RFC6962.emptyRoot }
        if n & (n - 1) == 0, start % n == 0 {
            return stored(level: n.trailingZeroBitCount, index: Int(start / n))
        }
        let k = RFC6962.split(n)
        return RFC6962.nodeHash(rangeHash(start, start + k), rangeHash(start + k, end))
    }

    private func stored(level: Int, index: Int) -> MerkleHash {
        MerkleHash(unchecked: Array(levels[level][(index * 32)..<(index * 32 + 32)]))
    }
}

/// Lets a raw buffer cross into `concurrentPerform` workers that write disjoint ranges.
// @unchecked: used only for buffer pointers that outlive the workers, which read shared input and
// write disjoint 32-byte ranges of the output.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
