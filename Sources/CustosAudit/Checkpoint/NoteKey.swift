import CustosCrypto
import Foundation

/// A C2SP signed-note Ed25519 verifier key: a key name plus the 32-byte public key.
///
/// Key ID = the first four bytes (big-endian) of SHA-256(key name || 0x0A || 0x01 || public key),
/// as c2sp.org/signed-note defines for Ed25519 (signature type 0x01).
public struct NoteVerifierKey: Sendable, Equatable {
    /// The key name; for the audit log it equals the checkpoint origin.
    public let name: String
    /// The Ed25519 public key.
    public let publicKey: Curve25519.Signing.PublicKey
    /// The 32-bit key ID.
    public let keyID: UInt32

    /// A verifier key for `publicKey` under `name`. Throws if the name is not a valid note key name.
    public init(name: String, publicKey: Curve25519.Signing.PublicKey) throws(AuditError) {
        try NoteVerifierKey.validateName(name)
        self.name = name
        self.publicKey = publicKey
        self.keyID = NoteVerifierKey.keyID(name: name, publicKey: publicKey.rawRepresentation)
    }

    /// Parses the text form `name+hex(keyID)+base64(0x01 || public key)` (as Go's sumdb/note writes it).
    public init(verifierKey text: String) throws(AuditError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
              let blob = Data(base64Encoded: String(parts[2])), blob.count == 33, blob.first == 0x01,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](blob.dropFirst()))
        else { throw .malformedCheckpoint(file: "verifier key", reason: "not name+keyid+base64 of an Ed25519 key") }
        try self.init(name: String(parts[0]), publicKey: key)
        guard keyID == id else {
            throw .malformedCheckpoint(file: "verifier key", reason: "key ID does not match the name and key")
        }
    }

    /// The text form `name+hex(keyID)+base64(0x01 || public key)`.
    public var verifierKeyText: String {
        name + "+" + keyIDHex + "+" + Data([0x01] + publicKey.rawRepresentation).base64EncodedString()
    }

    /// The key ID as 8 lower-case hex digits.
    public var keyIDHex: String {
        let s = String(keyID, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    /// The signed-note key ID of an Ed25519 key.
    public static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + publicKey)
        return digest[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// Key names (and so origins) must be non-empty, printable, without Unicode spaces or `+`.
    public static func validateName(_ name: String) throws(AuditError) {
        guard !name.isEmpty else { throw .invalidOrigin(reason: "it is empty") }
        guard name.utf8.count <= 255 else { throw .invalidOrigin(reason: "it is longer than 255 bytes") }
        for scalar in name.unicodeScalars {
            if scalar == "+" { throw .invalidOrigin(reason: "it contains '+'") }
            if scalar.properties.isWhitespace { throw .invalidOrigin(reason: "it contains white space") }
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .control {
                throw .invalidOrigin(reason: "it contains a control character")
            }
        }
    }
}

/// A note signer: an Ed25519 private key with its key name.
public struct NoteSigner: Sendable {
    /// The matching verifier key.
    public let verifierKey: NoteVerifierKey
    private let privateKey: Curve25519.Signing.PrivateKey

    /// A signer for `privateKey` under `name`.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(AuditError) {
        let publicKey: Curve25519.Signing.PublicKey
        do {
            publicKey = try privateKey.publicKey
        } catch {
            throw .invalidOrigin(reason: "the signing key is unusable (\(error))")
        }
        self.verifierKey = try NoteVerifierKey(name: name, publicKey: publicKey)
        self.privateKey = privateKey
    }

    /// The signature line `— name base64(keyID || signature)\n` over `text`.
    public func signatureLine(for text: String) throws(AuditError) -> String {
        let signature: [UInt8]
        do {
            signature = try privateKey.signature(for: Array(text.utf8))
        } catch {
            throw .logFailed(reason: "Ed25519 signing failed (\(error))")
        }
        let id = verifierKey.keyID
        let blob = [UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)] + signature
        return "\u{2014} " + verifierKey.name + " " + Data(blob).base64EncodedString() + "\n"
    }

    /// The signed note: `text`, a blank line, the signature line.
    public func sign(_ text: String) throws(AuditError) -> String {
        text + "\n" + (try signatureLine(for: text))
    }
}
