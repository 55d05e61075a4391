@testable import CustosRights
import CustosCrypto
import CustosSchema
import Foundation
import XCTest

final class ROPAAndTombstoneTests: XCTestCase {
    func activities() -> [ProcessingActivity] {
        let info = Sample.information()
        return [
            ProcessingActivity(
                purpose: info.purposes[0], subjectCategories: ["customers"],
                recipients: .stated([Recipient(name: "PostNord AB", role: "processor", purpose: "parcel delivery", country: "SE")]),
                transfers: .notApplicable(reason: "Processed within the EU/EEA only."), retention: "7 years after the order (accounting law)"),
            ProcessingActivity(
                purpose: info.purposes[1], subjectCategories: ["newsletter subscribers"],
                recipients: .stated([Recipient(name: "Mailer Inc.", role: "processor", purpose: "email delivery", country: "US")]),
                transfers: .stated([TransferSafeguard(destination: "United States", recipient: "Mailer Inc.",
                                                      safeguard: "EU-U.S. Data Privacy Framework adequacy decision (GDPR art. 45)",
                                                      howToObtainCopy: "privacy@nordhav.example")]),
                retention: "Until consent is withdrawn", securityMeasures: ["Pseudonymised mailing list export"]),
        ]
    }

    func ropa(_ activities: [ProcessingActivity]? = nil, measures: [String] = ["AES-256-GCM encryption at rest with per-subject keys",
                                                                                  "Tamper-evident audit log"]) throws -> ROPAReport {
        let catalog = try Sample.catalog()
        return try ROPAReport(controller: Sample.controller, activities: activities ?? self.activities(),
                              datasets: Array(catalog.datasets.values), securityMeasures: measures, generatedAt: instant("2024-09-10T08:00:00Z"))
    }

    func testROPAJSONHasEveryArticle30Item() throws {
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: try ropa().json().contents) as? [String: Any])
        XCTAssertEqual(json["legal_basis"] as? String, "GDPR art. 30(1)")
        XCTAssertEqual((json["controller"] as? [String: Any])?["name"] as? String, "Nordhav Handel AB")
        XCTAssertEqual((json["security_measures"] as? [String])?.count, 2)
        let activities = try XCTUnwrap(json["activities"] as? [[String: Any]])
        XCTAssertEqual(activities.map { ($0["purpose"] as? [String: Any])?["key"] as? String ?? "" }, ["marketing.email", "orders.fulfilment"])
        let marketing = activities[0]
        XCTAssertEqual(marketing["cross_border"] as? Bool, true)
        XCTAssertEqual(marketing["subject_categories"] as? [String], ["newsletter subscribers"])
        XCTAssertEqual(marketing["data_categories"] as? [String], try Sample.catalog().dataset("customers").categories)
        XCTAssertEqual(marketing["lawful_basis_citation"] as? String, "GDPR art. 6(1)(a): consent")
        XCTAssertEqual(marketing["retention"] as? String, "Until consent is withdrawn")
        let fulfilment = activities[1]
        XCTAssertEqual(fulfilment["cross_border"] as? Bool, false)
        XCTAssertEqual((fulfilment["transfers"] as? [String: Any])?["applicable"] as? Bool, false)
        XCTAssertTrue((fulfilment["data_categories"] as? [String] ?? []).contains("user.financial.transaction"), "from the orders schema")
    }

    func testROPAHTMLIsEscapedAndComplete() throws {
        var list = activities()
        list[0].purpose.description = "<b>bold</b> claims & more"
        let html = try ropa(list).html().text
        for id in ["art30-1a-controller", "activity-orders.fulfilment", "activity-marketing.email", "art30-1g-security"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), id)
        }
        XCTAssertTrue(html.contains("&lt;b&gt;bold&lt;/b&gt; claims &amp; more"))
        XCTAssertFalse(html.contains("<b>bold"))
        XCTAssertTrue(html.contains("<dt>Cross-border transfer</dt><dd>yes</dd>"))
        XCTAssertTrue(html.contains("EU-U.S. Data Privacy Framework adequacy decision (GDPR art. 45)"))
        XCTAssertTrue(html.contains("Not applicable: Processed within the EU/EEA only."))
        XCTAssertTrue(html.contains("<li>Pseudonymised mailing list export</li>"))
    }

    func testROPARefusesGaps() throws {
        XCTAssertThrowsError(try ropa(measures: [])) { error in
            guard case let .missingItem(item, _) = error as? ExportError else { return XCTFail("\(error)") }
            XCTAssertEqual(item, "GDPR art. 30(1)(g)")
        }
        var list = activities()
        list[0].purpose.datasets = ["no_such_dataset"]
        XCTAssertThrowsError(try ropa(list))
        list = activities()
        list[1].subjectCategories = []
        XCTAssertThrowsError(try ropa(list))
        list = activities()
        list[1].transfers = .stated([])
        XCTAssertThrowsError(try ropa(list))
        list = activities()
        list[0].retention = " "
        XCTAssertThrowsError(try ropa(list))
        XCTAssertThrowsError(try ropa([]))
    }

    func testTombstoneHoldsNoPersonalDataAndADeterministicDigest() throws {
        let id = DataSubjectRequestID(randomBytes: [UInt8](repeating: 0xAB, count: 16))
        let tombstone = Tombstone(requestID: id, jurisdiction: .gdpr, erasedAt: instant("2024-09-12T14:03:07.250Z"),
                                  recordsByDataset: ["orders": 2, "customers": 1, "feedback": 3])
        // The documented construction (its known answer is checked in the next test).
        let expectedDigest = SHA256.hash(Array("custos/rights/v1/tombstone".utf8) + [0] + Array(id.rawValue.utf8)).hexString
        XCTAssertEqual(tombstone.requestDigest, expectedDigest)
        XCTAssertEqual(tombstone.totalRecords, 6)
        XCTAssertEqual(tombstone.datasets.map(\.dataset), ["customers", "feedback", "orders"])
        let json = String(decoding: try tombstone.canonicalJSON(), as: UTF8.self)
        XCTAssertEqual(json, #"{"datasets":[{"dataset":"customers","records":1},{"dataset":"feedback","records":3},{"dataset":"orders","records":2}],"#
            + #""erased_at":"2024-09-12T14:03:07.250Z","jurisdiction":"GDPR","method":"\#(Tombstone.cryptoShredding)","#
            + #""request_digest":"\#(expectedDigest)"}"#)
        XCTAssertFalse(json.contains(id.rawValue), "the request id itself is not in the tombstone")
        XCTAssertEqual(try tombstone.digest(), SHA256.hash([UInt8](try tombstone.canonicalJSON())).hexString)
        XCTAssertEqual(try JSONDecoder().decode(Tombstone.self, from: try tombstone.canonicalJSON()), tombstone)
        let summary = try tombstone.auditSummary()
        XCTAssertEqual(summary["datasets"], "customers=1,feedback=3,orders=2")
        XCTAssertEqual(summary["tombstone_digest"], try tombstone.digest())
    }

    func testTombstoneDigestMatchesAnIndependentComputation() throws {
        // sha256 of "custos/rights/v1/tombstone" || 0x00 || "DSR-" + 26 zeros, computed with
        // Python's hashlib: hashlib.sha256(b"custos/rights/v1/tombstone\x00DSR-" + b"0"*26).hexdigest()
        let zero = DataSubjectRequestID(randomBytes: [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(Tombstone.requestDigest(for: zero), "529dd61705efeb8d78f27d5dc08ba942a6b2ef1a194173ac21556173f444d6a7")
    }
}
