import CustosCrypto
import XCTest

/// RFC 4231 section 4: HMAC-SHA-256 test cases 1-7.
final class HMACVectorTests: XCTestCase {
    struct Case: Decodable {
        let `case`: Int
        let key: String
        let data: String
        let mac: String
        let truncatedToBytes: Int?
    }

    struct File: Decodable {
        let source: String
        let cases: [Case]
    }

    func testRFC4231Cases1To7() throws {
        let file = try VectorFiles.json(File.self, "rfc4231_hmac_sha256.json")
        XCTAssertEqual(file.cases.map(\.case), [1, 2, 3, 4, 5, 6, 7])
        for vector in file.cases {
            let key = SymmetricKey(bytes: try hex(vector.key))
            let data = try hex(vector.data)
            let expected = try hex(vector.mac)
            let oneShot = HMACSHA256.authenticationCode(for: data, using: key)
            XCTAssertEqual(oneShot.count, HMACSHA256.byteCount)
            if let truncated = vector.truncatedToBytes {
                // Case 5: the RFC publishes only the leading 128 bits.
                XCTAssertEqual(expected.count, truncated)
                XCTAssertEqual(Array(oneShot.prefix(truncated)), expected, "case \(vector.case)")
            } else {
                XCTAssertEqual(oneShot, expected, "case \(vector.case)")
                XCTAssertTrue(HMACSHA256(key: key).isValidAuthenticationCode(expected, for: data))
            }
            // The reusable instance gives the same answer on repeated use.
            let reusable = HMACSHA256(key: key)
            XCTAssertEqual(reusable.authenticationCode(for: [1, 2, 3]).count, 32)
            XCTAssertEqual(Array(reusable.authenticationCode(for: data).prefix(expected.count)), expected)
            XCTAssertEqual(Array(reusable.authenticationCode(for: data).prefix(expected.count)), expected)
        }
        print("HMAC-SHA-256 RFC 4231 cases checked: \(file.cases.count)")
    }

    func testStringOverloadHashesUTF8() throws {
        let key = SymmetricKey(bytes: Array("Jefe".utf8))
        XCTAssertEqual(
            HMACSHA256(key: key).authenticationCode(for: "what do ya want for nothing?").hexString,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testAlteredMacOrMessageIsRejected() throws {
        let hmac = HMACSHA256(key: SymmetricKey(bytes: [UInt8](repeating: 0x0b, count: 20)))
        let message = Array("Hi There".utf8)
        let mac = hmac.authenticationCode(for: message)
        XCTAssertTrue(hmac.isValidAuthenticationCode(mac, for: message))
        for index in mac.indices {
            var bad = mac
            bad[index] ^= 0x01
            XCTAssertFalse(hmac.isValidAuthenticationCode(bad, for: message), "byte \(index)")
        }
        XCTAssertFalse(hmac.isValidAuthenticationCode(Array(mac.prefix(16)), for: message))
        XCTAssertFalse(hmac.isValidAuthenticationCode(mac, for: Array("Hi there".utf8)))
    }
}
