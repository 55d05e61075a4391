import CustosVault
import CustosBase
import CustosAudit
@testable import CustosEngine
import CustosMining
import CustosPrivacy
import CustosSchema
import CustosTesting
import Foundation
import XCTest

/// DP mining jobs through the engine. Accuracy checks compare each noisy count with the exact
/// answer on the same consenting customers and allow 3x its stated 95% half-width: for discrete
/// Laplace noise a single check fails falsely with probability at most 20^-3 ≈ 1.25e-4 (sums of
/// several Laplace draws have lighter relative tails), so at most ~40 checks below give a false-failure
/// rate under 0.5%. Noise comes from fixed seeds, so a run is reproducible.
final class DPMiningJobTests: XCTestCase {
    nonisolated(unsafe) static var sharedFixture: EngineFixture?

    /// One larger workspace shared by the accuracy tests (each uses at most 2.1 ε of 8 per dataset).
    func large() throws -> EngineFixture {
        if let f = Self.sharedFixture { return f }
        let f = try EngineFixture(customers: 1_200)
        Self.sharedFixture = f
        return f
    }

    var asOf: CivilDate { CivilDate(year: 2026, month: 11, day: 1) ?? CivilDate(daysSinceEpoch: 20_758) }

    /// A released count and the half-width of its 95% interval, from the typed cell (never parsed from display text).
    func noisy(_ cell: ReleasedCell) throws -> (Int, Int) {
        let number = try XCTUnwrap(cell.number, "\(cell)")
        XCTAssertTrue(number.provenance.isRandomised, "a DP count is noisy: \(number.provenance)")
        return (Int(number.value), Int(try XCTUnwrap(number.halfWidth95, "\(cell)")))
    }

    /// The label text of a row's key cell.
    func key(_ row: [ReleasedCell]) -> String { row.first.map { if case let .label(label) = $0 { label.text } else { "" } } ?? "" }

    /// Runs `body` over the job's own frame as a DP job of negligible cost whose algorithm computes an
    /// exact answer: a test oracle on exactly the customers and rows the DP job sees.
    func oracle(_ f: EngineFixture, dataset: String, columns: [String], _ body: @escaping (JobFrame) throws -> [[String]]) throws -> [[String]] {
        let spec = JobSpec(actor: f.alice, purpose: "analytics.reporting", dataset: dataset, columns: columns, outputMode: .dpAggregate,
                           epsilon: 0.01, kind: "oracle", title: "exact answer for the test")
        // The exact answer leaves through the closure, never through the DP result.
        var exact: [[String]] = []
        _ = try f.engine.jobs.runPrivate(spec) { frame, _, _ in
            exact = try body(frame)
            return DPRelease()
        }
        return exact
    }

    // MARK: Charging and refusals

    func testEveryJobChargesExactlyItsDeclaredEpsilon() throws {
        let f = try EngineFixture(customers: 80)
        f.engine.noiseSourceOverride = SeededRandomSource(seed: 1)
        var p = DPMiningParameters()
        p.asOf = asOf
        p.seed = 5
        let rfm = try f.engine.jobs.dpRFM(actor: f.alice, purpose: "analytics.reporting", epsilon: 0.6, parameters: p)
        let kmeans = try f.engine.jobs.dpKMeans(actor: f.alice, purpose: "analytics.reporting", epsilon: 0.7, parameters: p)
        _ = try f.engine.jobs.dpRules(actor: f.alice, purpose: "analytics.reporting", epsilon: 0.5, parameters: p)
        _ = try f.engine.jobs.dpFunnel(actor: f.alice, purpose: "analytics.reporting", epsilon: 0.8, parameters: p)
        _ = try f.engine.jobs.dpSequences(actor: f.alice, purpose: "analytics.reporting", epsilon: 0.9, parameters: p)
        let ledger = try f.engine.workspace.ledger.budgetLedger()
        let orders = ledger.filter { $0.dataset == "orders" }.reduce(0) { $0 + $1.epsilon }
        let events = ledger.filter { $0.dataset == "events" }.reduce(0) { $0 + $1.epsilon }
        XCTAssertEqual(orders, 0.6 + 0.7 + 0.5, accuracy: 1e-9)
        XCTAssertEqual(events, 0.8 + 0.9, accuracy: 1e-9)
        let declared = ["dp_rfm": 0.6, "dp_kmeans": 0.7, "dp_rules": 0.5, "dp_funnel": 0.8, "dp_sequences": 0.9]
        let jobs = try f.entries().filter { $0.action == .jobRun && $0.decision == .allow && declared[$0.details["kind"] ?? ""] != nil }
        XCTAssertEqual(Set(jobs.compactMap { $0.details["kind"] }), Set(declared.keys))
        for job in jobs {
            let used = try XCTUnwrap(Double(job.details["epsilon_used"] ?? ""), "\(job.details)")
            let expected = try XCTUnwrap(declared[job.details["kind"] ?? ""])
            XCTAssertEqual(try XCTUnwrap(job.epsilon), expected, accuracy: 1e-12)
            XCTAssertLessThanOrEqual(used, expected)
            XCTAssertGreaterThan(used, 0.999 * expected, "\(job.details["kind"] ?? ""): the mechanisms use the whole declared cost")
        }
        XCTAssertNil(jobs.first { $0.details["kind"] == "dp_sequences" }?.details["delta"],
                     "paths over the public event types need no partition selection, so no delta is spent or audited")
        // Shapes: 11 segments, k clusters.
        XCTAssertEqual(rfm.tables.first?.rows.map { $0[0] }, RFMSegment.allCases.map(\.rawValue))
        XCTAssertEqual(kmeans.tables.first?.rows.count, p.k)
    }

    func testEpsilonAboveThePerJobLimitIsDeniedAndChargesNothing() throws {
        let f = try EngineFixture(customers: 40)
        let p = DPMiningParameters()
        let jobs: [(String, () throws -> JobResult)] = [
            ("rfm", { try f.engine.jobs.dpRFM(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.5, parameters: p) }),
            ("kmeans", { try f.engine.jobs.dpKMeans(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.5, parameters: p) }),
            ("rules", { try f.engine.jobs.dpRules(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.5, parameters: p) }),
            ("funnel", { try f.engine.jobs.dpFunnel(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.5, parameters: p) }),
            ("sequences", { try f.engine.jobs.dpSequences(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.5, parameters: p) }),
        ]
        for (name, job) in jobs {
            XCTAssertThrowsError(try job(), name) { error in
                guard case let EngineError.denied(reason) = error else { return XCTFail("\(name): expected a denial, got \(error)") }
                XCTAssertTrue(reason.contains("epsilon"), "\(name): \(reason)")
            }
        }
        // A marketing analyst has no DP permit on events at all.
        XCTAssertThrowsError(try f.engine.jobs.dpFunnel(actor: f.mika, purpose: "analytics.reporting", epsilon: 0.5, parameters: p))
        XCTAssertEqual(try f.engine.workspace.ledger.budgetLedger().reduce(0) { $0 + $1.epsilon }, 0, "refused jobs charge nothing")
    }

    // MARK: Accuracy against exact answers

    func testDPFunnelIsWithinItsStatedBoundOfTheExactFunnel() throws {
        let f = try large()
        f.engine.noiseSourceOverride = SeededRandomSource(seed: 2)
        let exact = try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: MiningParameters())
        let dp = try f.engine.jobs.dpFunnel(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.0, parameters: DPMiningParameters())
        let exactRows = try XCTUnwrap(exact.tables.first?.rows)
        let dpRows = try XCTUnwrap(dp.release?.table("Funnel")?.rows)
        XCTAssertEqual(dpRows.map(key), ["search", "view", "cart", "purchase"])
        for (e, d) in zip(exactRows, dpRows) {
            let truth = try XCTUnwrap(Int(e[1]), "exact funnel step suppressed: \(e)")
            let (value, half) = try noisy(d[1])
            XCTAssertGreaterThan(half, 0)
            XCTAssertLessThanOrEqual(abs(value - truth), 3 * half, "\(key(d)): noisy \(value) vs exact \(truth) ± \(half)")
        }
        // Deeper steps sum fewer noisy bins, so their intervals are no wider.
        let halves = try dpRows.map { try noisy($0[1]).1 }
        XCTAssertEqual(halves, halves.sorted(by: >))
    }

    func testDPPathsAreWithinTheirStatedBoundOfTheExactPaths() throws {
        let f = try large()
        f.engine.noiseSourceOverride = SeededRandomSource(seed: 3)
        var m = MiningParameters()
        m.maxLength = 2
        m.top = 16
        let exact = try f.engine.jobs.mineSequences(actor: f.alice, purpose: "analytics.reporting", parameters: m)
        var p = DPMiningParameters()
        p.pathLength = 2
        p.maxPathsPerSubject = 16  // all 4 x 4 paths: the bound never drops a path, so exact counts are comparable
        p.top = 16
        let dp = try f.engine.jobs.dpSequences(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.0, parameters: p)
        let exactPaths = try XCTUnwrap(exact.tables.first { $0.title.hasPrefix("Most frequent paths") }?.rows)
        let dpRows = try XCTUnwrap(dp.release?.tables.first?.rows)
        XCTAssertEqual(dpRows.count, 16, "event types are public: every path of two is a public key")
        XCTAssertEqual(dp.privacy?.delta, 0, "a public domain of paths needs no partition selection, so no delta")
        var compared = 0
        for row in dpRows {
            let (value, half) = try noisy(row[1])
            guard let truth = exactPaths.first(where: { $0[0] == key(row) }).flatMap({ Int($0[1]) }) else { continue }
            XCTAssertLessThanOrEqual(abs(value - truth), 3 * half, "\(key(row)): noisy \(value) vs exact \(truth) ± \(half)")
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 5, "the common paths are above the exact job's minimum group size")
    }

    func testDPRFMSegmentsAndSpendAreWithinTheirStatedBounds() throws {
        let f = try large()
        f.engine.noiseSourceOverride = SeededRandomSource(seed: 4)
        var p = DPMiningParameters()
        p.asOf = asOf
        let asOfDay = asOf.daysSinceEpoch
        // Exact sizes and clamped spend per segment, scored here independently of the job's code.
        let exact = try oracle(f, dataset: "orders", columns: ["order_time", "amount"]) { frame in
            let times = try frame.column("order_time"), amounts = try frame.column("amount")
            var days: [Int32: Set<Int>] = [:], spend: [Int32: Double] = [:]
            for r in 0..<frame.rowCount {
                guard case let .timestamp(ms) = times[r], let a = amounts[r].numeric(scale: 2) else { continue }
                let day = Int(ms / 86_400_000)
                guard day <= asOfDay else { continue }
                days[frame.subjectIndex[r], default: []].insert(day)
                spend[frame.subjectIndex[r], default: 0] += a
            }
            var size: [String: Int] = [:], total: [String: Double] = [:]
            for (subject, set) in days {
                let recency = asOfDay - (set.max() ?? 0)
                let r = recency <= 30 ? 5 : recency <= 90 ? 4 : recency <= 180 ? 3 : recency <= 365 ? 2 : 1
                let fq = set.count <= 1 ? 1 : set.count <= 2 ? 2 : set.count <= 3 ? 3 : set.count <= 5 ? 4 : 5
                let name = RFMSegment(recencyScore: r, frequencyScore: fq).rawValue
                size[name, default: 0] += 1
                total[name, default: 0] += min(spend[subject] ?? 0, 20_000)
            }
            return RFMSegment.allCases.map { [$0.rawValue, String(size[$0.rawValue] ?? 0), String(total[$0.rawValue] ?? 0)] }
        }
        let dp = try f.engine.jobs.dpRFM(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.0, parameters: p)
        let rows = try XCTUnwrap(dp.release?.tables.first?.rows)
        XCTAssertEqual(rows.count, 11)
        XCTAssertGreaterThan(exact.compactMap { Int($0[1]) }.filter { $0 >= 50 }.count, 3, "several segments are well populated")
        for (e, d) in zip(exact, rows) {
            XCTAssertEqual(e[0], key(d))
            let truth = try XCTUnwrap(Int(e[1]))
            let (value, half) = try noisy(d[1])
            XCTAssertLessThanOrEqual(abs(value - truth), 3 * half, "\(key(d)) size: noisy \(value) vs exact \(truth) ± \(half)")
            let spend = try XCTUnwrap(d[2].number)
            let (lower, upper) = (try XCTUnwrap(spend.lower95), try XCTUnwrap(spend.upper95))
            let sumTruth = try XCTUnwrap(Double(e[2]))
            let sumError: Double = abs(spend.value - sumTruth)
            let sumBound: Double = 3 * (upper - spend.value) + 0.01
            XCTAssertLessThanOrEqual(sumError, sumBound, "\(key(d)) spend: \(spend.value) [\(lower), \(upper)] vs \(sumTruth)")
        }
        XCTAssertTrue(dp.tables[0].note?.contains("fixed public cut-offs") ?? false)
    }

    func testDPRulesPairCountsAreWithinTheirStatedBounds() throws {
        let f = try large()
        f.engine.noiseSourceOverride = SeededRandomSource(seed: 5)
        var p = DPMiningParameters()
        p.top = 10
        // Exact pair counts after the documented bounding (first 3 baskets, first 5 catalogue items), written independently.
        let exact = try oracle(f, dataset: "orders", columns: ["items"]) { frame in
            var baskets: [Int32: Int] = [:], pairs: [String: Int] = [:]
            for (r, value) in try frame.column("items").enumerated() {
                guard case let .items(list) = value else { continue }
                let kept = Array(Set(list.filter { $0.count == 4 && $0.hasPrefix("p") && (1...120).contains(Int($0.dropFirst()) ?? 0) }).sorted().prefix(5))
                guard !kept.isEmpty, baskets[frame.subjectIndex[r], default: 0] < 3 else { continue }
                baskets[frame.subjectIndex[r], default: 0] += 1
                for i in kept.indices { for j in kept.indices where j > i { pairs["\(kept[i]), \(kept[j])", default: 0] += 1 } }
            }
            return pairs.map { [$0.key, String($0.value)] }
        }
        let truth = Dictionary(uniqueKeysWithValues: exact.map { ($0[0], Int($0[1]) ?? -1) })
        let dp = try f.engine.jobs.dpRules(actor: f.alice, purpose: "analytics.reporting", epsilon: 1.0, parameters: p)
        let rows = try XCTUnwrap(dp.release?.table("Most frequent pairs")?.rows)
        XCTAssertEqual(rows.count, 10)
        for row in rows {
            let (value, half) = try noisy(row[1])
            let count = truth[key(row)] ?? 0
            if case .verdict("yes", _) = row[3] { XCTAssertGreaterThan(count, 0, "a significant pair was bought: \(key(row))") }
            XCTAssertLessThanOrEqual(abs(value - count), 3 * half, "\(key(row)): noisy \(value) vs exact \(count) ± \(half)")
        }
        // The two most frequent exact pairs (far above the rest) are among the ten released.
        let best = truth.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map(\.key)
        XCTAssertTrue(Set(best).isSubset(of: Set(rows.map(key))), "\(best) vs \(rows.map(key))")
        XCTAssertFalse(dp.tables.first { $0.title.hasPrefix("Association rules") }?.rows.isEmpty ?? true)
    }
}
