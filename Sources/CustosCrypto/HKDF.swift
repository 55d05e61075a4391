import COpenSSL

/// HKDF-SHA-256 (RFC 5869) through OpenSSL's EVP_KDF.
public enum HKDF {
    /// Derives `outputByteCount` bytes (1 to 255 × 32) from input keying material, salt and context info.
    /// An empty `salt` means HashLen zero bytes, as RFC 5869 section 2.2 specifies.
    public static func deriveKey(
        inputKeyMaterial: SymmetricKey, salt: [UInt8] = [], info: [UInt8], outputByteCount: Int = 32
    ) throws -> SymmetricKey {
        guard outputByteCount > 0, outputByteCount <= maximumOutputByteCount else {
            throw CryptoError.invalidLength(what: "HKDF-SHA-256 output (at most 8160)", expected: 32, got: outputByteCount)
        }
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else {
            throw OpenSSLSupport.failure("EVP_KDF_fetch(HKDF)")
        }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else {
            throw OpenSSLSupport.failure("EVP_KDF_CTX_new")
        }
        defer { EVP_KDF_CTX_free(context) }

        var output = [UInt8](repeating: 0, count: outputByteCount)
        // Each buffer carries one spare byte that is never counted, so that no pointer handed to
        // OpenSSL is NULL even when the IKM, salt or info is empty (RFC 5869 allows all three).
        var ikm = [UInt8](repeating: 0, count: inputKeyMaterial.byteCount + 1)
        inputKeyMaterial.withUnsafeBytes { raw in ikm.withUnsafeMutableBytes { $0.copyMemory(from: raw) } }
        var saltBytes = salt + [0]
        var infoBytes = info + [0]
        defer {
            OpenSSLSupport.wipe(&ikm)
            OpenSSLSupport.wipe(&saltBytes)
            OpenSSLSupport.wipe(&infoBytes)
        }
        let ikmCount = ikm.count - 1
        let saltCount = saltBytes.count - 1
        let infoCount = infoBytes.count - 1
        // Parameter names and the digest name must outlive the OSSL_PARAM array that points at them.
        let status: Int32 = try OpenSSLSupport.withCStrings(["digest", "SHA256", "key", "salt", "info"]) { names in
            ikm.withUnsafeMutableBytes { ikmPtr in
                saltBytes.withUnsafeMutableBytes { saltPtr in
                    infoBytes.withUnsafeMutableBytes { infoPtr in
                        var params: [OSSL_PARAM] = [
                            OSSL_PARAM_construct_utf8_string(names[0], names[1], 0),
                            OSSL_PARAM_construct_octet_string(names[2], ikmPtr.baseAddress, ikmCount),
                        ]
                        // An absent salt means HashLen zero bytes (RFC 5869 §2.2), which OpenSSL applies itself.
                        if saltCount > 0 {
                            params.append(OSSL_PARAM_construct_octet_string(names[3], saltPtr.baseAddress, saltCount))
                        }
                        if infoCount > 0 {
                            params.append(OSSL_PARAM_construct_octet_string(names[4], infoPtr.baseAddress, infoCount))
                        }
                        params.append(OSSL_PARAM_construct_end())
                        return output.withUnsafeMutableBytes { out in
                            EVP_KDF_derive(context, out.bindMemory(to: UInt8.self).baseAddress, out.count, &params)
                        }
                    }
                }
            }
        }
        guard status == 1 else {
            OpenSSLSupport.wipe(&output)
            throw OpenSSLSupport.failure("EVP_KDF_derive(HKDF)")
        }
        return SymmetricKey(wipingAfterCopy: &output)
    }

    /// The longest output HKDF-SHA-256 can produce: 255 blocks of 32 bytes (RFC 5869 §2.3).
    public static let maximumOutputByteCount = 255 * 32

    /// Convenience: `info` given as a UTF-8 label such as "custos/pseudonym/v1/marketing.advertising".
    public static func deriveKey(from key: SymmetricKey, label: String, outputByteCount: Int = 32) throws -> SymmetricKey {
        try deriveKey(inputKeyMaterial: key, info: Array(label.utf8), outputByteCount: outputByteCount)
    }
}

/// scrypt (RFC 7914) through OpenSSL, for passphrase-protected key-encryption keys.
public enum Scrypt {
    /// The most memory one derivation may use (N × r × 128 bytes, plus a little): 256 MiB.
    public static let maximumMemoryByteCount: UInt64 = 256 * 1024 * 1024

    /// Derives `outputByteCount` bytes from a passphrase (its UTF-8 bytes) and salt.
    /// Parameters: N = 2^15, r = 8, p = 1 by default (about 32 MiB and 0.1 s here). N must be a
    /// power of two above 1, and N × r × 128 bytes must fit in `maximumMemoryByteCount`.
    public static func deriveKey(
        passphrase: String, salt: [UInt8], n: UInt64 = 1 << 15, r: UInt64 = 8, p: UInt64 = 1, outputByteCount: Int = 32
    ) throws -> SymmetricKey {
        guard outputByteCount > 0 else {
            throw CryptoError.invalidLength(what: "scrypt output", expected: 32, got: outputByteCount)
        }
        var output = [UInt8](repeating: 0, count: outputByteCount)
        var pass = Array(passphrase.utf8)
        defer { OpenSSLSupport.wipe(&pass) }
        let status = pass.withUnsafeBufferPointer { pw in
            pw.withMemoryRebound(to: CChar.self) { pwc in
                salt.withUnsafeBufferPointer { s in
                    EVP_PBE_scrypt(pwc.baseAddress, pwc.count, s.baseAddress, s.count, n, r, p, maximumMemoryByteCount,
                                   &output, outputByteCount)
                }
            }
        }
        guard status == 1 else {
            OpenSSLSupport.wipe(&output)
            OpenSSLSupport.clearErrors()
            throw CryptoError.openSSLFailure(
                operation: "EVP_PBE_scrypt (N must be a power of two above 1 and N*r*128 bytes at most 256 MiB)")
        }
        return SymmetricKey(wipingAfterCopy: &output)
    }
}
