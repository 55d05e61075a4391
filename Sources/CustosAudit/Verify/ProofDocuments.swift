import Foundation

/// An inclusion proof for one audit entry, ready to hand to someone else: the entry's bytes, the
/// RFC 6962 audit path, the root, and the signed checkpoint at that size when one exists.
public struct AuditInclusionProof: Sendable, Equatable {
    /// The RFC 6962 proof.
    public let proof: InclusionProof
    /// The entry's stored canonical JSON line (no newline).
    public let entryLine: [UInt8]
    /// The root of the tree of `proof.treeSize` entries.
    public let rootHash: MerkleHash
    /// The signed checkpoint of that size, if one exists.
    public let checkpoint: Checkpoint?

    /// A proof document.
    public init(proof: InclusionProof, entryLine: [UInt8], rootHash: MerkleHash, checkpoint: Checkpoint?) {
        self.proof = proof
        self.entryLine = entryLine
        self.rootHash = rootHash
        self.checkpoint = checkpoint
    }

    /// The entry's leaf hash, SHA-256(0x00 || line).
    public var leafHash: MerkleHash { RFC6962.leafHash(entryLine) }

    /// True when the audit path leads from the entry to `rootHash` (and to the checkpoint's root).
    public var isValid: Bool {
        proof.verify(leafHash: leafHash, rootHash: rootHash) && (checkpoint.map { $0.rootHash == rootHash } ?? true)
    }

    /// C2SP tlog-proof text (`c2sp.org/tlog-proof@v1`), with the entry line as the `extra` data. Only
    /// available when a signed checkpoint exists at the proof's tree size.
    public var tlogProofText: String? {
        guard let checkpoint else { return nil }
        var text = "c2sp.org/tlog-proof@v1\n"
        text += "extra " + Data(entryLine).base64EncodedString() + "\n"
        text += "index \(proof.leafIndex)\n"
        for hash in proof.hashes { text += hash.base64 + "\n" }
        text += "\n" + checkpoint.signedNote
        return text
    }

    /// JSON form: index, tree size, leaf hash, hashes (base64), root, entry line, checkpoint note.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "type": .string("inclusion"),
            "leafIndex": .integer(Int64(proof.leafIndex)),
            "treeSize": .integer(Int64(proof.treeSize)),
            "leafHash": .string(leafHash.base64),
            "hashes": .array(proof.hashes.map { .string($0.base64) }),
            "rootHash": .string(rootHash.base64),
            "entry": .string(String(decoding: entryLine, as: UTF8.self)),
        ]
        if let checkpoint { o["checkpoint"] = .string(checkpoint.signedNote) }
        return .object(o)
    }
}

/// A consistency proof between two tree sizes, with the roots and the signed checkpoints at those
/// sizes when they exist.
public struct AuditConsistencyProof: Sendable, Equatable {
    /// The RFC 6962 proof.
    public let proof: ConsistencyProof
    /// Root of the older tree.
    public let fromRoot: MerkleHash
    /// Root of the newer tree.
    public let toRoot: MerkleHash
    /// Signed checkpoint at the older size, if any.
    public let fromCheckpoint: Checkpoint?
    /// Signed checkpoint at the newer size, if any.
    public let toCheckpoint: Checkpoint?

    /// True when the proof links the two roots.
    public var isValid: Bool { proof.verify(fromRoot: fromRoot, toRoot: toRoot) }

    /// JSON form: sizes, roots, hashes (base64), and the checkpoint notes.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "type": .string("consistency"),
            "fromSize": .integer(Int64(proof.fromSize)),
            "toSize": .integer(Int64(proof.toSize)),
            "fromRoot": .string(fromRoot.base64),
            "toRoot": .string(toRoot.base64),
            "hashes": .array(proof.hashes.map { .string($0.base64) }),
        ]
        if let fromCheckpoint { o["fromCheckpoint"] = .string(fromCheckpoint.signedNote) }
        if let toCheckpoint { o["toCheckpoint"] = .string(toCheckpoint.signedNote) }
        return .object(o)
    }
}

/// A parsed C2SP tlog-proof, checkable with nothing but the log's verifier key.
public struct TlogProof: Sendable, Equatable {
    /// Zero-based entry index.
    public let index: UInt64
    /// The `extra` data (for Custos: the entry's canonical line), if present.
    public let extra: [UInt8]?
    /// The audit path.
    public let hashes: [MerkleHash]
    /// The checkpoint note, verbatim.
    public let checkpointNote: [UInt8]

    /// Parses tlog-proof text.
    public init(parsing text: String) throws(AuditError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.first == "c2sp.org/tlog-proof@v1" else { throw .malformedProof(reason: "missing the c2sp.org/tlog-proof@v1 line") }
        lines = lines.dropFirst()
        var extra: [UInt8]?
        if let line = lines.first, line.hasPrefix("extra ") {
            guard let data = Data(base64Encoded: String(line.dropFirst(6))) else {
                throw .malformedProof(reason: "the extra line is not base64")
            }
            extra = [UInt8](data)
            lines = lines.dropFirst()
        }
        guard let indexLine = lines.first, indexLine.hasPrefix("index "), let index = UInt64(indexLine.dropFirst(6)),
              String(index) == indexLine.dropFirst(6)
        else { throw .malformedProof(reason: "missing or malformed index line") }
        lines = lines.dropFirst()
        var hashes = [MerkleHash]()
        while let line = lines.first, !line.isEmpty {
            guard let hash = MerkleHash(base64: String(line)) else { throw .malformedProof(reason: "a proof line is not a base64 hash") }
            hashes.append(hash)
            lines = lines.dropFirst()
        }
        guard lines.first == "" else { throw .malformedProof(reason: "missing the blank line before the checkpoint") }
        lines = lines.dropFirst()
        self.index = index
        self.extra = extra
        self.hashes = hashes
        self.checkpointNote = Array(lines.joined(separator: "\n").utf8)
    }

    /// Verifies the checkpoint signature with `key` and the inclusion of `entryLine` (default: the
    /// `extra` data) at `index`. Returns the verified checkpoint.
    public func verify(key: NoteVerifierKey, entryLine: [UInt8]? = nil) throws(AuditError) -> Checkpoint {
        let checkpoint = try Checkpoint(parsing: checkpointNote, file: "tlog-proof checkpoint", verifier: key)
        guard let line = entryLine ?? extra else { throw .malformedProof(reason: "no entry bytes to check") }
        let proof = InclusionProof(leafIndex: index, treeSize: checkpoint.size, hashes: hashes)
        guard proof.verify(leafHash: RFC6962.leafHash(line), rootHash: checkpoint.rootHash) else {
            throw .malformedProof(reason: "the audit path does not lead from the entry to the checkpoint's root")
        }
        return checkpoint
    }
}
