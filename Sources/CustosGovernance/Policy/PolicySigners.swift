import CustosCrypto
import Foundation

/// The compliance officers whose signature makes a policy set loadable, pinned at `custos init`
/// outside `policies/` (in `keys/policy-signers`) and authenticated with an HMAC under a key derived
/// from the workspace's key hierarchy, so editing the file (adding one's own key) is detected by
/// anyone who does not hold the key-encryption key.
///
/// ```
/// custos policy signers v1
/// signer <principal id> <base64 of the 32-byte Ed25519 public key>
/// ...
/// mac <64 hex: HMAC-SHA-256 over every line above, newlines included>
/// ```
public struct PolicySigners: Sendable, Equatable {
    /// The file name inside `keys/`.
    public static let fileName = "policy-signers"
    static let header = "custos policy signers v1"

    /// One pinned signer.
    public struct Signer: Sendable, Equatable {
        public let id: String
        public let publicKey: Curve25519.Signing.PublicKey
        public init(id: String, publicKey: Curve25519.Signing.PublicKey) {
            self.id = id
            self.publicKey = publicKey
        }
    }

    /// The pinned signers, in file order.
    public let signers: [Signer]

    public init(_ signers: [Signer]) throws {
        for signer in signers where !Self.isValidSignerID(signer.id) { throw PolicyTrustError.invalidSignerID(signer.id) }
        self.signers = signers
    }

    /// The pinned signer holding `key`, if any.
    public func signer(for key: Curve25519.Signing.PublicKey) -> Signer? { signers.first { $0.publicKey == key } }

    /// The file's contents under `macKey`.
    public func rendered(macKey: SymmetricKey) -> String {
        let body = Self.header + "\n" + signers.map { "signer \($0.id) \(Data($0.publicKey.rawRepresentation).base64EncodedString())\n" }.joined()
        return body + "mac \(HMACSHA256.authenticationCode(for: Array(body.utf8), using: macKey).hexString)\n"
    }

    /// Parses and authenticates the file's bytes; any edit makes the MAC fail.
    public static func parse(_ bytes: [UInt8], macKey: SymmetricKey) throws -> PolicySigners {
        guard bytes.last == 0x0A, !bytes.contains(0), !bytes.contains(0x0D) else { throw PolicyTrustError.signersAltered }
        let body = bytes.dropLast()
        guard let macStart = body.lastIndex(of: 0x0A).map({ $0 + 1 }) else { throw PolicyTrustError.signersAltered }
        let macLine = String(decoding: body[macStart...], as: UTF8.self)
        let signed = Array(bytes[..<macStart])
        guard macLine.hasPrefix("mac "), let mac = hexBytes(String(macLine.dropFirst(4))),
              HMACSHA256(key: macKey).isValidAuthenticationCode(mac, for: signed)
        else { throw PolicyTrustError.signersAltered }
        let lines = signed.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard lines.first == header else { throw PolicyTrustError.signersAltered }
        var signers: [Signer] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "signer", let raw = Data(base64Encoded: String(fields[2])),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](raw))
            else { throw PolicyTrustError.signersAltered }
            signers.append(Signer(id: String(fields[1]), publicKey: key))
        }
        return try PolicySigners(signers)
    }

    /// Principal ids as `principals.yaml` allows them: 1–64 of `a-z 0-9 . _ -`, starting with a letter or digit.
    public static func isValidSignerID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first,
              (0x61...0x7A).contains(first) || (0x30...0x39).contains(first) else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// A short, stable name for a key: the first 16 hex digits of SHA-256 over its raw bytes.
    public static func keyID(_ key: Curve25519.Signing.PublicKey) -> String {
        String(SHA256.hash(key.rawRepresentation).hexString.prefix(16))
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.utf8.count == 64 else { return nil }
        return [UInt8](hexString: text)
    }
}
