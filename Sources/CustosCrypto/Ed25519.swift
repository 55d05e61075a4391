import COpenSSL

/// Namespace mirroring CryptoKit's `Curve25519.Signing`: Ed25519 (RFC 8032) over OpenSSL EVP_PKEY.
public enum Curve25519 {
    /// Ed25519 signing keys and verification.
    public enum Signing {
        /// An Ed25519 private key (32-byte seed).
        public struct PrivateKey: Sendable, CustomStringConvertible {
            private let seed: SymmetricKey

            /// A fresh random key.
            public init() { seed = SymmetricKey() }

            /// Wraps a 32-byte seed (RFC 8032 secret key); throws `CryptoError.invalidLength` otherwise.
            public init(rawRepresentation: [UInt8]) throws {
                guard rawRepresentation.count == 32 else {
                    throw CryptoError.invalidLength(what: "Ed25519 private key", expected: 32, got: rawRepresentation.count)
                }
                seed = SymmetricKey(bytes: rawRepresentation)
            }

            /// Reads a PKCS#8 PEM ("BEGIN PRIVATE KEY") Ed25519 key.
            public init(pemRepresentation pem: String) throws {
                let key = try PEM.read(pem, isPrivate: true)
                defer { EVP_PKEY_free(key) }
                var raw = try rawKey(key, isPrivate: true)
                seed = SymmetricKey(wipingAfterCopy: &raw)
            }

            /// The 32-byte seed. Handle as secret.
            public var rawRepresentation: [UInt8] { seed.rawBytes }

            /// PKCS#8 PEM. Handle as secret.
            public var pemRepresentation: String {
                get throws {
                    let key = try makeKey()
                    defer { EVP_PKEY_free(key) }
                    return try PEM.write(key, isPrivate: true)
                }
            }

            /// The matching public key.
            public var publicKey: PublicKey {
                get throws {
                    let key = try makeKey()
                    defer { EVP_PKEY_free(key) }
                    return try PublicKey(rawRepresentation: try rawKey(key, isPrivate: false))
                }
            }

            /// The 64-byte Ed25519 signature of `message` (deterministic, as RFC 8032 specifies).
            public func signature(for message: [UInt8]) throws -> [UInt8] {
                let key = try makeKey()
                defer { EVP_PKEY_free(key) }
                guard let md = EVP_MD_CTX_new() else { throw OpenSSLSupport.failure("EVP_MD_CTX_new") }
                defer { EVP_MD_CTX_free(md) }
                guard EVP_DigestSignInit(md, nil, nil, nil, key) == 1 else {
                    throw OpenSSLSupport.failure("EVP_DigestSignInit(Ed25519)")
                }
                var signature = [UInt8](repeating: 0, count: 64)
                var length = 64
                let status = message.withUnsafeBufferPointer { m in
                    EVP_DigestSign(md, &signature, &length, m.baseAddress, m.count)
                }
                guard status == 1, length == 64 else { throw OpenSSLSupport.failure("EVP_DigestSign(Ed25519)") }
                return signature
            }

            /// Redacted: never prints the key.
            public var description: String { "Ed25519 private key (redacted)" }

            private func makeKey() throws -> OpaquePointer {
                try seed.withUnsafeBytes { raw in
                    guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil,
                                                                 raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
                    else {
                        OpenSSLSupport.clearErrors()
                        throw CryptoError.invalidKeyEncoding("OpenSSL rejected the Ed25519 private key")
                    }
                    return key
                }
            }
        }

        /// An Ed25519 public key (32 bytes).
        public struct PublicKey: Sendable, Equatable {
            /// The 32-byte encoded public key (RFC 8032 section 5.1.2).
            public let rawRepresentation: [UInt8]

            /// Wraps a 32-byte encoded public key; throws `CryptoError.invalidLength` otherwise.
            public init(rawRepresentation: [UInt8]) throws {
                guard rawRepresentation.count == 32 else {
                    throw CryptoError.invalidLength(what: "Ed25519 public key", expected: 32, got: rawRepresentation.count)
                }
                self.rawRepresentation = rawRepresentation
            }

            /// Reads a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") Ed25519 key.
            public init(pemRepresentation pem: String) throws {
                let key = try PEM.read(pem, isPrivate: false)
                defer { EVP_PKEY_free(key) }
                try self.init(rawRepresentation: try rawKey(key, isPrivate: false))
            }

            /// SubjectPublicKeyInfo PEM, as `openssl pkey -pubout` writes it.
            public var pemRepresentation: String {
                get throws {
                    let key = try makeKey()
                    defer { EVP_PKEY_free(key) }
                    return try PEM.write(key, isPrivate: false)
                }
            }

            /// True when `signature` is a valid Ed25519 signature of `message` under this key.
            public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
                // A rejected signature is an answer, not an error: leave no error behind on this thread.
                defer { OpenSSLSupport.clearErrors() }
                guard signature.count == 64, let key = try? makeKey() else { return false }
                defer { EVP_PKEY_free(key) }
                guard let md = EVP_MD_CTX_new() else { return false }
                defer { EVP_MD_CTX_free(md) }
                guard EVP_DigestVerifyInit(md, nil, nil, nil, key) == 1 else { return false }
                return message.withUnsafeBufferPointer { m in
                    EVP_DigestVerify(md, signature, signature.count, m.baseAddress, m.count) == 1
                }
            }

            private func makeKey() throws -> OpaquePointer {
                guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, rawRepresentation.count)
                else {
                    OpenSSLSupport.clearErrors()
                    throw CryptoError.invalidKeyEncoding("OpenSSL rejected the Ed25519 public key")
                }
                return key
            }
        }
    }
}

private func rawKey(_ key: OpaquePointer, isPrivate: Bool) throws -> [UInt8] {
    guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
        throw CryptoError.invalidKeyEncoding("the PEM does not hold an Ed25519 key")
    }
    var out = [UInt8](repeating: 0, count: 32)
    var length = 32
    let status = isPrivate
        ? EVP_PKEY_get_raw_private_key(key, &out, &length)
        : EVP_PKEY_get_raw_public_key(key, &out, &length)
    guard status == 1, length == 32 else {
        OpenSSLSupport.wipe(&out)
        OpenSSLSupport.clearErrors()
        throw CryptoError.invalidKeyEncoding("could not extract the raw Ed25519 key")
    }
    return out
}

private enum PEM {
    static func read(_ pem: String, isPrivate: Bool) throws -> OpaquePointer {
        // Custos reads unencrypted keys only. Say so plainly instead of letting OpenSSL try a password.
        if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            throw CryptoError.invalidKeyEncoding(
                "the private key is passphrase-encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN.pem)")
        }
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty else {
            throw CryptoError.invalidKeyEncoding(isPrivate ? "the private key PEM is empty" : "the public key PEM is empty")
        }
        guard let bio = bytes.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw OpenSSLSupport.failure("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        // Never let OpenSSL fall back to its default password callback, which prompts on the
        // terminal and would block a server: this callback supplies no password.
        let key = isPrivate
            ? PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
            : PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in 0 }, nil)
        OpenSSLSupport.clearErrors()
        guard let key else {
            throw CryptoError.invalidKeyEncoding(isPrivate ? "not a PKCS#8 PEM private key" : "not a PEM public key")
        }
        return key
    }

    static func write(_ key: OpaquePointer, isPrivate: Bool) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLSupport.failure("BIO_new") }
        defer { BIO_free(bio) }
        let status = isPrivate
            ? PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil)
            : PEM_write_bio_PUBKEY(bio, key)
        guard status == 1 else {
            throw OpenSSLSupport.failure("PEM_write_bio")
        }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = custos_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else {
            throw OpenSSLSupport.failure("BIO_get_mem_data")
        }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
