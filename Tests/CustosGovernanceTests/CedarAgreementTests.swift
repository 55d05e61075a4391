import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance

/// Replays the decisions Cedar (cedarpy) made on random requests against a Cedar translation of
/// the shipped policies (scripts/cedar/compare.py writes scripts/cedar/cedar-decisions.tsv) and
/// requires Custos to agree on every request: the allow/deny outcome and, where Custos reaches
/// the columns, every column's treatment.
final class CedarAgreementTests: XCTestCase {
    func testCustosAgreesWithCedarOnTheRecordedRequests() throws {
        let file = shippedPolicies.deletingLastPathComponent().appendingPathComponent("scripts/cedar/cedar-decisions.tsv")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let header = try XCTUnwrap(lines.first)
        var meta: [String: String] = [:]
        for part in header.dropFirst(2).split(separator: "\t") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { meta[String(kv[0])] = String(kv[1]) }
        }
        let policies = try loadShipped()
        XCTAssertEqual(meta["policy_version"], policies.version,
                       "the policies changed since Cedar's decisions were recorded; rerun python3 scripts/cedar/compare.py")
        let evaluator = PolicyEvaluator(policies: policies)
        var agreed = 0
        var allowed = 0
        var columnsCompared = 0
        var disagreements: [String] = []
        let rows = lines.dropFirst(2)
        for row in rows {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f.count, 10, String(row))
            guard f.count == 10 else { continue }
            let columns = f[4].split(separator: ",").map(String.init)
            let request = AccessRequest(
                principal: f[0], token: nil, role: f[1], purpose: f[2], dataset: f[3], columns: columns,
                outputMode: try XCTUnwrap(OutputMode(rawValue: f[5])), epsilon: f[6].isEmpty ? nil : Double(f[6]),
                subjectScope: f[7].isEmpty ? nil : f[7])
            let cedarAllow = f[8] == "1"
            let cedarTreatments = Dictionary(zip(columns, f[9].split(separator: ",").map(String.init)), uniquingKeysWith: { a, _ in a })
            let evaluation = evaluator.evaluate(request, authenticate: false)
            var same = evaluation.isAllowed == cedarAllow
            let decided = evaluation.columns.filter { !$0.filterOnly }
            for c in decided {
                columnsCompared += 1
                if cedarTreatments[c.column] != c.treatment.rawValue { same = false }
            }
            if same { agreed += 1 } else {
                disagreements.append("\(request): custos \(evaluation.isAllowed) \(decided.map { "\($0.column)=\($0.treatment.rawValue)" }), cedar \(cedarAllow) \(cedarTreatments)")
            }
            if cedarAllow { allowed += 1 }
        }
        print("cedar agreement: \(agreed)/\(rows.count) requests (\(allowed) allowed by Cedar, \(columnsCompared) column treatments compared)")
        XCTAssertEqual(String(rows.count), meta["count"])
        XCTAssertGreaterThanOrEqual(rows.count, 2000)
        XCTAssertGreaterThan(allowed, rows.count / 10, "the sample must include many allowed requests")
        XCTAssertEqual(disagreements, [], disagreements.prefix(5).joined(separator: "\n"))
    }
}
