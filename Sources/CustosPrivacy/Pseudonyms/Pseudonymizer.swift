import CustosCrypto

/// Replaces subject identifiers by keyed pseudonyms, one key per purpose.
///
/// The purpose key is `HKDF-SHA-256(root key, info: "custos/pseudonym/v1/<purpose>")`; the pseudonym
/// is the first 16 bytes of `HMAC-SHA-256(purpose key, UTF-8 subject id)`. The same subject gets the
/// same pseudonym within a purpose (joins and counts of distinct subjects work) and unlinkable
/// pseudonyms across purposes (without the root key nobody can match them).
///
/// Not thread-safe (it reuses one HMAC state); give each thread its own.
public final class Pseudonymizer {
    /// The purpose this pseudonymiser serves.
    public let purpose: String
    private let mac: HMACSHA256
    private var scratch = [UInt8](repeating: 0, count: HMACSHA256.byteCount)

    /// The HKDF info label for a purpose.
    public static func keyLabel(purpose: String) -> String { "custos/pseudonym/v1/\(purpose)" }

    /// A pseudonymiser for `purpose` under `rootKey` (the workspace's pseudonym root key).
    ///
    /// - Throws: ``PrivacyError/invalidParameter(_:)`` if the purpose is empty or has characters
    ///   other than lowercase letters, digits, '.', '_' and '-'.
    public init(rootKey: SymmetricKey, purpose: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-".utf8)
        guard !purpose.isEmpty, purpose.utf8.count <= 128, purpose.utf8.allSatisfy({ allowed.contains($0) }) else {
            throw PrivacyError.invalidParameter(
                "a purpose must be 1-128 characters of lowercase letters, digits, '.', '_' or '-'")
        }
        self.purpose = purpose
        let key = try HKDF.deriveKey(from: rootKey, label: Pseudonymizer.keyLabel(purpose: purpose))
        mac = HMACSHA256(key: key)
    }

    /// The pseudonym of a subject identifier.
    public func pseudonym(for subjectID: String) -> Pseudonym {
        var id = subjectID
        return id.withUTF8 { pseudonym(forBytes: UnsafeRawBufferPointer($0)) }
    }

    /// The pseudonym of an identifier given as raw bytes.
    public func pseudonym(forBytes identifier: UnsafeRawBufferPointer) -> Pseudonym {
        scratch.withUnsafeMutableBytes { out in
            mac.authenticationCode(for: identifier, into: out)
            let high = UInt64(bigEndian: out.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            let low = UInt64(bigEndian: out.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            return Pseudonym(high: high, low: low)
        }
    }

    /// Pseudonyms of many identifiers, in order.
    public func pseudonyms(for subjectIDs: [String]) -> [Pseudonym] {
        subjectIDs.map { pseudonym(for: $0) }
    }
}
