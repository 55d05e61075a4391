import Foundation

/// A signed tree head in C2SP tlog-checkpoint form:
///
///     <origin>\n<tree size>\n<base64 root hash>\ntime <YYYY-MM-DDTHH:MM:SS.mmmZ>\n
///
/// signed as a C2SP signed note with the log's Ed25519 key (key name = origin). The `time` extension
/// line records when the checkpoint was signed; it is covered by the signature.
public struct Checkpoint: Sendable, Equatable {
    /// The log's identity (first line; also the signing key name).
    public let origin: String
    /// Number of entries covered.
    public let size: UInt64
    /// RFC 6962 root of the first `size` entries.
    public let rootHash: MerkleHash
    /// When it was signed (ms since the Unix epoch, UTC), from the `time` extension line if present.
    public let timeMilliseconds: Int64?
    /// Extension lines other than `time`, verbatim.
    public let otherExtensions: [String]
    /// The complete signed note as stored.
    public let signedNote: String
    /// The note text (what the signature covers), verbatim.
    public let body: String

    /// The note text (body) for these values.
    public static func body(origin: String, size: UInt64, rootHash: MerkleHash, timeMilliseconds: Int64?) -> String {
        var text = origin + "\n" + String(size) + "\n" + rootHash.base64 + "\n"
        if let timeMilliseconds { text += "time " + AuditTimestamp.format(milliseconds: timeMilliseconds) + "\n" }
        return text
    }

    /// Signs a new checkpoint.
    public init(size: UInt64, rootHash: MerkleHash, timeMilliseconds: Int64, signer: NoteSigner) throws(AuditError) {
        origin = signer.verifierKey.name
        self.size = size
        self.rootHash = rootHash
        self.timeMilliseconds = timeMilliseconds
        otherExtensions = []
        body = Checkpoint.body(origin: origin, size: size, rootHash: rootHash, timeMilliseconds: timeMilliseconds)
        signedNote = try signer.sign(body)
    }

    /// Parses a stored checkpoint and verifies its signature with `key`. `file` only labels errors.
    public init(parsing bytes: [UInt8], file: String, verifier key: NoteVerifierKey) throws(AuditError) {
        let note = try SignedNote(parsing: bytes, file: file)
        guard note.signatures.contains(where: { $0.keyName == key.name && $0.keyID == key.keyID }) else {
            throw .malformedCheckpoint(
                file: file, reason: "it carries no signature by the audit key '\(key.name)' (key ID \(key.keyIDHex))")
        }
        guard note.verify(key) else {
            throw .malformedCheckpoint(file: file, reason: "its Ed25519 signature does not verify with keys/audit.pub")
        }
        try self.init(text: note.text, signedNote: String(decoding: bytes, as: UTF8.self), file: file)
        guard origin == key.name else {
            throw .malformedCheckpoint(file: file, reason: "its origin line '\(origin)' differs from the key name")
        }
    }

    private init(text: String, signedNote: String, file: String) throws(AuditError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { throw .malformedCheckpoint(file: file, reason: "text does not end in a newline") }
        lines.removeLast()
        guard lines.count >= 3 else { throw .malformedCheckpoint(file: file, reason: "fewer than three lines") }
        guard lines.allSatisfy({ !$0.isEmpty }) else { throw .malformedCheckpoint(file: file, reason: "an empty line") }
        let sizeText = lines[1]
        guard let size = UInt64(sizeText), sizeText.allSatisfy(\.isASCII), String(size) == sizeText else {
            throw .malformedCheckpoint(file: file, reason: "the tree size is not decimal without leading zeros")
        }
        guard let root = MerkleHash(base64: String(lines[2])) else {
            throw .malformedCheckpoint(file: file, reason: "the root hash is not base64 of 32 bytes")
        }
        var time: Int64?
        var others = [String]()
        for line in lines.dropFirst(3) {
            if line.hasPrefix("time "), time == nil, let t = AuditTimestamp.parse(String(line.dropFirst(5))) {
                time = t
            } else {
                others.append(String(line))
            }
        }
        origin = String(lines[0])
        self.size = size
        rootHash = root
        timeMilliseconds = time
        otherExtensions = others
        self.signedNote = signedNote
        body = text
    }

    /// The file name a checkpoint of `size` entries is stored under in `checkpoints/`.
    public static func fileName(size: UInt64) -> String {
        let digits = String(size)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".checkpoint"
    }
}
