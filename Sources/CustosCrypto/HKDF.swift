import COpenSSL

/// HKDF-SHA-256 (RFC 5869) through OpenSSL's EVP_KDF.
public enum HKDF {
    /// Derives `outputByteCount` bytes from input keying material, salt and context info.
    public static func deriveKey(
        inputKeyMaterial: SymmetricKey, salt: [UInt8] = [], info: [UInt8], outputByteCount: Int = 32
    ) throws -> SymmetricKey {
        guard outputByteCount > 0, outputByteCount <= 255 * 32 else {
            throw CryptoError.invalidLength(what: "HKDF output", expected: 32, got: outputByteCount)
        }
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw CryptoError.openSSLFailure(operation: "EVP_KDF_fetch(HKDF)") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { throw CryptoError.openSSLFailure(operation: "EVP_KDF_CTX_new") }
        defer { EVP_KDF_CTX_free(context) }

        var output = [UInt8](repeating: 0, count: outputByteCount)
        var ikm = inputKeyMaterial.rawBytes
        var saltBytes = salt
        var infoBytes = info
        defer { for i in ikm.indices { ikm[i] = 0 } }
        let status: Int32 = "SHA256".withCString { digestName in
            ikm.withUnsafeMutableBytes { ikmPtr in
                saltBytes.withUnsafeMutableBytes { saltPtr in
                    infoBytes.withUnsafeMutableBytes { infoPtr in
                        var params: [OSSL_PARAM] = [
                            OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: digestName), 0),
                            OSSL_PARAM_construct_octet_string("key", ikmPtr.baseAddress, ikmPtr.count),
                        ]
                        // An absent salt means HashLen zero bytes (RFC 5869 §2.2), which OpenSSL applies itself.
                        if saltPtr.count > 0 {
                            params.append(OSSL_PARAM_construct_octet_string("salt", saltPtr.baseAddress, saltPtr.count))
                        }
                        if infoPtr.count > 0 {
                            params.append(OSSL_PARAM_construct_octet_string("info", infoPtr.baseAddress, infoPtr.count))
                        }
                        params.append(OSSL_PARAM_construct_end())
                        return output.withUnsafeMutableBytes { out in
                            EVP_KDF_derive(context, out.bindMemory(to: UInt8.self).baseAddress, out.count, &params)
                        }
                    }
                }
            }
        }
        guard status == 1 else { throw CryptoError.openSSLFailure(operation: "EVP_KDF_derive(HKDF)") }
        return SymmetricKey(bytes: output)
    }

    /// Convenience: `info` given as a UTF-8 label such as "custos/pseudonym/v1/marketing.advertising".
    public static func deriveKey(from key: SymmetricKey, label: String, outputByteCount: Int = 32) throws -> SymmetricKey {
        try deriveKey(inputKeyMaterial: key, info: Array(label.utf8), outputByteCount: outputByteCount)
    }
}

/// scrypt (RFC 7914) through OpenSSL, for passphrase-protected key-encryption keys.
public enum Scrypt {
    /// Parameters: N = 2^15, r = 8, p = 1 by default (about 32 MiB and 0.1 s here).
    public static func deriveKey(
        passphrase: String, salt: [UInt8], n: UInt64 = 1 << 15, r: UInt64 = 8, p: UInt64 = 1, outputByteCount: Int = 32
    ) throws -> SymmetricKey {
        var output = [UInt8](repeating: 0, count: outputByteCount)
        let pass = Array(passphrase.utf8)
        let maxMemory: UInt64 = 256 * 1024 * 1024
        let status = pass.withUnsafeBufferPointer { pw in
            pw.withMemoryRebound(to: CChar.self) { pwc in
                EVP_PBE_scrypt(pwc.baseAddress, pwc.count, salt, salt.count, n, r, p, maxMemory, &output, outputByteCount)
            }
        }
        guard status == 1 else { throw CryptoError.openSSLFailure(operation: "EVP_PBE_scrypt") }
        return SymmetricKey(bytes: output)
    }
}
