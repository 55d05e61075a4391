@testable import CustosAudit
import CustosCrypto
import XCTest

final class MerkleTests: XCTestCase {
    private func h(_ hex: String) -> MerkleHash { MerkleHash(hex: hex)! }

    private var leafHashes: [MerkleHash] {
        RFC6962Vectors.leafInputs.map { RFC6962.leafHash([UInt8](hexString: $0)!) }
    }

    func testLeafAndNodeHashesMatchReference() {
        XCTAssertEqual(leafHashes.map(\.hex), RFC6962Vectors.nodeHashes[0])
        let level1 = (0..<4).map { RFC6962.nodeHash(leafHashes[2 * $0], leafHashes[2 * $0 + 1]).hex }
        XCTAssertEqual(level1, RFC6962Vectors.nodeHashes[1])
        XCTAssertEqual(RFC6962.emptyRoot.hex, RFC6962Vectors.rootHashes[0])
    }

    func testRootsOfZeroToEightLeavesMatchReference() throws {
        let tree = MerkleTree(leafHashes: leafHashes)
        for size in 0...8 {
            let expected = RFC6962Vectors.rootHashes[size]
            XCTAssertEqual(RFC6962.rootHash(leafHashes: Array(leafHashes.prefix(size))).hex, expected, "reference, size \(size)")
            XCTAssertEqual(try tree.rootHash(treeSize: UInt64(size)).hex, expected, "levels, size \(size)")
            XCTAssertEqual(MerkleTree(leafHashes: Array(leafHashes.prefix(size))).rootHash.hex, expected)
            var frontier = MerkleFrontier()
            for leaf in leafHashes.prefix(size) { frontier.append(leaf) }
            XCTAssertEqual(frontier.rootHash().hex, expected, "frontier, size \(size)")
            let compact = RFC6962Vectors.compactTrees[size].map { RFC6962Vectors.nodeHashes[$0.0][$0.1] }
            XCTAssertEqual(frontier.hashes.map(\.hex), compact, "compact range, size \(size)")
        }
    }

    func testInclusionProofVectors() throws {
        let tree = MerkleTree(leafHashes: leafHashes)
        for vector in RFC6962Vectors.inclusionProofs {
            let index = vector.leaf - 1
            let proof = try tree.inclusionProof(index: index, treeSize: vector.size)
            XCTAssertEqual(proof.hashes.map(\.hex), vector.path, "leaf \(index) in \(vector.size)")
            let root = h(RFC6962Vectors.rootHashes[Int(vector.size)])
            XCTAssertTrue(proof.verify(leafHash: leafHashes[Int(index)], rootHash: root))
            for bad in corruptedInclusion(proof, root: root) {
                XCTAssertFalse(bad.0.verify(leafHash: leafHashes[Int(index)], rootHash: bad.1),
                               "accepted a corrupted proof for leaf \(index) in \(vector.size)")
            }
            XCTAssertFalse(proof.verify(leafHash: RFC6962.leafHash(Array("WrongLeaf".utf8)), rootHash: root))
        }
    }

    private func corruptedInclusion(_ p: InclusionProof, root: MerkleHash) -> [(InclusionProof, MerkleHash)] {
        let some = h("abacaba000000000000000000000000000000000000000000060061e00123456")
        var out: [(InclusionProof, MerkleHash)] = [
            (InclusionProof(leafIndex: p.leafIndex &- 1, treeSize: p.treeSize, hashes: p.hashes), root),
            (InclusionProof(leafIndex: p.leafIndex + 1, treeSize: p.treeSize, hashes: p.hashes), root),
            (InclusionProof(leafIndex: p.leafIndex ^ 2, treeSize: p.treeSize, hashes: p.hashes), root),
            (InclusionProof(leafIndex: p.leafIndex, treeSize: p.treeSize * 2, hashes: p.hashes), root),
            (InclusionProof(leafIndex: p.leafIndex, treeSize: p.treeSize / 2, hashes: p.hashes), root),
            (p, RFC6962.emptyRoot), (p, some),
            (InclusionProof(leafIndex: p.leafIndex, treeSize: p.treeSize, hashes: p.hashes + [root]), root),
            (InclusionProof(leafIndex: p.leafIndex, treeSize: p.treeSize, hashes: [root] + p.hashes), root),
        ]
        for i in p.hashes.indices {
            var bytes = p.hashes
            var b = bytes[i].bytes
            b[0] ^= 8
            bytes[i] = MerkleHash(bytes: b)!
            out.append((InclusionProof(leafIndex: p.leafIndex, treeSize: p.treeSize, hashes: bytes), root))
        }
        if !p.hashes.isEmpty {
            out.append((InclusionProof(leafIndex: p.leafIndex, treeSize: p.treeSize, hashes: Array(p.hashes.dropLast())), root))
        }
        return out
    }

    func testConsistencyProofVectors() throws {
        let tree = MerkleTree(leafHashes: leafHashes)
        for vector in RFC6962Vectors.consistencyProofs {
            let proof = try tree.consistencyProof(fromSize: vector.from, toSize: vector.to)
            XCTAssertEqual(proof.hashes.map(\.hex), vector.path, "\(vector.from) → \(vector.to)")
            let r1 = h(RFC6962Vectors.rootHashes[Int(vector.from)])
            let r2 = h(RFC6962Vectors.rootHashes[Int(vector.to)])
            XCTAssertTrue(proof.verify(fromRoot: r1, toRoot: r2))
            guard !proof.hashes.isEmpty else { continue }
            let probes: [(ConsistencyProof, MerkleHash, MerkleHash)] = [
                (ConsistencyProof(fromSize: vector.from - 1, toSize: vector.to, hashes: proof.hashes), r1, r2),
                (ConsistencyProof(fromSize: vector.from + 1, toSize: vector.to, hashes: proof.hashes), r1, r2),
                (ConsistencyProof(fromSize: vector.from ^ 2, toSize: vector.to, hashes: proof.hashes), r1, r2),
                (ConsistencyProof(fromSize: vector.from, toSize: vector.to * 2, hashes: proof.hashes), r1, r2),
                (ConsistencyProof(fromSize: vector.from, toSize: vector.to / 2, hashes: proof.hashes), r1, r2),
                (proof, r2, r1), (proof, r1, r1),
                (ConsistencyProof(fromSize: vector.from, toSize: vector.to, hashes: []), r1, r2),
                (ConsistencyProof(fromSize: vector.from, toSize: vector.to, hashes: proof.hashes + [r1]), r1, r2),
                (ConsistencyProof(fromSize: vector.from, toSize: vector.to, hashes: [r2] + proof.hashes), r1, r2),
                (ConsistencyProof(fromSize: vector.from, toSize: vector.to, hashes: Array(proof.hashes.dropLast())), r1, r2),
            ]
            for (i, probe) in probes.enumerated() {
                XCTAssertFalse(probe.0.verify(fromRoot: probe.1, toRoot: probe.2), "probe \(i) for \(vector.from) → \(vector.to)")
            }
        }
    }

    /// Every proof for every pair of sizes up to 70 verifies, and the level-based tree agrees with the
    /// recursive definition and the frontier.
    func testAllProofsUpToSeventyLeaves() throws {
        let leaves = (0..<70).map { RFC6962.leafHash(Array("leaf \($0)".utf8)) }
        let tree = MerkleTree(leafHashes: leaves)
        var frontier = MerkleFrontier()
        var roots = [RFC6962.emptyRoot]
        for leaf in leaves {
            frontier.append(leaf)
            roots.append(frontier.rootHash())
        }
        for size in 0...70 {
            XCTAssertEqual(roots[size], RFC6962.rootHash(leafHashes: Array(leaves.prefix(size))))
            XCTAssertEqual(try tree.rootHash(treeSize: UInt64(size)), roots[size])
        }
        for n in 1...70 {
            for m in 0..<n {
                let inclusion = try tree.inclusionProof(index: UInt64(m), treeSize: UInt64(n))
                XCTAssertTrue(inclusion.verify(leafHash: leaves[m], rootHash: roots[n]), "inclusion \(m) in \(n)")
                XCTAssertFalse(inclusion.verify(leafHash: leaves[(m + 1) % 70], rootHash: roots[n]))
                let consistency = try tree.consistencyProof(fromSize: UInt64(m), toSize: UInt64(n))
                XCTAssertTrue(consistency.verify(fromRoot: roots[m], toRoot: roots[n]), "consistency \(m) → \(n)")
                if m > 0 { XCTAssertFalse(consistency.verify(fromRoot: roots[m - 1], toRoot: roots[n])) }
            }
        }
    }
}
