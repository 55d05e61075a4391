import COpenSSL

/// OpenSSL's CSPRNG (RAND_bytes). Thread-safe; every call draws fresh bytes.
public enum SecureRandom {
    /// Fills the buffer with cryptographically secure random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var offset = 0
        while offset < buffer.count {
            let chunk = min(buffer.count - offset, Int(Int32.max))
            // RAND_bytes only fails if the OS entropy source is unavailable; continuing would be unsafe.
            guard RAND_bytes(base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), Int32(chunk)) == 1 else {
                fatalError("OpenSSL RAND_bytes failed: no entropy source; refusing to continue")
            }
            offset += chunk
        }
    }

    /// `count` fresh random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    /// A uniformly random 64-bit word.
    public static func uint64() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }
}

/// A buffered CSPRNG stream: draws RAND_bytes in 4 KiB blocks so that callers needing many
/// small random values (nonces, noise samplers) do not pay one RAND_bytes call each.
/// Not thread-safe: give each thread or job its own.
public final class BufferedSecureRandom {
    private let buffer: UnsafeMutableRawBufferPointer
    private var position: Int

    /// A stream refilled from RAND_bytes `blockSize` bytes at a time (at least 64).
    public init(blockSize: Int = 4096) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(blockSize, 64), alignment: 16)
        position = buffer.count
    }

    deinit {
        OPENSSL_cleanse(buffer.baseAddress, buffer.count)
        buffer.deallocate()
    }

    /// Copies `destination.count` random bytes into `destination`.
    public func fill(_ destination: UnsafeMutableRawBufferPointer) {
        guard let out = destination.baseAddress, let pool = buffer.baseAddress else { return }
        var written = 0
        while written < destination.count {
            if position == buffer.count {
                SecureRandom.fill(buffer)
                position = 0
            }
            let n = min(destination.count - written, buffer.count - position)
            out.advanced(by: written).copyMemory(from: pool + position, byteCount: n)
            // Consumed bytes are wiped so they cannot be handed out twice or read back later.
            OPENSSL_cleanse(pool + position, n)
            position += n
            written += n
        }
    }

    /// A uniformly random 64-bit word.
    public func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }
}
