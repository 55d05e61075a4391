import CustosCrypto
import XCTest

/// RFC 8032 section 7.1: Ed25519 TEST 1, 2, 3, 1024 and SHA(abc).
final class Ed25519VectorTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let secretKey: String
        let publicKey: String
        let message: String
        let signature: String
    }

    struct File: Decodable {
        let source: String
        let cases: [Case]
    }

    func testRFC8032Vectors() throws {
        let file = try VectorFiles.json(File.self, "rfc8032_ed25519.json")
        XCTAssertEqual(file.cases.map(\.name), ["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"])
        for vector in file.cases {
            let privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: try hex(vector.secretKey))
            let message = try hex(vector.message)
            let expectedSignature = try hex(vector.signature)
            let publicKey = try privateKey.publicKey
            XCTAssertEqual(publicKey.rawRepresentation, try hex(vector.publicKey), vector.name)
            XCTAssertEqual(try privateKey.signature(for: message), expectedSignature, vector.name)
            XCTAssertEqual(privateKey.rawRepresentation, try hex(vector.secretKey))

            let published = try Curve25519.Signing.PublicKey(rawRepresentation: try hex(vector.publicKey))
            XCTAssertTrue(published.isValidSignature(expectedSignature, for: message), vector.name)

            // A changed message fails.
            let otherMessage = message.isEmpty ? [0] : [message[0] ^ 0x01] + message.dropFirst()
            XCTAssertFalse(published.isValidSignature(expectedSignature, for: otherMessage), vector.name)
            // Every flipped signature bit fails.
            for bit in 0..<(expectedSignature.count * 8) {
                var bad = expectedSignature
                bad[bit / 8] ^= UInt8(1 << (bit % 8))
                XCTAssertFalse(published.isValidSignature(bad, for: message), "\(vector.name) bit \(bit)")
            }
            // Wrong lengths fail instead of trapping.
            XCTAssertFalse(published.isValidSignature(Array(expectedSignature.prefix(63)), for: message))
            XCTAssertFalse(published.isValidSignature(expectedSignature + [0], for: message))
            XCTAssertFalse(published.isValidSignature([], for: message))
        }
        print("Ed25519 RFC 8032 cases checked: \(file.cases.count)")
    }

    func testAnotherKeyDoesNotVerify() throws {
        let file = try VectorFiles.json(File.self, "rfc8032_ed25519.json")
        let first = file.cases[0]
        let second = file.cases[1]
        let other = try Curve25519.Signing.PublicKey(rawRepresentation: try hex(second.publicKey))
        XCTAssertFalse(other.isValidSignature(try hex(first.signature), for: try hex(first.message)))
    }

    func testWrongKeyLengthsAreRefused() {
        for count in [0, 31, 33, 64] {
            XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: count))) {
                guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
            }
            XCTAssertThrowsError(try Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](repeating: 1, count: count))) {
                guard case .invalidLength = $0 as? CryptoError else { return XCTFail("\($0)") }
            }
        }
    }

    func testRandomKeysSignAndVerifyAndDiffer() throws {
        let a = Curve25519.Signing.PrivateKey()
        let b = Curve25519.Signing.PrivateKey()
        XCTAssertNotEqual(a.rawRepresentation, b.rawRepresentation)
        let message = Array("consent withdrawn".utf8)
        let signature = try a.signature(for: message)
        XCTAssertTrue(try a.publicKey.isValidSignature(signature, for: message))
        XCTAssertFalse(try b.publicKey.isValidSignature(signature, for: message))
        XCTAssertFalse("\(a)".contains(a.rawRepresentation.hexString))
    }
}
