import COpenSSL

/// A secret symmetric key. Its bytes live in memory the key owns (never shared with a caller's
/// array), are zeroed when the last copy of the key goes away, and never print themselves.
public struct SymmetricKey: Sendable, CustomStringConvertible {
    /// Owns the key bytes. Written only in `init`, wiped and freed in `deinit`.
    // @unchecked: the buffer is written only in init and freed in deinit; in between it is only read.
    final class Storage: @unchecked Sendable {
        let buffer: UnsafeMutableRawBufferPointer

        init(byteCount: Int, initialize: (UnsafeMutableRawBufferPointer) -> Void) {
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 16)
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            initialize(buffer)
        }

        deinit {
            if let base = buffer.baseAddress, buffer.count > 0 { OPENSSL_cleanse(base, buffer.count) }
            buffer.deallocate()
        }
    }
    let storage: Storage

    /// A fresh random 256-bit key from the CSPRNG.
    public init() { storage = Storage(byteCount: 32) { SecureRandom.fill($0) } }

    /// Wraps existing key bytes (for example, unwrapped from the key store). The key keeps its own
    /// copy; wiping `bytes` afterwards is the caller's business.
    public init(bytes: [UInt8]) {
        storage = Storage(byteCount: bytes.count) { buffer in bytes.withUnsafeBytes { buffer.copyMemory(from: $0) } }
    }

    /// Takes a copy of `bytes` and then zeroes `bytes`: for key material computed inside this module.
    init(wipingAfterCopy bytes: inout [UInt8]) {
        self.init(bytes: bytes)
        OpenSSLSupport.wipe(&bytes)
    }

    /// The key length in bytes.
    public var byteCount: Int { storage.buffer.count }

    /// Gives temporary access to the raw key bytes. Do not let the pointer escape `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(storage.buffer))
    }

    /// A copy of the raw key bytes, for wrapping or persisting. Callers must not log it.
    public var rawBytes: [UInt8] { [UInt8](UnsafeRawBufferPointer(storage.buffer)) }

    /// Redacted: the bit length only, never the bytes.
    public var description: String { "SymmetricKey(\(byteCount * 8) bits, redacted)" }
}

/// Compares two byte strings in time that depends only on their lengths.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
    }
}
