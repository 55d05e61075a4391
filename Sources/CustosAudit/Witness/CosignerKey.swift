import CustosCrypto
import Foundation

/// A witness's public key, as C2SP tlog-cosignature defines Ed25519 cosigners (`cosignature/v1`):
/// key ID = first four bytes of SHA-256(name || 0x0A || 0x04 || public key), and the verifier key text
/// is `name+hex(key ID)+base64(0x04 || public key)`.
public struct CosignerKey: Sendable, Equatable {
    /// Signed-note signature type of Ed25519 cosignatures.
    public static let signatureType: UInt8 = 0x04

    /// The witness name (a schema-less URL, e.g. `dpo.example.com/witness`).
    public let name: String
    /// The witness's Ed25519 public key.
    public let publicKey: Curve25519.Signing.PublicKey
    /// The 32-bit key ID.
    public let keyID: UInt32

    /// A cosigner key for `publicKey` under `name`.
    public init(name: String, publicKey: Curve25519.Signing.PublicKey) throws(AuditError) {
        do {
            try NoteVerifierKey.validateName(name)
        } catch {
            throw .witnessUnusable(reason: "the witness name is not valid: \(error)")
        }
        self.name = name
        self.publicKey = publicKey
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, CosignerKey.signatureType] + publicKey.rawRepresentation)
        keyID = digest[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// Parses the verifier key text `name+hex(key ID)+base64(0x04 || key)`.
    public init(verifierKey text: String) throws(AuditError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
              let blob = Data(base64Encoded: String(parts[2])), blob.count == 33, blob.first == CosignerKey.signatureType,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](blob.dropFirst()))
        else {
            throw .witnessUnusable(reason: "the witness key is not 'name+keyid+base64(0x04 || Ed25519 key)' "
                                   + "(the .vkey file `custos audit witness-keygen` wrote)")
        }
        try self.init(name: String(parts[0]), publicKey: key)
        guard keyID == id else { throw .witnessUnusable(reason: "the witness key ID does not match its name and key") }
    }

    /// The verifier key text.
    public var verifierKeyText: String {
        name + "+" + keyIDHex + "+" + Data([CosignerKey.signatureType] + publicKey.rawRepresentation).base64EncodedString()
    }

    /// The key ID as 8 lower-case hex digits.
    public var keyIDHex: String {
        let s = String(keyID, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    /// What a cosignature signs: `cosignature/v1`, `time <seconds>`, then the checkpoint text.
    public static func signedMessage(checkpointText: String, timestamp: UInt64) -> [UInt8] {
        Array(("cosignature/v1\ntime " + String(timestamp) + "\n" + checkpointText).utf8)
    }

    /// What this witness's signature lines on `note` say. Lines from other keys are ignored (signed-note
    /// rule); if this key signed, every one of its lines must verify.
    public func status(of note: SignedNote) -> CosignatureStatus {
        let mine = note.signatures.filter { $0.keyName == name && $0.keyID == keyID }
        guard !mine.isEmpty else { return .absent }
        var latest: UInt64 = 0
        for line in mine {
            guard line.signature.count == 72 else {
                return .invalid(reason: "the cosignature is \(line.signature.count + 4) bytes, not 76")
            }
            let timestamp = line.signature[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard timestamp <= UInt64(Int64.max) else { return .invalid(reason: "the cosignature time is out of range") }
            let message = CosignerKey.signedMessage(checkpointText: note.text, timestamp: timestamp)
            guard publicKey.isValidSignature(Array(line.signature[8...]), for: message) else {
                return .invalid(reason: "the cosignature by '\(name)' does not verify: the checkpoint or the "
                                + "cosignature was altered")
            }
            latest = max(latest, timestamp)
        }
        return .valid(timestamp: latest)
    }
}

/// Whether a note carries a witness's cosignature.
public enum CosignatureStatus: Sendable, Equatable {
    /// No signature line by this witness.
    case absent
    /// Every line by this witness verifies; the latest cosigning time (seconds since the epoch).
    case valid(timestamp: UInt64)
    /// A line by this witness does not verify.
    case invalid(reason: String)
}

/// A witness's private key with its name: signs cosignature lines. It must never sit on the log's
/// server: whoever holds it can vouch for any history.
public struct WitnessCosigner: Sendable {
    /// The public half.
    public let key: CosignerKey
    private let privateKey: Curve25519.Signing.PrivateKey

    /// A cosigner for `privateKey` under `name`.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(AuditError) {
        let publicKey: Curve25519.Signing.PublicKey
        do {
            publicKey = try privateKey.publicKey
        } catch {
            throw .witnessUnusable(reason: "the witness private key is unusable (\(error))")
        }
        key = try CosignerKey(name: name, publicKey: publicKey)
        self.privateKey = privateKey
    }

    /// The signature line `— name base64(key ID || timestamp || signature)\n` over `checkpointText`.
    public func cosignatureLine(checkpointText: String, timestamp: UInt64) throws(AuditError) -> String {
        let signature: [UInt8]
        do {
            signature = try privateKey.signature(
                for: CosignerKey.signedMessage(checkpointText: checkpointText, timestamp: timestamp))
        } catch {
            throw .witnessUnusable(reason: "Ed25519 signing failed (\(error))")
        }
        let id = key.keyID
        var blob = [UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)]
        for shift in stride(from: 56, through: 0, by: -8) { blob.append(UInt8(timestamp >> UInt64(shift) & 0xFF)) }
        blob += signature
        return "\u{2014} " + key.name + " " + Data(blob).base64EncodedString() + "\n"
    }
}
