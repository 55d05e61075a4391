/// An RFC 6962 / RFC 9162 inclusion proof ("audit path"): the sibling hashes from the leaf up to the
/// root's child, leaf side first.
public struct InclusionProof: Sendable, Equatable {
    /// Zero-based index of the entry.
    public let leafIndex: UInt64
    /// Size of the tree the proof is for.
    public let treeSize: UInt64
    /// The audit path, leaf's sibling first.
    public let hashes: [MerkleHash]

    /// A proof as received from elsewhere.
    public init(leafIndex: UInt64, treeSize: UInt64, hashes: [MerkleHash]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
    }

    /// The root this proof leads to from `leafHash` (RFC 9162 §2.1.3.2); nil if the proof's shape does
    /// not fit its index and tree size.
    public func rootHash(leafHash: MerkleHash) -> MerkleHash? {
        guard leafIndex < treeSize else { return nil }
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in hashes {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                r = RFC6962.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = RFC6962.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// True when this proof shows `leafHash` at `leafIndex` in the tree with root `rootHash`.
    public func verify(leafHash: MerkleHash, rootHash expected: MerkleHash) -> Bool {
        rootHash(leafHash: leafHash) == expected
    }
}

/// An RFC 6962 / RFC 9162 consistency proof that the tree of `fromSize` leaves is a prefix of the tree
/// of `toSize` leaves.
public struct ConsistencyProof: Sendable, Equatable {
    /// The older (smaller) tree size.
    public let fromSize: UInt64
    /// The newer (larger) tree size.
    public let toSize: UInt64
    /// The proof hashes in RFC order.
    public let hashes: [MerkleHash]

    /// A proof as received from elsewhere.
    public init(fromSize: UInt64, toSize: UInt64, hashes: [MerkleHash]) {
        self.fromSize = fromSize
        self.toSize = toSize
        self.hashes = hashes
    }

    /// True when the proof shows that `fromRoot` (of `fromSize` leaves) and `toRoot` (of `toSize`
    /// leaves) belong to the same append-only log (RFC 9162 §2.1.4.2). An empty old tree is consistent
    /// with everything (empty proof); equal sizes need equal roots and an empty proof.
    public func verify(fromRoot: MerkleHash, toRoot: MerkleHash) -> Bool {
        if fromSize > toSize { return false }
        if fromSize == toSize { return hashes.isEmpty && fromRoot == toRoot }
        if fromSize == 0 { return hashes.isEmpty }
        guard !hashes.isEmpty else { return false }
        var path = hashes
        if fromSize & (fromSize - 1) == 0 { path.insert(fromRoot, at: 0) }
        var fn = fromSize - 1
        var sn = toSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = RFC6962.nodeHash(c, fr)
                sr = RFC6962.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = RFC6962.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == fromRoot && sr == toRoot && sn == 0
    }
}
