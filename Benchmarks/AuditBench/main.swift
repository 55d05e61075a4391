import CustosAudit
import Foundation

let n = 1_000_000
let line = [UInt8](repeating: 0x61, count: 250)
var t = Date()
var leaves = [MerkleHash]()
leaves.reserveCapacity(n)
for _ in 0..<n { leaves.append(RFC6962.leafHash(line)) }
print("leaf hashing", Date().timeIntervalSince(t))
t = Date()
let tree = MerkleTree(leafHashes: leaves)
print("tree", Date().timeIntervalSince(t), tree.rootHash)
t = Date()
var f = MerkleFrontier()
for l in leaves { f.append(l) }
print("frontier", Date().timeIntervalSince(t), f.rootHash())
