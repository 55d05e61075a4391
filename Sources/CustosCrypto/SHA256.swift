import COpenSSL

/// SHA-256, one-shot and streaming.
public struct SHA256: ~Copyable {
    /// Digest length in bytes.
    public static let byteCount = 32
    private let context: OpaquePointer

    /// Starts a streaming hash.
    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, FetchedDigest.sha256, nil) == 1 else {
            fatalError("OpenSSL could not start SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds more bytes into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// Feeds more bytes into the hash.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// Feeds the UTF-8 bytes of `string` into the hash.
    public mutating func update(_ string: String) { update(Array(string.utf8)) }

    /// Finishes the hash and returns the 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest
    }

    /// SHA-256 of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        guard EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, FetchedDigest.sha256, nil) == 1 else {
            fatalError("OpenSSL SHA-256 failed")
        }
        return digest
    }

    /// SHA-256 of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { hash($0) } }

    /// SHA-256 of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) -> [UInt8] { hash(Array(string.utf8)) }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, two characters per byte.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hexadecimal (either case); nil if the text is not whole bytes of hex.
    public init?(hexString: String) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let hi = nibble(utf8[index]), let lo = nibble(utf8[index + 1]) else { return nil }
            out.append(hi << 4 | lo)
            index += 2
        }
        self = out
    }
}

/// SHA-256 fetched from the default provider once. Passing `FetchedDigest.sha256` makes OpenSSL 3 look the
/// implementation up again on every call under a global lock, which shows up when hashing millions
/// of short inputs (audit verification, HMAC blind indexes).
enum FetchedDigest {
    nonisolated(unsafe) static let sha256: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL has no SHA-256 implementation") }
        return md
    }()
}
