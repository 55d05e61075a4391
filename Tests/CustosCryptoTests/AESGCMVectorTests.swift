import CustosCrypto
import XCTest

/// NIST CAVP (CAVS 14.0) AES-GCM vectors, the Keylen=256 / IVlen=96 / Taglen=128 sections.
final class AESGCMVectorTests: XCTestCase {
    func testEveryEncryptCaseGivesTheExpectedCiphertextAndTag() throws {
        let records = try VectorFiles.cavpRecords("gcmEncryptExtIV256_iv96_tag128.rsp", firstKey: "Count")
        XCTAssertEqual(records.count, 375, "the filtered file holds 25 sections of 15 cases")
        let context = AESGCMContext()
        var checked = 0
        for (index, record) in records.enumerated() {
            XCTAssertEqual(record["[Keylen]"], "256")
            XCTAssertEqual(record["[IVlen]"], "96")
            XCTAssertEqual(record["[Taglen]"], "128")
            let key = SymmetricKey(bytes: try field(record, "Key"))
            let nonce = try AES.GCM.Nonce(bytes: try field(record, "IV"))
            let plaintext = try field(record, "PT")
            let aad = try field(record, "AAD")
            let expectedCiphertext = try field(record, "CT")
            let expectedTag = try field(record, "Tag")

            let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: aad)
            XCTAssertEqual(box.ciphertext, expectedCiphertext, "encrypt case \(index) ciphertext")
            XCTAssertEqual(box.tag, expectedTag, "encrypt case \(index) tag")
            XCTAssertEqual(box.combined, nonce.bytes + expectedCiphertext + expectedTag)

            // The reusable context must give the same bytes as the one-shot call.
            var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
            var tag = [UInt8](repeating: 0, count: AES.GCM.tagByteCount)
            try plaintext.withUnsafeBytes { pt in
                try nonce.bytes.withUnsafeBytes { iv in
                    try aad.withUnsafeBytes { ad in
                        try ciphertext.withUnsafeMutableBytes { ct in
                            try tag.withUnsafeMutableBytes { tg in
                                try context.seal(pt, key: key, nonce: iv, aad: ad, ciphertext: ct, tag: tg)
                            }
                        }
                    }
                }
            }
            XCTAssertEqual(ciphertext, expectedCiphertext, "encrypt case \(index) via AESGCMContext")
            XCTAssertEqual(tag, expectedTag, "encrypt case \(index) tag via AESGCMContext")

            // And it opens again.
            XCTAssertEqual(try AES.GCM.open(box, using: key, authenticating: aad), plaintext)
            checked += 1
        }
        print("AES-256-GCM CAVP encrypt cases checked: \(checked)")
        XCTAssertEqual(checked, 375)
    }

    func testEveryDecryptCaseOpensOrFailsAuthenticationAsPublished() throws {
        let records = try VectorFiles.cavpRecords("gcmDecrypt256_iv96_tag128.rsp", firstKey: "Count")
        XCTAssertEqual(records.count, 375, "the filtered file holds 25 sections of 15 cases")
        let context = AESGCMContext()
        var passCases = 0
        var failCases = 0
        for (index, record) in records.enumerated() {
            let key = SymmetricKey(bytes: try field(record, "Key"))
            let nonce = try AES.GCM.Nonce(bytes: try field(record, "IV"))
            let ciphertext = try field(record, "CT")
            let aad = try field(record, "AAD")
            let tag = try field(record, "Tag")
            let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)

            var plaintext = [UInt8](repeating: 0xAA, count: ciphertext.count)
            let contextResult: Result<Void, Error> = Result {
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
            }

            if record["FAIL"] != nil {
                XCTAssertThrowsError(try AES.GCM.open(box, using: key, authenticating: aad), "decrypt case \(index) must fail") {
                    XCTAssertEqual($0 as? CryptoError, .authenticationFailure, "decrypt case \(index)")
                }
                guard case let .failure(error) = contextResult else {
                    XCTFail("decrypt case \(index) opened via AESGCMContext but is a FAIL case")
                    continue
                }
                XCTAssertEqual(error as? CryptoError, .authenticationFailure)
                // No unauthenticated plaintext is left behind in the caller's buffer.
                XCTAssertTrue(plaintext.allSatisfy { $0 == 0 }, "decrypt case \(index): output not wiped")
                failCases += 1
            } else {
                let expected = try field(record, "PT")
                XCTAssertEqual(try AES.GCM.open(box, using: key, authenticating: aad), expected, "decrypt case \(index)")
                XCTAssertNoThrow(try contextResult.get(), "decrypt case \(index) via AESGCMContext")
                XCTAssertEqual(plaintext, expected, "decrypt case \(index) via AESGCMContext")
                passCases += 1
            }
        }
        print("AES-256-GCM CAVP decrypt cases checked: \(passCases + failCases) (\(passCases) valid, \(failCases) FAIL)")
        XCTAssertEqual(passCases + failCases, 375)
        XCTAssertEqual(failCases, 191, "the published file has 191 FAIL cases in these sections")
    }
}
