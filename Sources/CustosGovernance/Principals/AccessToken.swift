import CustosCrypto
import Foundation

/// Bearer tokens that principals present to Custos.
///
/// A token is `custos_` followed by 43 base64url characters carrying 256 random bits from the
/// CSPRNG. Only the SHA-256 of the token is ever stored (`token_sha256` in the principals file).
///
/// Why no salt and no slow hash: salts and key stretching (scrypt, Argon2) exist because
/// passwords are low-entropy and repeat across users, so an attacker holding the hashes can try
/// likely passwords or precomputed tables. A token drawn uniformly from 2^256 values has nothing
/// to guess and never repeats, so the only attack on its hash is a SHA-256 preimage search over
/// 2^256 candidates: a per-token salt or extra iterations would add nothing. Hashes are compared
/// in constant time.
public enum AccessToken {
    /// Prefix that makes tokens recognisable to secret scanners.
    public static let prefix = "custos_"

    /// A new random token. Show it once to its holder; store only `hash(_:)`.
    public static func generate() -> String {
        let encoded = Data(SecureRandom.bytes(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + encoded
    }

    /// Lower-case hex SHA-256 of the token's UTF-8 bytes: the form kept in the principals file.
    public static func hash(_ token: String) -> String {
        SHA256.hash(Array(token.utf8)).hexString
    }

    /// Whether `token` hashes to `storedHash`, compared in constant time.
    public static func matches(_ token: String, storedHash: String) -> Bool {
        guard let stored = [UInt8](hexString: storedHash), stored.count == SHA256.byteCount else { return false }
        return constantTimeEquals(SHA256.hash(Array(token.utf8)), stored)
    }
}
