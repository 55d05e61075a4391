import CustosCrypto
import XCTest

/// RFC 5869 appendix A.1-A.3: HKDF-SHA-256 (OKM compared; PRK is internal to OpenSSL's KDF).
final class HKDFVectorTests: XCTestCase {
    struct Case: Decodable {
        let `case`: Int
        let ikm: String
        let salt: String
        let info: String
        let length: Int
        let okm: String
    }

    struct File: Decodable {
        let source: String
        let cases: [Case]
    }

    func testRFC5869Cases1To3() throws {
        let file = try VectorFiles.json(File.self, "rfc5869_hkdf_sha256.json")
        XCTAssertEqual(file.cases.map(\.case), [1, 2, 3])
        for vector in file.cases {
            let okm = try HKDF.deriveKey(
                inputKeyMaterial: SymmetricKey(bytes: try hex(vector.ikm)), salt: try hex(vector.salt),
                info: try hex(vector.info), outputByteCount: vector.length)
            XCTAssertEqual(okm.byteCount, vector.length)
            XCTAssertEqual(okm.rawBytes, try hex(vector.okm), "case \(vector.case)")
        }
        print("HKDF-SHA-256 RFC 5869 cases checked: \(file.cases.count)")
    }

    func testLabelConvenienceEqualsInfoBytes() throws {
        let ikm = SymmetricKey(bytes: [UInt8](repeating: 0x0b, count: 22))
        let label = "custos/pseudonym/v1/marketing.advertising"
        let viaLabel = try HKDF.deriveKey(from: ikm, label: label)
        let viaInfo = try HKDF.deriveKey(inputKeyMaterial: ikm, info: Array(label.utf8))
        XCTAssertEqual(viaLabel.rawBytes, viaInfo.rawBytes)
        XCTAssertNotEqual(viaLabel.rawBytes, try HKDF.deriveKey(from: ikm, label: label + "x").rawBytes)
    }

    func testOutputLengthLimits() throws {
        let ikm = SymmetricKey(bytes: [UInt8](repeating: 1, count: 32))
        XCTAssertEqual(try HKDF.deriveKey(inputKeyMaterial: ikm, info: [], outputByteCount: 255 * 32).byteCount, 8160)
        for bad in [0, -1, 255 * 32 + 1] {
            XCTAssertThrowsError(try HKDF.deriveKey(inputKeyMaterial: ikm, info: [], outputByteCount: bad)) { error in
                guard case .invalidLength = error as? CryptoError else { return XCTFail("\(error)") }
            }
        }
    }
}
