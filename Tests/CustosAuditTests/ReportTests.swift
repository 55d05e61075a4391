@testable import CustosAudit
import Foundation
import XCTest

final class ReportTests: XCTestCase {
    static let day0 = 1_740_787_200.0  // 2025-03-01T00:00:00Z

    static func at(day: Int, hour: Int = 10) -> Date { Date(timeIntervalSince1970: day0 + Double(day) * 86_400 + Double(hour) * 3600) }

    static func sampleEntries(hostile: String = "<script>alert('x')</script>") -> [AuditEntry] {
        var entries = [AuditEntry]()
        // Day 0: alice runs two jobs on orders (0.5 + 0.25), bob reads events once.
        entries.append(AuditEntry(time: at(day: 0), actor: "alice", role: "analyst", action: .jobRun,
                                  purpose: "marketing", dataset: "orders", decision: .allow, epsilon: 0.5))
        entries.append(AuditEntry(time: at(day: 0, hour: 11), actor: "alice", role: "analyst", action: .jobRun,
                                  purpose: "marketing", dataset: "orders", decision: .allow, epsilon: 0.25))
        entries.append(AuditEntry(time: at(day: 0, hour: 12), actor: "bob", role: "analyst", action: .vaultRead,
                                  purpose: "support", dataset: "events", rows: 3))
        // Day 1: alice 1.0 on events; a denial for bob; a hostile principal gets denied.
        entries.append(AuditEntry(time: at(day: 1), actor: "alice", role: "analyst", action: .jobRun,
                                  purpose: "churn", dataset: "events", decision: .allow, epsilon: 1.0))
        entries.append(AuditEntry(time: at(day: 1, hour: 13), actor: "bob", role: "analyst", action: .policyDecision,
                                  purpose: "marketing", dataset: "orders", decision: .deny, reason: "no consent basis",
                                  policyVersion: "v3"))
        entries.append(AuditEntry(time: at(day: 1, hour: 14), actor: hostile, role: "analyst", action: .policyDecision,
                                  purpose: hostile, dataset: "orders", decision: .deny, reason: hostile))
        // A denied job.run carries requested epsilon that must not count as spent.
        entries.append(AuditEntry(time: at(day: 2), actor: "bob", role: "analyst", action: .jobRun,
                                  purpose: "marketing", dataset: "orders", decision: .deny, reason: "budget exhausted",
                                  epsilon: 9))
        // Data-subject requests.
        entries.append(AuditEntry(time: at(day: 0), actor: "dpo", role: "dpo", action: .dsrState, requestID: "dsr-1",
                                  details: ["type": "erasure", "jurisdiction": "GDPR", "state": "received", "due": "2025-03-10"]))
        entries.append(AuditEntry(time: at(day: 3), actor: "dpo", role: "dpo", action: .dsrState, requestID: "dsr-1",
                                  details: ["state": "in_progress"]))
        entries.append(AuditEntry(time: at(day: 1), actor: "dpo", role: "dpo", action: .dsrState, requestID: "dsr-2",
                                  details: ["type": "access", "jurisdiction": "PIPL", "state": "received", "due": "2025-03-05"]))
        entries.append(AuditEntry(time: at(day: 4), actor: "dpo", role: "dpo", action: .dsrState, requestID: "dsr-2",
                                  details: ["state": "completed"]))
        entries.append(AuditEntry(time: at(day: 2), actor: "dpo", role: "dpo", action: .dsrState, requestID: "dsr-3",
                                  details: ["type": "portability", "jurisdiction": "GDPR", "state": "received",
                                            "due": "2025-03-20"]))
        return entries
    }

    func testCountsBudgetAndOverdueFlags() throws {
        let report = AuditReport(entries: Self.sampleEntries(), asOf: Self.at(day: 14))  // 2025-03-15
        XCTAssertEqual(report.entryCount, 12)
        XCTAssertEqual(report.accessCount, 4)
        XCTAssertEqual(report.accessesByPrincipal, [.init(key: "alice", count: 3), .init(key: "bob", count: 1)])
        XCTAssertEqual(report.accessesByDataset, [.init(key: "orders", count: 2), .init(key: "events", count: 2)].sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key
        })
        XCTAssertEqual(report.accessesByPurpose.first, .init(key: "marketing", count: 2))
        XCTAssertEqual(report.denials.count, 3)
        XCTAssertEqual(Set(report.denialsByReason.map(\.key)), ["no consent basis", "budget exhausted", "<script>alert('x')</script>"])

        XCTAssertEqual(report.budgetTotals.map { "\($0.actor)/\($0.dataset)=\(AuditReport.amount($0.epsilon))" },
                       ["alice/events=1", "alice/orders=0.75"])
        XCTAssertEqual(report.budgetDaily.map { "\($0.day ?? "")/\($0.actor)/\($0.dataset)=\(AuditReport.amount($0.epsilon))" },
                       ["2025-03-01/alice/orders=0.75", "2025-03-02/alice/events=1"])
        XCTAssertEqual(report.epsilonByDay.map(\.epsilon), [0.75, 1.0])

        let requests = Dictionary(uniqueKeysWithValues: report.subjectRequests.map { ($0.requestID, $0) })
        XCTAssertEqual(requests["dsr-1"]?.state, "in_progress")
        XCTAssertEqual(requests["dsr-1"]?.type, "erasure")
        XCTAssertEqual(requests["dsr-1"]?.due, "2025-03-10")
        XCTAssertEqual(requests["dsr-1"]?.overdue, true)
        XCTAssertEqual(requests["dsr-1"]?.daysOverdue, 5)
        XCTAssertEqual(requests["dsr-2"]?.overdue, false, "completed requests are never overdue")
        XCTAssertEqual(requests["dsr-3"]?.overdue, false, "due in the future")
        XCTAssertEqual(report.subjectRequests.first?.requestID, "dsr-1", "overdue requests come first")

        // On its due date a request is not yet overdue.
        let onDueDate = AuditReport(entries: Self.sampleEntries(), asOf: Self.at(day: 9, hour: 23))
        XCTAssertEqual(onDueDate.subjectRequests.first { $0.requestID == "dsr-1" }?.overdue, false)
    }

    func testJSONIsCanonicalAndComplete() throws {
        let report = AuditReport(entries: Self.sampleEntries(), asOf: Self.at(day: 14))
        let text = report.json()
        let value = try JSONParser.parse(Array(text.utf8))
        XCTAssertEqual(CanonicalJSON.encode(value), Array(text.utf8))
        let o = try XCTUnwrap(value.objectValue)
        XCTAssertEqual(o["accesses"]?.objectValue?["total"], .integer(4))
        XCTAssertEqual(o["denials"]?.objectValue?["total"], .integer(3))
        let requests = try XCTUnwrap(o["subjectRequests"]?.arrayValue)
        XCTAssertEqual(requests.first?.objectValue?["overdue"], .bool(true))
        XCTAssertEqual(o["privacyBudget"]?.objectValue?["totals"]?.arrayValue?.count, 2)
    }

    func testHTMLEscapesHostileStrings() throws {
        let hostile = "<script>alert('x')</script>\"&"
        let report = AuditReport(entries: Self.sampleEntries(hostile: hostile), asOf: Self.at(day: 14))
        let html = try report.html()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.contains("<script"), "a data value reached the markup unescaped")
        XCTAssertFalse(html.contains("alert('x')"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"))
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertTrue(html.contains("Overdue 5 d"))
        XCTAssertTrue(html.contains("@media print"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "the page must be self-contained")
    }

    func testReportOverALogWithVerificationStatus() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let log = try TestSupport.open(dir)
        try log.append(contentsOf: Self.sampleEntries())
        try log.close()
        let verification = try TestSupport.verify(dir)
        let entries = try AuditLogReader(directory: dir).entries(
            in: DateInterval(start: Self.at(day: 0, hour: 0), end: Self.at(day: 2, hour: 0)))
        XCTAssertEqual(entries.count, 8)
        let report = AuditReport(entries: entries, asOf: Self.at(day: 14), verification: verification)
        let html = try report.html()
        XCTAssertTrue(html.contains("Verified"))
        XCTAssertTrue(html.contains(verification.rootHash.base64))
        XCTAssertEqual(report.jsonValue.objectValue?["verification"]?.objectValue?["valid"], .bool(true))
    }
}
