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
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else {
            throw CryptoError.openSSLFailure(operation: "EVP_PKEY_CTX_new_id(HKDF)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: outputByteCount)
        var length = outputByteCount
        // An empty salt means HashLen zero bytes (RFC 5869 section 2.2); OpenSSL applies that itself.
        let status: Bool = inputKeyMaterial.withUnsafeBytes { ikm in
            guard EVP_PKEY_derive_init(context) == 1,
                  EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1,
                  EVP_PKEY_CTX_set1_hkdf_key(context, ikm.bindMemory(to: UInt8.self).baseAddress, Int32(ikm.count)) == 1
            else { return false }
            if !salt.isEmpty, EVP_PKEY_CTX_set1_hkdf_salt(context, salt, Int32(salt.count)) != 1 { return false }
            if !info.isEmpty, EVP_PKEY_CTX_add1_hkdf_info(context, info, Int32(info.count)) != 1 { return false }
            return EVP_PKEY_derive(context, &output, &length) == 1 && length == outputByteCount
        }
        guard status else {
            ERR_clear_error()
            throw CryptoError.openSSLFailure(operation: "HKDF derive")
        }
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
