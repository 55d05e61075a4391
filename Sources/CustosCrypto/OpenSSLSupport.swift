import COpenSSL

/// Small helpers for calling libcrypto safely from Swift. Internal: nothing here crosses the module boundary.
enum OpenSSLSupport {
    /// Empties this thread's OpenSSL error queue. Call on every failure path, so a stale error
    /// can never be mistaken for the cause of a later, unrelated failure on the same thread.
    static func clearErrors() { ERR_clear_error() }

    /// The error to throw when the named OpenSSL call failed; empties the error queue first.
    static func failure(_ operation: String) -> CryptoError {
        ERR_clear_error()
        return CryptoError.openSSLFailure(operation: operation)
    }

    /// True while this thread's OpenSSL error queue holds an error (tests check that none is left behind).
    static var hasPendingError: Bool { ERR_peek_error() != 0 }

    /// Overwrites `bytes` with zeros in a way the optimiser may not remove.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return }
            OPENSSL_cleanse(base, raw.count)
        }
    }

    /// Runs `body` with NUL-terminated copies of `strings` that stay valid for the whole call.
    ///
    /// `OSSL_PARAM` stores the pointers it is given, so Swift's implicit String-to-pointer
    /// conversion (valid only during the one call it is passed to) must never be used for a
    /// parameter name or value that outlives that call.
    static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>]) throws -> R) throws -> R {
        var pointers: [UnsafeMutablePointer<CChar>] = []
        defer { pointers.forEach { $0.deallocate() } }
        for string in strings {
            let utf8 = Array(string.utf8)
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
            for (index, byte) in utf8.enumerated() { pointer[index] = CChar(bitPattern: byte) }
            pointer[utf8.count] = 0
            pointers.append(pointer)
        }
        return try body(pointers)
    }
}
