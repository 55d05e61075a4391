import CustosBase
import CustosCrypto
import XCTest

/// AES-256-GCM behaviour beyond the published vectors: tampering, lengths, context reuse.
final class AESGCMBehaviourTests: XCTestCase {
    private let key = SymmetricKey(bytes: (0..<32).map { UInt8($0) })
    private let plaintext = Array("subject 42: postcode 1012AB, spend 118.40".utf8)
    private let aad = Array("dataset=orders|subject=42|record=7".utf8)

    func testCombinedRoundTrip() throws {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: aad)
        let combined = box.combined
        XCTAssertEqual(combined.count, AES.GCM.nonceByteCount + plaintext.count + AES.GCM.tagByteCount)
        XCTAssertEqual(Array(combined.prefix(12)), box.nonce.bytes)
        let reread = try AES.GCM.SealedBox(combined: combined)
        XCTAssertEqual(reread, box)
        XCTAssertEqual(try AES.GCM.open(reread, using: key, authenticating: aad), plaintext)
        XCTAssertNotEqual(box.ciphertext, plaintext)
    }

    func testEmptyPlaintextAndEmptyAAD() throws {
        let box = try AES.GCM.seal([], using: key)
        XCTAssertEqual(box.combined.count, 28)
        XCTAssertEqual(try AES.GCM.open(try AES.GCM.SealedBox(combined: box.combined), using: key), [])
        XCTAssertThrowsError(try AES.GCM.open(box, using: key, authenticating: [0])) {
            XCTAssertEqual($0 as? CryptoError, .authenticationFailure)
        }
    }

    func testFreshNoncesDiffer() throws {
        let a = try AES.GCM.seal(plaintext, using: key)
        let b = try AES.GCM.seal(plaintext, using: key)
        XCTAssertNotEqual(a.nonce, b.nonce)
        XCTAssertNotEqual(a.ciphertext, b.ciphertext)
    }

    func testChangingAnyByteOfAADNonceCiphertextOrTagFails() throws {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: aad)
        let combined = box.combined
        // Every byte of nonce || ciphertext || tag, one bit at a time in turn.
        for index in combined.indices {
            var altered = combined
            altered[index] ^= UInt8(1 << (index % 8))
            let alteredBox = try AES.GCM.SealedBox(combined: altered)
            XCTAssertThrowsError(try AES.GCM.open(alteredBox, using: key, authenticating: aad), "byte \(index)") {
                XCTAssertEqual($0 as? CryptoError, .authenticationFailure)
            }
        }
        for index in aad.indices {
            var altered = aad
            altered[index] ^= 0x80
            XCTAssertThrowsError(try AES.GCM.open(box, using: key, authenticating: altered), "aad byte \(index)") {
                XCTAssertEqual($0 as? CryptoError, .authenticationFailure)
            }
        }
        // Truncated, extended or missing AAD, and the wrong key.
        XCTAssertThrowsError(try AES.GCM.open(box, using: key, authenticating: Array(aad.dropLast())))
        XCTAssertThrowsError(try AES.GCM.open(box, using: key, authenticating: aad + [0]))
        XCTAssertThrowsError(try AES.GCM.open(box, using: key))
        XCTAssertThrowsError(try AES.GCM.open(box, using: SymmetricKey(), authenticating: aad)) {
            XCTAssertEqual($0 as? CryptoError, .authenticationFailure)
        }
        // A ciphertext moved under another record's nonce fails.
        let other = try AES.GCM.seal(plaintext, using: key, authenticating: aad)
        let swapped = try AES.GCM.SealedBox(nonce: other.nonce, ciphertext: box.ciphertext, tag: box.tag)
        XCTAssertThrowsError(try AES.GCM.open(swapped, using: key, authenticating: aad))
        // Still opens untouched.
        XCTAssertEqual(try AES.GCM.open(box, using: key, authenticating: aad), plaintext)
    }

    func testWrongLengthsAreRefused() throws {
        for count in [0, 16, 24, 31, 33, 64] {
            let shortKey = SymmetricKey(bytes: [UInt8](repeating: 7, count: count))
            XCTAssertThrowsError(try AES.GCM.seal(plaintext, using: shortKey)) {
                XCTAssertEqual($0 as? CryptoError, .invalidLength(what: "AES-256 key", expected: 32, got: count))
            }
            let box = try AES.GCM.seal(plaintext, using: key)
            XCTAssertThrowsError(try AES.GCM.open(box, using: shortKey)) {
                XCTAssertEqual($0 as? CryptoError, .invalidLength(what: "AES-256 key", expected: 32, got: count))
            }
        }
        for count in [0, 8, 11, 13, 16] {
            XCTAssertThrowsError(try AES.GCM.Nonce(bytes: [UInt8](repeating: 1, count: count))) {
                guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
            }
        }
        XCTAssertThrowsError(try AES.GCM.SealedBox(combined: [UInt8](repeating: 0, count: 27))) {
            guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(), ciphertext: [1], tag: [1, 2, 3])) {
            guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
        }
    }

    func testContextRejectsShortOutputAndTagBuffers() throws {
        let context = AESGCMContext()
        let nonce = AES.GCM.Nonce()
        var small = [UInt8](repeating: 0, count: plaintext.count - 1)
        var tag = [UInt8](repeating: 0, count: 16)
        var shortTag = [UInt8](repeating: 0, count: 12)
        XCTAssertThrowsError(try plaintext.withUnsafeBytes { pt in
            try nonce.bytes.withUnsafeBytes { iv in
                try small.withUnsafeMutableBytes { ct in
                    try tag.withUnsafeMutableBytes { try context.seal(pt, key: key, nonce: iv, aad: UnsafeRawBufferPointer(start: nil, count: 0), ciphertext: ct, tag: $0) }
                }
            }
        }) { guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") } }
        var output = [UInt8](repeating: 0, count: plaintext.count)
        XCTAssertThrowsError(try plaintext.withUnsafeBytes { pt in
            try nonce.bytes.withUnsafeBytes { iv in
                try output.withUnsafeMutableBytes { ct in
                    try shortTag.withUnsafeMutableBytes { try context.seal(pt, key: key, nonce: iv, aad: UnsafeRawBufferPointer(start: nil, count: 0), ciphertext: ct, tag: $0) }
                }
            }
        }) { guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") } }
    }

    /// One context, many keys, nonces, AADs and lengths, interleaving seal and open and failed opens:
    /// the same bytes as the one-shot API every time.
    func testContextReusedAcrossManyKeysMatchesOneShot() throws {
        let context = AESGCMContext()
        var generator = SplitMix64(seed: 0x5EED_C057)
        for round in 0..<300 {
            let roundKey = SymmetricKey(bytes: generator.bytes(32))
            let nonce = try AES.GCM.Nonce(bytes: generator.bytes(12))
            let message = generator.bytes(Int(generator.next() % 200))
            let roundAAD = generator.bytes(Int(generator.next() % 40))
            let expected = try AES.GCM.seal(message, using: roundKey, nonce: nonce, authenticating: roundAAD)

            var ciphertext = [UInt8](repeating: 0, count: message.count)
            var tag = [UInt8](repeating: 0, count: 16)
            try message.withUnsafeBytes { pt in
                try nonce.bytes.withUnsafeBytes { iv in
                    try roundAAD.withUnsafeBytes { ad in
                        try ciphertext.withUnsafeMutableBytes { ct in
                            try tag.withUnsafeMutableBytes { tg in
                                try context.seal(pt, key: roundKey, nonce: iv, aad: ad, ciphertext: ct, tag: tg)
                            }
                        }
                    }
                }
            }
            XCTAssertEqual(ciphertext, expected.ciphertext, "round \(round)")
            XCTAssertEqual(tag, expected.tag, "round \(round)")

            // Every third round, first make the context fail an open, then open correctly.
            if round % 3 == 0 {
                var badTag = tag
                badTag[0] ^= 1
                XCTAssertThrowsError(try open(context, ciphertext, roundKey, nonce, roundAAD, badTag))
            }
            XCTAssertEqual(try open(context, ciphertext, roundKey, nonce, roundAAD, tag), message, "round \(round)")
        }
    }

    private func open(
        _ context: AESGCMContext, _ ciphertext: [UInt8], _ key: SymmetricKey, _ nonce: AES.GCM.Nonce, _ aad: [UInt8],
        _ tag: [UInt8]
    ) throws -> [UInt8] {
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        try ciphertext.withUnsafeBytes { ct in
            try nonce.bytes.withUnsafeBytes { iv in
                try aad.withUnsafeBytes { ad in
                    try tag.withUnsafeBytes { tg in
                        try plaintext.withUnsafeMutableBytes { pt in
                            try context.open(ct, key: key, nonce: iv, aad: ad, tag: tg, plaintext: pt)
                        }
                    }
                }
            }
        }
        return plaintext
    }
}

/// Test inputs from CustosBase's SplitMix64 (never for keys in production).
extension SplitMix64 {
    /// `count` bytes, the low byte of each output.
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
