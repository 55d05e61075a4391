import COpenSSL

/// Namespace mirroring CryptoKit's `AES`.
public enum AES {
    /// AES-256-GCM with 96-bit nonces and 128-bit tags, over OpenSSL's EVP interface.
    public enum GCM {
        /// AES-256 key length in bytes.
        public static let keyByteCount = 32
        /// GCM nonce length in bytes (96 bits, the only length Custos uses).
        public static let nonceByteCount = 12
        /// GCM authentication tag length in bytes (128 bits; shorter tags are refused).
        public static let tagByteCount = 16

        /// A 96-bit GCM nonce. Never reuse one with the same key.
        public struct Nonce: Sendable, Equatable {
            /// The 12 nonce bytes.
            public let bytes: [UInt8]

            /// A fresh random nonce from the CSPRNG.
            public init() { bytes = SecureRandom.bytes(count: GCM.nonceByteCount) }

            /// Wraps 12 existing nonce bytes; throws `CryptoError.invalidLength` otherwise.
            public init(bytes: [UInt8]) throws {
                guard bytes.count == GCM.nonceByteCount else {
                    throw CryptoError.invalidLength(what: "AES-GCM nonce", expected: GCM.nonceByteCount, got: bytes.count)
                }
                self.bytes = bytes
            }
        }

        /// Nonce, ciphertext and tag. `combined` is `nonce || ciphertext || tag`, the form Custos stores.
        public struct SealedBox: Sendable, Equatable {
            /// The nonce the box was sealed with.
            public let nonce: Nonce
            /// The ciphertext, as long as the plaintext.
            public let ciphertext: [UInt8]
            /// The 16-byte authentication tag over AAD and ciphertext.
            public let tag: [UInt8]

            /// Assembles a box from its parts; throws `CryptoError.invalidLength` unless the tag is 16 bytes.
            public init(nonce: Nonce, ciphertext: [UInt8], tag: [UInt8]) throws {
                guard tag.count == GCM.tagByteCount else {
                    throw CryptoError.invalidLength(what: "AES-GCM tag", expected: GCM.tagByteCount, got: tag.count)
                }
                self.nonce = nonce
                self.ciphertext = ciphertext
                self.tag = tag
            }

            /// Splits `nonce || ciphertext || tag`; throws `CryptoError.invalidLength` if shorter than 28 bytes.
            public init(combined: [UInt8]) throws {
                let overhead = GCM.nonceByteCount + GCM.tagByteCount
                guard combined.count >= overhead else {
                    throw CryptoError.invalidLength(what: "sealed box", expected: overhead, got: combined.count)
                }
                nonce = try Nonce(bytes: Array(combined[0..<GCM.nonceByteCount]))
                ciphertext = Array(combined[GCM.nonceByteCount..<(combined.count - GCM.tagByteCount)])
                tag = Array(combined[(combined.count - GCM.tagByteCount)...])
            }

            /// `nonce || ciphertext || tag`, the stored form.
            public var combined: [UInt8] { nonce.bytes + ciphertext + tag }
        }

        /// Seals `plaintext` under `key`, authenticating `aad` too.
        public static func seal(
            _ plaintext: [UInt8], using key: SymmetricKey, nonce: Nonce = Nonce(), authenticating aad: [UInt8] = []
        ) throws -> SealedBox {
            let context = AESGCMContext()
            var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
            var tag = [UInt8](repeating: 0, count: tagByteCount)
            try plaintext.withUnsafeBytes { pt in
                try nonce.bytes.withUnsafeBytes { iv in
                    try aad.withUnsafeBytes { ad in
                        try ciphertext.withUnsafeMutableBytes { ct in
                            try tag.withUnsafeMutableBytes { tg in
                                try context.seal(pt, key: key, nonce: iv, aad: ad, ciphertext: ct, tag: tg)
                            }
                        }
                    }
                }
            }
            return try SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
        }

        /// Opens a sealed box; throws `CryptoError.authenticationFailure` if anything was altered.
        public static func open(_ box: SealedBox, using key: SymmetricKey, authenticating aad: [UInt8] = []) throws -> [UInt8] {
            let context = AESGCMContext()
            var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count)
            try box.ciphertext.withUnsafeBytes { ct in
                try box.nonce.bytes.withUnsafeBytes { iv in
                    try aad.withUnsafeBytes { ad in
                        try box.tag.withUnsafeBytes { tg in
                            try plaintext.withUnsafeMutableBytes { pt in
                                try context.open(ct, key: key, nonce: iv, aad: ad, tag: tg, plaintext: pt)
                            }
                        }
                    }
                }
            }
            return plaintext
        }
    }
}

/// A reusable AES-256-GCM context for bulk sealing and opening. Creating an EVP context per
/// record costs ten times the encryption itself, so hot paths keep one of these per thread.
/// Not thread-safe.
public final class AESGCMContext {
    private let context: OpaquePointer
    /// The key (and direction) the context was last set up with. Re-using it skips the AES key
    /// schedule and GHASH table set-up, which dominate for short messages under one key
    /// (wrapping thousands of data keys under the KEK).
    private var keyed: (storage: SymmetricKey.Storage, encrypting: Bool)?

    /// Allocates the OpenSSL cipher context (stops the process only if memory is exhausted).
    public init() {
        guard let context = EVP_CIPHER_CTX_new() else {
            fatalError("OpenSSL EVP_CIPHER_CTX_new failed: out of memory")
        }
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Sets the key (unless it is the one already set, same direction) and the nonce.
    private func setUp(key: SymmetricKey, nonce: UnsafeRawBufferPointer, encrypting: Bool) throws {
        let iv = nonce.bindMemory(to: UInt8.self).baseAddress
        if let keyed, keyed.storage === key.storage, keyed.encrypting == encrypting {
            let status = encrypting ? EVP_EncryptInit_ex(context, nil, nil, nil, iv) : EVP_DecryptInit_ex(context, nil, nil, nil, iv)
            guard status == 1 else { throw OpenSSLSupport.failure(encrypting ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex") }
            return
        }
        keyed = nil
        try key.withUnsafeBytes { k in
            let raw = k.bindMemory(to: UInt8.self).baseAddress
            let status = encrypting ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, raw, iv)
                                    : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, raw, iv)
            guard status == 1 else { throw OpenSSLSupport.failure(encrypting ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex") }
        }
        keyed = (key.storage, encrypting)
    }

    /// Seals `plaintext` into `ciphertext` (at least as long) and writes the 16-byte tag.
    /// Throws `CryptoError.invalidLength` for a key that is not 32 bytes, a nonce that is not 12,
    /// a tag buffer that is not 16, or an output buffer shorter than the plaintext.
    public func seal(
        _ plaintext: UnsafeRawBufferPointer, key: SymmetricKey, nonce: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, ciphertext: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        try checkLengths(key: key, nonce: nonce, aad: aad.count, tag: tag.count, text: plaintext.count, output: ciphertext.count)
        try setUp(key: key, nonce: nonce, encrypting: true)
        var outLength: Int32 = 0
        if aad.count > 0 {
            guard EVP_EncryptUpdate(context, nil, &outLength, aad.bindMemory(to: UInt8.self).baseAddress, Int32(aad.count)) == 1
            else { throw OpenSSLSupport.failure("EVP_EncryptUpdate(aad)") }
        }
        if plaintext.count > 0 {
            guard EVP_EncryptUpdate(context, ciphertext.bindMemory(to: UInt8.self).baseAddress, &outLength,
                                    plaintext.bindMemory(to: UInt8.self).baseAddress, Int32(plaintext.count)) == 1
            else { throw OpenSSLSupport.failure("EVP_EncryptUpdate") }
        }
        // GCM's final call writes no bytes; the scratch block only satisfies the signature.
        var scratch: (UInt64, UInt64) = (0, 0)
        let finalOK = withUnsafeMutableBytes(of: &scratch) {
            EVP_EncryptFinal_ex(context, $0.bindMemory(to: UInt8.self).baseAddress, &outLength)
        }
        guard finalOK == 1 else {
            throw OpenSSLSupport.failure("EVP_EncryptFinal_ex")
        }
        guard custos_EVP_CIPHER_CTX_get_tag(context, Int32(AES.GCM.tagByteCount), tag.baseAddress) == 1 else {
            throw OpenSSLSupport.failure("EVP_CTRL_GCM_GET_TAG")
        }
    }

    /// Opens `ciphertext` into `plaintext` (at least as long). On any failure the output is zeroed
    /// and an error thrown (`CryptoError.authenticationFailure` when the tag does not match):
    /// callers never see unauthenticated bytes.
    public func open(
        _ ciphertext: UnsafeRawBufferPointer, key: SymmetricKey, nonce: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        try checkLengths(key: key, nonce: nonce, aad: aad.count, tag: tag.count, text: ciphertext.count, output: plaintext.count)
        do {
            try decrypt(ciphertext, key: key, nonce: nonce, aad: aad, tag: tag, plaintext: plaintext)
        } catch {
            if let base = plaintext.baseAddress, plaintext.count > 0 { OPENSSL_cleanse(base, plaintext.count) }
            throw error
        }
    }

    private func decrypt(
        _ ciphertext: UnsafeRawBufferPointer, key: SymmetricKey, nonce: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        try setUp(key: key, nonce: nonce, encrypting: false)
        var outLength: Int32 = 0
        if aad.count > 0 {
            guard EVP_DecryptUpdate(context, nil, &outLength, aad.bindMemory(to: UInt8.self).baseAddress, Int32(aad.count)) == 1
            else { throw OpenSSLSupport.failure("EVP_DecryptUpdate(aad)") }
        }
        if ciphertext.count > 0 {
            guard EVP_DecryptUpdate(context, plaintext.bindMemory(to: UInt8.self).baseAddress, &outLength,
                                    ciphertext.bindMemory(to: UInt8.self).baseAddress, Int32(ciphertext.count)) == 1
            else { throw OpenSSLSupport.failure("EVP_DecryptUpdate") }
        }
        // SET_TAG copies the tag and never writes through the pointer.
        guard custos_EVP_CIPHER_CTX_set_tag(context, Int32(AES.GCM.tagByteCount), UnsafeMutableRawPointer(mutating: tag.baseAddress)) == 1 else {
            throw OpenSSLSupport.failure("EVP_CTRL_GCM_SET_TAG")
        }
        var scratch: (UInt64, UInt64) = (0, 0)
        let finalOK = withUnsafeMutableBytes(of: &scratch) {
            EVP_DecryptFinal_ex(context, $0.bindMemory(to: UInt8.self).baseAddress, &outLength)
        }
        guard finalOK == 1 else {
            OpenSSLSupport.clearErrors()
            throw CryptoError.authenticationFailure
        }
    }

    private func checkLengths(
        key: SymmetricKey, nonce: UnsafeRawBufferPointer, aad: Int, tag: Int, text: Int, output: Int
    ) throws {
        guard key.byteCount == AES.GCM.keyByteCount else {
            throw CryptoError.invalidLength(what: "AES-256 key", expected: AES.GCM.keyByteCount, got: key.byteCount)
        }
        guard nonce.count == AES.GCM.nonceByteCount else {
            throw CryptoError.invalidLength(what: "AES-GCM nonce", expected: AES.GCM.nonceByteCount, got: nonce.count)
        }
        guard tag == AES.GCM.tagByteCount else {
            throw CryptoError.invalidLength(what: "AES-GCM tag", expected: AES.GCM.tagByteCount, got: tag)
        }
        // OpenSSL's EVP update calls take an `int` length.
        guard text <= Int(Int32.max) else {
            throw CryptoError.invalidLength(what: "AES-GCM message (at most 2^31-1)", expected: Int(Int32.max), got: text)
        }
        guard aad <= Int(Int32.max) else {
            throw CryptoError.invalidLength(what: "AES-GCM associated data (at most 2^31-1)", expected: Int(Int32.max), got: aad)
        }
        guard output >= text else {
            throw CryptoError.invalidLength(what: "AES-GCM output buffer", expected: text, got: output)
        }
    }
}
