import CustosGovernance
import CustosRights
import XCTest

@testable import CustosEngine

/// The policy's lawful bases reach art. 15 notices and the ROPA as the same basis, never as a
/// fallback (a former string mapping turned any unknown basis into legitimate interests).
final class LawfulBasisMappingTests: XCTestCase {
    func testEveryPolicyBasisMapsToTheSameRightsBasis() {
        let expected: [CustosGovernance.LawfulBasis: CustosRights.LawfulBasis] = [
            .consent: .consent, .contract: .contract, .legalObligation: .legalObligation,
            .legitimateInterest: .legitimateInterests,
        ]
        XCTAssertEqual(Set(expected.keys), Set(CustosGovernance.LawfulBasis.allCases))
        for basis in CustosGovernance.LawfulBasis.allCases {
            XCTAssertEqual(CustosRights.LawfulBasis(basis), expected[basis], "\(basis)")
        }
        // Every policy basis exists under GDPR, so a GDPR notice can always cite it.
        for basis in CustosGovernance.LawfulBasis.allCases {
            XCTAssertNotNil(CustosRights.LawfulBasis(basis).citation(in: .gdpr), "\(basis)")
        }
    }
}
