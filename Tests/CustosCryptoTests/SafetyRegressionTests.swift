import CustosBase
@testable import CustosCrypto
import XCTest

/// Regression tests for the defects fixed in the CustosCrypto review (see the commit history):
/// HKDF parameter names, scrypt lengths, OpenSSL error-queue hygiene, encrypted PEMs, length limits.
final class SafetyRegressionTests: XCTestCase {
    /// HKDF is checked against the RFC 5869 construction built from HMAC-SHA-256 (itself checked
    /// against RFC 4231), over empty and non-empty IKM, salt and info and many output lengths.
    /// Before the fix every HKDF call failed: the OSSL_PARAM names pointed at freed temporaries.
    func testHKDFMatchesTheRFC5869ConstructionOverHMAC() throws {
        var generator = SplitMix64(seed: 5869)
        let shapes: [(Int, Int, Int, Int)] = [
            (0, 0, 0, 32), (0, 16, 3, 1), (1, 0, 0, 33), (22, 13, 10, 42), (32, 32, 32, 64), (80, 80, 80, 82),
            (100, 65, 200, 255 * 32), (16, 1, 1, 31),
        ]
        for (ikmLength, saltLength, infoLength, length) in shapes {
            let ikm = generator.bytes(ikmLength)
            let salt = generator.bytes(saltLength)
            let info = generator.bytes(infoLength)
            let derived = try HKDF.deriveKey(inputKeyMaterial: SymmetricKey(bytes: ikm), salt: salt, info: info, outputByteCount: length)
            XCTAssertEqual(derived.rawBytes, referenceHKDF(ikm: ikm, salt: salt, info: info, length: length),
                           "ikm \(ikmLength) salt \(saltLength) info \(infoLength) L \(length)")
        }
    }

    /// A negative scrypt output length used to trap ("Can't construct Array with count < 0").
    func testScryptRefusesNonPositiveLengths() {
        for bad in [-1, 0, Int.min] {
            XCTAssertThrowsError(try Scrypt.deriveKey(passphrase: "p", salt: [1], n: 16, r: 1, p: 1, outputByteCount: bad)) {
                guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
            }
        }
    }

    /// Failures must not leave errors on this thread's OpenSSL error queue, where a later,
    /// unrelated OpenSSL call could pick them up as its own.
    func testFailuresLeaveNoOpenSSLErrorBehind() throws {
        OpenSSLSupport.clearErrors()
        let key = SymmetricKey()
        let box = try AES.GCM.seal([1, 2, 3], using: key)
        XCTAssertThrowsError(try AES.GCM.open(box, using: SymmetricKey()))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after a failed AES-GCM open")

        XCTAssertThrowsError(try Scrypt.deriveKey(passphrase: "p", salt: [1], n: 15, r: 1, p: 1))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after a refused scrypt N")
        XCTAssertThrowsError(try Scrypt.deriveKey(passphrase: "p", salt: [1], n: 1 << 20, r: 8, p: 1))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after scrypt over its memory cap")

        XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(pemRepresentation: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after a malformed PEM")
        XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(pemRepresentation: try VectorFiles.text("openssl_x25519_private.pem")))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after a non-Ed25519 PEM")

        let signer = Curve25519.Signing.PrivateKey()
        let signature = try signer.signature(for: [1])
        var bad = signature
        bad[63] ^= 0x80
        XCTAssertFalse(try signer.publicKey.isValidSignature(bad, for: [1]))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after a rejected signature")
        // A point that is not on the curve.
        let offCurve = try Curve25519.Signing.PublicKey(rawRepresentation: [2] + [UInt8](repeating: 0, count: 31))
        XCTAssertFalse(offCurve.isValidSignature(signature, for: [1]))
        XCTAssertFalse(OpenSSLSupport.hasPendingError, "after verifying under an invalid public key")
    }

    /// An encrypted PKCS#8 key is refused with a message that says what to do. (OpenSSL's default,
    /// with no password callback, prompts "Enter PEM pass phrase:" on the terminal.)
    func testEncryptedPEMGetsAnActionableError() throws {
        let encrypted = try VectorFiles.text("openssl_ed25519_encrypted.pem")
        XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(pemRepresentation: encrypted)) { error in
            guard case let .invalidKeyEncoding(detail) = error as? CryptoError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("passphrase-encrypted"), detail)
        }
    }

    /// Lengths past OpenSSL's `int` range are refused before any conversion could trap. The
    /// buffers below claim more bytes than exist; the length check must reject them unread.
    func testOversizedAADAndMessageAreRefusedNotTrapping() throws {
        let context = AESGCMContext()
        let key = SymmetricKey()
        let nonce = AES.GCM.Nonce()
        var small = [UInt8](repeating: 0, count: 16)
        var tag = [UInt8](repeating: 0, count: 16)
        let oversized = Int(Int32.max) + 1
        try small.withUnsafeMutableBytes { storage in
            let base = try XCTUnwrap(storage.baseAddress)
            let huge = UnsafeRawBufferPointer(start: base, count: oversized)
            let hugeOut = UnsafeMutableRawBufferPointer(start: base, count: oversized)
            try nonce.bytes.withUnsafeBytes { iv in
                try tag.withUnsafeMutableBytes { tg in
                    XCTAssertThrowsError(try context.seal(UnsafeRawBufferPointer(start: base, count: 0), key: key, nonce: iv,
                                                          aad: huge, ciphertext: hugeOut, tag: tg)) {
                        guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
                    }
                    XCTAssertThrowsError(try context.seal(huge, key: key, nonce: iv, aad: UnsafeRawBufferPointer(start: base, count: 0),
                                                          ciphertext: hugeOut, tag: tg)) {
                        guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
                    }
                }
            }
        }
    }

    /// Every failed open wipes the caller's output buffer, including when the lengths are fine
    /// but the tag is wrong after a successful update wrote bytes.
    func testFailedOpenWipesOutput() throws {
        let key = SymmetricKey()
        let box = try AES.GCM.seal([UInt8](repeating: 0x41, count: 100), using: key)
        var plaintext = [UInt8](repeating: 0xEE, count: 100)
        var badTag = box.tag
        badTag[15] ^= 1
        let context = AESGCMContext()
        XCTAssertThrowsError(try box.ciphertext.withUnsafeBytes { ct in
            try box.nonce.bytes.withUnsafeBytes { iv in
                try badTag.withUnsafeBytes { tg in
                    try plaintext.withUnsafeMutableBytes {
                        try context.open(ct, key: key, nonce: iv, aad: UnsafeRawBufferPointer(start: nil, count: 0), tag: tg, plaintext: $0)
                    }
                }
            }
        })
        XCTAssertEqual(plaintext, [UInt8](repeating: 0, count: 100))
    }

    /// RFC 5869 section 2, written out over HMACSHA256.
    private func referenceHKDF(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        let prk = HMACSHA256.authenticationCode(
            for: ikm, using: SymmetricKey(bytes: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt))
        let expander = HMACSHA256(key: SymmetricKey(bytes: prk))
        var okm: [UInt8] = []
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < length {
            previous = expander.authenticationCode(for: previous + info + [counter])
            okm += previous
            counter &+= 1
        }
        return Array(okm.prefix(length))
    }
}

/// Key memory: a `SymmetricKey` owns its bytes, so wiping them on release can never be defeated by
/// copy-on-write sharing with a caller's array (before the fix the key shared the caller's buffer,
/// and its wipe in `deinit` then zeroed a fresh copy instead).
final class KeyMemoryTests: XCTestCase {
    func testKeyDoesNotShareTheCallersBuffer() {
        var input: [UInt8] = Array(1...32)
        let key = SymmetricKey(bytes: input)
        input.withUnsafeBytes { callers in
            key.withUnsafeBytes { owned in XCTAssertNotEqual(owned.baseAddress, callers.baseAddress) }
        }
        input[0] = 99
        XCTAssertEqual(key.rawBytes, Array(1...32))
        var copy = key.rawBytes
        copy[1] = 0
        XCTAssertEqual(key.rawBytes, Array(1...32))
        key.withUnsafeBytes { owned in
            copy.withUnsafeBytes { XCTAssertNotEqual(owned.baseAddress, $0.baseAddress) }
        }
    }

    func testInternalDerivationsWipeTheirScratchCopy() {
        var scratch = [UInt8](repeating: 7, count: 32)
        let key = SymmetricKey(wipingAfterCopy: &scratch)
        XCTAssertEqual(scratch, [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(key.rawBytes, [UInt8](repeating: 7, count: 32))
        XCTAssertEqual(SymmetricKey(bytes: []).byteCount, 0)
        XCTAssertEqual(SymmetricKey(bytes: []).rawBytes, [])
    }
}
