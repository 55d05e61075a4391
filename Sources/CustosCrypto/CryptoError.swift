/// Failures of the cryptographic layer. Messages never contain key material or plaintext.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A ciphertext, tag or AAD did not authenticate: the data was altered, moved, or the key is wrong.
    case authenticationFailure
    /// A key, nonce or tag had the wrong length.
    case invalidLength(what: String, expected: Int, got: Int)
    /// A PEM or raw key could not be parsed.
    case invalidKeyEncoding(String)
    /// OpenSSL reported an internal failure in the named operation.
    case openSSLFailure(operation: String)

    /// What went wrong and what to do; never key material or plaintext.
    public var description: String {
        switch self {
        case .authenticationFailure:
            return "decryption failed: the ciphertext or its context (dataset, subject, record) was altered, or the key is wrong"
        case let .invalidLength(what, expected, got):
            return "\(what) must be \(expected) bytes, got \(got)"
        case let .invalidKeyEncoding(detail):
            return "key could not be read: \(detail)"
        case let .openSSLFailure(operation):
            return "OpenSSL failed in \(operation); check that libcrypto 3.x is installed"
        }
    }
}
