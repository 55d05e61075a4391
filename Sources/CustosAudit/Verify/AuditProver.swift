import CustosCrypto
import Foundation

/// Builds inclusion and consistency proofs from an audit directory. Every hash is recomputed from the
/// stored entries; when a signed checkpoint exists at the requested size, the proof carries it and the
/// recomputed root must equal its signed root.
public struct AuditProver: Sendable {
    private let reader: AuditLogReader
    private let tree: MerkleTree
    private let checkpoints: [UInt64: Checkpoint]

    /// Loads and hashes the log in `directory`; checkpoints are verified with `publicKey` under `origin`.
    public init(directory: URL, publicKey: Curve25519.Signing.PublicKey, origin: String) throws(AuditError) {
        reader = AuditLogReader(directory: directory)
        tree = try reader.merkleTree()
        let key = try NoteVerifierKey(name: origin, publicKey: publicKey)
        var byteSize = [UInt64: Checkpoint]()
        for checkpoint in try reader.checkpoints(verifier: key) { byteSize[checkpoint.size] = checkpoint }
        checkpoints = byteSize
    }

    /// Number of entries in the log.
    public var size: UInt64 { tree.size }

    /// Size of the latest signed checkpoint, if any.
    public var latestCheckpointSize: UInt64? { checkpoints.keys.max() }

    /// Proof that entry `index` is in the tree of `treeSize` entries (default: the latest checkpoint that
    /// covers it, else the whole log).
    public func inclusionProof(entry index: UInt64, treeSize: UInt64? = nil) throws(AuditError) -> AuditInclusionProof {
        let size: UInt64
        if let treeSize {
            size = treeSize
        } else if let latest = latestCheckpointSize, latest > index {
            size = latest
        } else {
            size = tree.size
        }
        let proof = try tree.inclusionProof(index: index, treeSize: size)
        let root = try tree.rootHash(treeSize: size)
        let checkpoint = checkpoints[size]
        if let checkpoint, checkpoint.rootHash != root {
            throw .checkpointMismatch(checkpoint: Checkpoint.fileName(size: size),
                                      reason: "the entries no longer reproduce its root; run `custos audit verify`")
        }
        return AuditInclusionProof(proof: proof, entryLine: try reader.line(at: index), rootHash: root,
                                   checkpoint: checkpoint)
    }

    /// Proof that the tree of `fromSize` entries is a prefix of the tree of `toSize` entries (default:
    /// the latest checkpoint, else the whole log).
    public func consistencyProof(from fromSize: UInt64, to toSize: UInt64? = nil)
        throws(AuditError) -> AuditConsistencyProof
    {
        let to = toSize ?? latestCheckpointSize ?? tree.size
        let proof = try tree.consistencyProof(fromSize: fromSize, toSize: to)
        let fromRoot = try tree.rootHash(treeSize: fromSize)
        let toRoot = try tree.rootHash(treeSize: to)
        for (size, root) in [(fromSize, fromRoot), (to, toRoot)] {
            if let c = checkpoints[size], c.rootHash != root {
                throw .checkpointMismatch(checkpoint: Checkpoint.fileName(size: size),
                                          reason: "the entries no longer reproduce its root; run `custos audit verify`")
            }
        }
        return AuditConsistencyProof(proof: proof, fromRoot: fromRoot, toRoot: toRoot,
                                     fromCheckpoint: checkpoints[fromSize], toCheckpoint: checkpoints[to])
    }
}
