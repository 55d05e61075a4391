/// The compact range [0, size) of an RFC 6962 tree: the roots of its perfect subtrees, largest (leftmost)
/// first, one per set bit of `size`. Enough to append leaves and compute the root without the leaves.
public struct MerkleFrontier: Sendable, Equatable {
    /// Number of leaves covered.
    public private(set) var size: UInt64
    /// Perfect-subtree roots, left to right; `hashes.count == size.nonzeroBitCount`.
    public private(set) var hashes: [MerkleHash]

    /// The empty tree.
    public init() {
        size = 0
        hashes = []
    }

    /// A frontier read back from storage; nil if the hash count does not fit the size.
    public init?(size: UInt64, hashes: [MerkleHash]) {
        guard hashes.count == size.nonzeroBitCount else { return nil }
        self.size = size
        self.hashes = hashes
    }

    /// Appends one leaf hash (amortised one node hash per leaf).
    public mutating func append(_ leafHash: MerkleHash) {
        var hash = leafHash
        var s = size
        while s & 1 == 1 {
            hash = RFC6962.nodeHash(hashes.removeLast(), hash)
            s >>= 1
        }
        hashes.append(hash)
        size += 1
    }

    /// The RFC 6962 root hash of the leaves covered.
    public func rootHash() -> MerkleHash {
        guard var root = hashes.last else { return RFC6962.emptyRoot }
        for hash in hashes.dropLast().reversed() { root = RFC6962.nodeHash(hash, root) }
        return root
    }
}
