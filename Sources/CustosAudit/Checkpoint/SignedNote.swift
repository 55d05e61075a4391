import CustosCrypto
import Foundation

/// A parsed C2SP signed note: the text (ending in a newline) and its signature lines.
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        /// The key name on the line.
        public let keyName: String
        /// The first four decoded bytes, big-endian.
        public let keyID: UInt32
        /// The rest of the decoded bytes (64 for Ed25519).
        public let signature: [UInt8]
    }

    /// The signed text, including its final newline, excluding the blank separator line.
    public let text: String
    /// The signature lines in file order.
    public let signatures: [Signature]

    /// Parses a note. `file` only labels errors.
    public init(parsing bytes: [UInt8], file: String) throws(AuditError) {
        guard let whole = String(validating: bytes, as: UTF8.self) else {
            throw .malformedCheckpoint(file: file, reason: "not valid UTF-8")
        }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw .malformedCheckpoint(file: file, reason: "contains a control character")
        }
        guard whole.hasSuffix("\n") else { throw .malformedCheckpoint(file: file, reason: "does not end in a newline") }
        // The text is separated from the signatures by the last blank line.
        guard let separator = whole.range(of: "\n\n", options: .backwards) else {
            throw .malformedCheckpoint(file: file, reason: "has no blank line before the signatures")
        }
        text = String(whole[..<whole.index(after: separator.lowerBound)])
        let signatureBlock = whole[separator.upperBound...]
        var parsed = [Signature]()
        for line in signatureBlock.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard line.hasPrefix("\u{2014} ") else {
                throw .malformedCheckpoint(file: file, reason: "a signature line does not start with '— '")
            }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, let blob = Data(base64Encoded: String(fields[1])),
                  blob.count > 4
            else { throw .malformedCheckpoint(file: file, reason: "a signature line is not '— name base64'") }
            let b = [UInt8](blob)
            let id = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            parsed.append(Signature(keyName: String(fields[0]), keyID: id, signature: Array(b[4...])))
        }
        guard !parsed.isEmpty else { throw .malformedCheckpoint(file: file, reason: "has no signature line") }
        signatures = parsed
    }

    /// Checks the signatures from `key` (same name and key ID): at least one must be present and all of
    /// them must verify. Signatures from other keys are ignored, as the signed-note spec requires.
    public func verify(_ key: NoteVerifierKey) -> Bool {
        let mine = signatures.filter { $0.keyName == key.name && $0.keyID == key.keyID }
        guard !mine.isEmpty else { return false }
        let message = Array(text.utf8)
        return mine.allSatisfy { key.publicKey.isValidSignature($0.signature, for: message) }
    }
}
