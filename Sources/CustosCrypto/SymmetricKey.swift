import COpenSSL

/// A secret symmetric key. Its bytes are zeroed when the last copy goes away and it never prints itself.
public struct SymmetricKey: Sendable, CustomStringConvertible {
    final class Storage: @unchecked Sendable {
        var bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        deinit { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
    }
    let storage: Storage

    /// A fresh random 256-bit key from the CSPRNG.
    public init() { storage = Storage(SecureRandom.bytes(count: 32)) }

    /// Wraps existing key bytes (for example, unwrapped from the key store).
    public init(bytes: [UInt8]) { storage = Storage(bytes) }

    public var byteCount: Int { storage.bytes.count }

    /// Gives temporary access to the raw key bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.bytes.withUnsafeBytes(body)
    }

    /// A copy of the raw key bytes, for wrapping or persisting. Callers must not log it.
    public var rawBytes: [UInt8] { storage.bytes }

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
