import CustosBase
import CustosCrypto
import Foundation

/// A compliance officer's Ed25519 signature over a policy set's version (the digest of its manifest,
/// see ``PolicyVersion``), kept beside the policies in `policies/.signature`. Hidden files are not
/// part of the manifest, so the signature does not sign itself.
///
/// The file is six LF-terminated ASCII lines; the first five are the signed message:
///
/// ```
/// custos policy signature v1
/// version <64 hex: PolicyVersion.digest>
/// signer <principal id>
/// key <base64 of the 32-byte Ed25519 public key>
/// time <Unix milliseconds>
/// signature <base64 of the 64-byte Ed25519 signature over the five lines above>
/// ```
public struct PolicySignature: Sendable, Equatable {
    /// The file name inside `policies/`.
    public static let fileName = ".signature"
    static let header = "custos policy signature v1"

    /// The policy version signed.
    public let version: String
    /// Who signed: a principal id, pinned with this key at `init`.
    public let signer: String
    /// The signer's public key.
    public let publicKey: Curve25519.Signing.PublicKey
    /// When it was signed (Unix milliseconds).
    public let timeMilliseconds: Int64
    /// The Ed25519 signature over ``signedText``.
    public let signature: [UInt8]

    /// A signature from its fields (as read from a file; ``isValid`` says whether it verifies).
    public init(version: String, signer: String, publicKey: Curve25519.Signing.PublicKey, timeMilliseconds: Int64, signature: [UInt8]) {
        self.version = version
        self.signer = signer
        self.publicKey = publicKey
        self.timeMilliseconds = timeMilliseconds
        self.signature = signature
    }

    /// The text the signature covers.
    public var signedText: String {
        "\(Self.header)\nversion \(version)\nsigner \(signer)\nkey \(Data(publicKey.rawRepresentation).base64EncodedString())\ntime \(timeMilliseconds)\n"
    }

    /// The file's contents.
    public var text: String { signedText + "signature \(Data(signature).base64EncodedString())\n" }

    /// A short, stable name for the key: the first 16 hex digits of SHA-256 over the raw key.
    public var keyID: String { PolicySigners.keyID(publicKey) }

    /// Whether the signature is valid for its own fields (not yet whether the key is trusted).
    public var isValid: Bool { publicKey.isValidSignature(signature, for: Array(signedText.utf8)) }

    /// Signs the policy set in `directory` as it is now.
    public static func sign(directory: URL, signer: String, key: Curve25519.Signing.PrivateKey, time: Date = Date()) throws -> PolicySignature {
        guard PolicySigners.isValidSignerID(signer) else { throw PolicyTrustError.invalidSignerID(signer) }
        if let uncovered = try PolicyTrust.uncoveredFiles(directory).first { throw PolicyTrustError.uncoveredFile(uncovered) }
        let version = try PolicyVersion.digest(directory: directory)
        let publicKey = try key.publicKey
        let unsigned = PolicySignature(version: version, signer: signer, publicKey: publicKey,
                                       timeMilliseconds: Int64((time.timeIntervalSince1970 * 1000).rounded(.down)), signature: [])
        let signature = try key.signature(for: Array(unsigned.signedText.utf8))
        return PolicySignature(version: version, signer: signer, publicKey: publicKey, timeMilliseconds: unsigned.timeMilliseconds,
                               signature: signature)
    }

    /// Writes `policies/.signature` (atomically).
    public func write(to directory: URL) throws {
        // Exactly 0640 whatever the umask: a group- or world-writable signature would be refused on open.
        try AtomicFile.write(Array(text.utf8), to: directory.appendingPathComponent(Self.fileName).path, permissions: .exactly(0o640))
    }

    /// Reads `policies/.signature`; nil when there is none.
    public static func read(directory: URL) throws -> PolicySignature? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try parse([UInt8](try Data(contentsOf: url)))
    }

    /// Parses the file's bytes strictly: ASCII, LF line ends, the six lines in order, nothing else.
    public static func parse(_ bytes: [UInt8]) throws -> PolicySignature {
        func malformed(_ why: String) -> PolicyTrustError { .malformedSignature(why) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { throw malformed("it starts with a byte-order mark") }
        if bytes.contains(0) { throw malformed("it contains a NUL byte") }
        if bytes.contains(0x0D) { throw malformed("it has CR (Windows) line ends") }
        if bytes.contains(where: { $0 >= 0x80 }) { throw malformed("it contains bytes that are not ASCII") }
        guard bytes.last == 0x0A else { throw malformed("its last line does not end with a newline") }
        let lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let names = ["version", "signer", "key", "time", "signature"]
        guard lines.count == 6, lines[0] == header else {
            throw malformed("expected the line '\(header)' and five lines: \(names.joined(separator: ", "))")
        }
        var fields: [String] = []
        for (line, name) in zip(lines.dropFirst(), names) {
            guard line.hasPrefix(name + " ") else { throw malformed("expected a line starting '\(name) '") }
            fields.append(String(line.dropFirst(name.count + 1)))
        }
        guard fields[0].count == 64, fields[0].allSatisfy({ "0123456789abcdef".contains($0) }) else {
            throw malformed("the version is not 64 lower-case hex digits")
        }
        guard PolicySigners.isValidSignerID(fields[1]) else { throw malformed("the signer is not a principal id") }
        guard let keyBytes = Data(base64Encoded: fields[2]), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](keyBytes)) else {
            throw malformed("the key is not a base64 Ed25519 public key")
        }
        guard let time = Int64(fields[3]), time >= 0 else { throw malformed("the time is not Unix milliseconds") }
        guard let signature = Data(base64Encoded: fields[4]), signature.count == 64 else {
            throw malformed("the signature is not 64 bytes of base64")
        }
        return PolicySignature(version: fields[0], signer: fields[1], publicKey: key, timeMilliseconds: time, signature: [UInt8](signature))
    }
}
