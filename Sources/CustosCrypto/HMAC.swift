import COpenSSL

/// HMAC-SHA-256 (RFC 2104). The keyed inner and outer hash states are computed once, so each
/// message costs only its own hashing: blind indexes and pseudonyms hash millions of short inputs.
/// Not thread-safe: give each thread its own instance.
public final class HMACSHA256 {
    /// MAC length in bytes.
    public static let byteCount = 32
    private let inner: OpaquePointer
    private let outer: OpaquePointer
    private let scratch: OpaquePointer

    /// Precomputes the keyed inner and outer states for `key` (any length; RFC 2104 rules).
    public init(key: SymmetricKey) {
        guard let inner = EVP_MD_CTX_new(), let outer = EVP_MD_CTX_new(), let scratch = EVP_MD_CTX_new() else {
            fatalError("OpenSSL EVP_MD_CTX_new failed: out of memory")
        }
        self.inner = inner
        self.outer = outer
        self.scratch = scratch
        // RFC 2104: keys longer than the block are hashed first, then zero-padded to 64 bytes.
        var block = [UInt8](repeating: 0, count: 64)
        key.withUnsafeBytes { raw in
            if raw.count > 64 {
                var digest = SHA256.hash(raw)
                block.replaceSubrange(0..<digest.count, with: digest)
                OpenSSLSupport.wipe(&digest)
            } else if raw.count > 0 {
                block.replaceSubrange(0..<raw.count, with: raw)
            }
        }
        var ipad = block.map { $0 ^ 0x36 }
        var opad = block.map { $0 ^ 0x5c }
        let keyed = EVP_DigestInit_ex(inner, FetchedDigest.sha256, nil) == 1
            && EVP_DigestUpdate(inner, &ipad, 64) == 1
            && EVP_DigestInit_ex(outer, FetchedDigest.sha256, nil) == 1
            && EVP_DigestUpdate(outer, &opad, 64) == 1
        OpenSSLSupport.wipe(&block)
        OpenSSLSupport.wipe(&ipad)
        OpenSSLSupport.wipe(&opad)
        guard keyed else { fatalError("OpenSSL could not start HMAC-SHA-256: the SHA-256 provider is unavailable") }
    }

    deinit {
        EVP_MD_CTX_free(inner)
        EVP_MD_CTX_free(outer)
        EVP_MD_CTX_free(scratch)
    }

    /// Writes the 32-byte MAC of `message` into the first 32 bytes of `output` (which must hold at least 32).
    public func authenticationCode(for message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= HMACSHA256.byteCount, "HMAC output buffer too small")
        var length: UInt32 = 0
        let out = output.bindMemory(to: UInt8.self).baseAddress
        let ok = EVP_MD_CTX_copy_ex(scratch, inner) == 1
            && (message.count == 0 || EVP_DigestUpdate(scratch, message.baseAddress, message.count) == 1)
            && EVP_DigestFinal_ex(scratch, out, &length) == 1
            && EVP_MD_CTX_copy_ex(scratch, outer) == 1
            && EVP_DigestUpdate(scratch, out, Int(HMACSHA256.byteCount)) == 1
            && EVP_DigestFinal_ex(scratch, out, &length) == 1
        // A silently wrong MAC would break blind indexes and pseudonyms; failing loudly is the safe choice.
        guard ok, length == UInt32(HMACSHA256.byteCount) else { fatalError("OpenSSL HMAC-SHA-256 computation failed") }
    }

    /// The 32-byte MAC of `message`.
    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
        message.withUnsafeBytes { m in mac.withUnsafeMutableBytes { authenticationCode(for: m, into: $0) } }
        return mac
    }

    /// The 32-byte MAC of the UTF-8 bytes of `message`.
    public func authenticationCode(for message: String) -> [UInt8] { authenticationCode(for: Array(message.utf8)) }

    /// One-shot HMAC-SHA-256.
    public static func authenticationCode(for message: [UInt8], using key: SymmetricKey) -> [UInt8] {
        HMACSHA256(key: key).authenticationCode(for: message)
    }

    /// Checks a MAC in constant time.
    public func isValidAuthenticationCode(_ mac: [UInt8], for message: [UInt8]) -> Bool {
        constantTimeEquals(authenticationCode(for: message), mac)
    }
}
