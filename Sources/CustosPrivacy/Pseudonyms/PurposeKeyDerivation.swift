import CustosCrypto

/// HKDF-SHA-256 (RFC 5869) built on CustosCrypto's HMAC-SHA-256, used to derive per-purpose
/// pseudonym keys.
///
/// CustosCrypto's `HKDF.deriveKey` (OpenSSL EVP_KDF) fails on this platform at the time of writing
/// (every call throws `openSSLFailure`), so the derivation is composed here from the HMAC primitive
/// instead; the output is identical by definition and is checked against RFC 5869's test vectors.
enum PurposeKeyDerivation {
    /// HKDF-Extract then HKDF-Expand. An empty salt means HashLen zero bytes (RFC 5869 §2.2).
    static func hkdfSHA256(inputKeyMaterial: SymmetricKey, salt: [UInt8], info: [UInt8], outputByteCount: Int) throws -> SymmetricKey {
        guard outputByteCount > 0, outputByteCount <= 255 * HMACSHA256.byteCount else {
            throw PrivacyError.invalidParameter("HKDF output length must be between 1 and 8160 bytes")
        }
        let saltKey = SymmetricKey(bytes: salt.isEmpty ? [UInt8](repeating: 0, count: HMACSHA256.byteCount) : salt)
        let pseudorandomKey = inputKeyMaterial.withUnsafeBytes { ikm in
            var prk = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
            prk.withUnsafeMutableBytes { HMACSHA256(key: saltKey).authenticationCode(for: ikm, into: $0) }
            return prk
        }
        let expand = HMACSHA256(key: SymmetricKey(bytes: pseudorandomKey))
        var output: [UInt8] = []
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < outputByteCount {
            block = expand.authenticationCode(for: block + info + [counter])
            output += block
            counter &+= 1
        }
        let key = SymmetricKey(bytes: Array(output.prefix(outputByteCount)))
        for i in output.indices { output[i] = 0 }
        for i in block.indices { block[i] = 0 }
        return key
    }
}
