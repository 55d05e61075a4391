import CustosCrypto

/// The production random source: OpenSSL's CSPRNG (`RAND_bytes`), read in 4 KiB blocks through
/// CustosCrypto's `BufferedSecureRandom`.
///
/// Not thread-safe: each job (or ``PrivacyHandle``) owns its own instance.
public struct SecureRandomSource: RandomSource {
    private let stream: BufferedSecureRandom

    /// A fresh CSPRNG stream.
    public init() {
        stream = BufferedSecureRandom()
    }

    /// The next 64 bits from the CSPRNG.
    public mutating func nextUInt64() -> UInt64 {
        stream.next()
    }
}
