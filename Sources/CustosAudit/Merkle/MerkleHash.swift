import CustosCrypto
import Foundation

/// A 32-byte SHA-256 Merkle tree hash (leaf, node or root).
public struct MerkleHash: Sendable, Hashable, CustomStringConvertible {
    /// The 32 hash bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Reads standard base64 (RFC 4648 §4) of exactly 32 bytes.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64), data.count == 32, data.base64EncodedString() == base64 else {
            return nil
        }
        bytes = [UInt8](data)
    }

    /// Reads 64 hexadecimal digits.
    public init?(hex: String) {
        guard let b = [UInt8](hexString: hex), b.count == 32 else { return nil }
        bytes = b
    }

    /// Standard base64 with padding, as checkpoints and tlog-proofs write it.
    public var base64: String { Data(bytes).base64EncodedString() }

    /// Lower-case hexadecimal.
    public var hex: String { bytes.hexString }

    public var description: String { hex }
}

/// RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256.
public enum RFC6962 {
    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot = MerkleHash(unchecked: SHA256.hash([UInt8]()))

    /// Leaf hash: SHA-256(0x00 || data).
    public static func leafHash(_ data: [UInt8]) -> MerkleHash {
        data.withUnsafeBytes { raw in
            var scratch = [UInt8]()
            return leafHash(raw, scratch: &scratch)
        }
    }

    /// Leaf hash of `data`, using `scratch` to avoid an allocation per call.
    static func leafHash(_ data: UnsafeRawBufferPointer, scratch: inout [UInt8]) -> MerkleHash {
        MerkleHash(unchecked: leafHashBytes(data, scratch: &scratch))
    }

    static func leafHashBytes(_ data: UnsafeRawBufferPointer, scratch: inout [UInt8]) -> [UInt8] {
        let needed = data.count + 1
        if scratch.count < needed { scratch = [UInt8](repeating: 0, count: max(needed, 1024)) }
        return scratch.withUnsafeMutableBytes { buffer in
            buffer[0] = 0x00
            if data.count > 0, let base = data.baseAddress {
                UnsafeMutableRawBufferPointer(rebasing: buffer[1..<needed]).copyMemory(
                    from: UnsafeRawBufferPointer(start: base, count: data.count))
            }
            return SHA256.hash(UnsafeRawBufferPointer(rebasing: buffer[0..<needed]))
        }
    }

    /// Interior node hash: SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        left.bytes.withUnsafeBytes { l in
            right.bytes.withUnsafeBytes { r in MerkleHash(unchecked: nodeHashBytes(l, r)) }
        }
    }

    static func nodeHashBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 0x01
            UnsafeMutableRawBufferPointer(rebasing: buffer[1..<33]).copyMemory(from: left)
            UnsafeMutableRawBufferPointer(rebasing: buffer[33..<65]).copyMemory(from: right)
            return SHA256.hash(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The RFC's split point for `n` > 1 leaves: the largest power of two strictly smaller than `n`.
    public static func split(_ n: UInt64) -> UInt64 {
        precondition(n > 1, "split needs at least two leaves")
        return UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    /// MTH(D[n]) computed straight from the RFC's recursive definition over leaf hashes.
    /// Simple and slow; the log uses `MerkleFrontier` and `MerkleTree`.
    public static func rootHash(leafHashes: [MerkleHash]) -> MerkleHash {
        func mth(_ range: Range<Int>) -> MerkleHash {
            if range.count == 1 { return leafHashes[range.lowerBound] }
            let k = Int(split(UInt64(range.count)))
            return nodeHash(mth(range.lowerBound..<(range.lowerBound + k)), mth((range.lowerBound + k)..<range.upperBound))
        }
        return leafHashes.isEmpty ? emptyRoot : mth(0..<leafHashes.count)
    }
}
