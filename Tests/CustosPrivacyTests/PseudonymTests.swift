import CustosCrypto
@testable import CustosPrivacy
import XCTest

final class PseudonymTests: XCTestCase {
    /// Root key 00 01 02 ... 1f.
    let rootKey = SymmetricKey(bytes: Array(0..<32))

    func testMatchesAnIndependentHMACComputation() throws {
        // Expected values computed with Python's hmac/hashlib only: HKDF-SHA-256 (RFC 5869, empty
        // salt, info "custos/pseudonym/v1/<purpose>") written out by hand, then the first 16 bytes of
        // HMAC-SHA-256(purpose key, subject id).
        let marketing = try Pseudonymizer(rootKey: rootKey, purpose: "marketing.analytics")
        XCTAssertEqual(marketing.pseudonym(for: "customer-000123").text, "p_23a5e3219d1e3db967c89d4793a2f942")
        XCTAssertEqual(marketing.pseudonym(for: "customer-000124").text, "p_9ed2429503b6182a9583ecdd2d935b8a")
        let fraud = try Pseudonymizer(rootKey: rootKey, purpose: "fraud-detection")
        XCTAssertEqual(fraud.pseudonym(for: "customer-000123").text, "p_49ffd8a45db6aae7f5c7b7af247a0c15")
    }

    func testStableWithinAPurposeAndSeparatedAcrossPurposes() throws {
        let a = try Pseudonymizer(rootKey: rootKey, purpose: "churn")
        let b = try Pseudonymizer(rootKey: rootKey, purpose: "churn")
        let c = try Pseudonymizer(rootKey: rootKey, purpose: "recommendations")
        let ids = (0..<1_000).map { "subject-\($0)" }
        let pa = a.pseudonyms(for: ids)
        XCTAssertEqual(pa, b.pseudonyms(for: ids))
        XCTAssertEqual(Set(pa).count, ids.count)
        let pc = c.pseudonyms(for: ids)
        XCTAssertTrue(Set(pa).isDisjoint(with: Set(pc)))
        // Another root key gives other pseudonyms for the same purpose.
        let other = try Pseudonymizer(rootKey: SymmetricKey(bytes: [UInt8](repeating: 7, count: 32)), purpose: "churn")
        XCTAssertNotEqual(other.pseudonym(for: "subject-1"), pa[1])
    }

    func testPrintedFormRoundTrips() throws {
        let p = try Pseudonymizer(rootKey: rootKey, purpose: "churn").pseudonym(for: "x")
        XCTAssertTrue(p.text.hasPrefix("p_"))
        XCTAssertEqual(p.text.count, 34)
        XCTAssertEqual(Pseudonym(text: p.text), p)
        XCTAssertNil(Pseudonym(text: "q_00"))
        XCTAssertThrowsError(try Pseudonymizer(rootKey: rootKey, purpose: "Marketing Analytics"))
        XCTAssertThrowsError(try Pseudonymizer(rootKey: rootKey, purpose: ""))
    }
}
