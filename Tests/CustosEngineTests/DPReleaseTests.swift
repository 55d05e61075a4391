import CustosDemo
import CustosBase
import CustosAudit
@testable import CustosEngine
import CustosPrivacy
import CustosSchema
import CustosTesting
import Foundation
import XCTest

/// What a differentially private result releases, checked against a neighbouring workspace.
///
/// The class of bug this catches: a DP job that also prints something exact (the number of
/// customers or rows that entered, exclusions per reason, a key held by one customer). Each job
/// runs on the workspace and again after the customer with the most rows is restricted (so that
/// customer's data leaves every job), with the same seeded noise. Every released field that differs
/// must be declared randomised (noisy, or post-processed from noisy values); a declared-public
/// field that differs is a leak.
final class DPReleaseTests: XCTestCase {
    /// One difference between the releases of neighbouring workspaces that is not explained by noise.
    struct Leak: CustomStringConvertible {
        let path: String
        let what: String
        var description: String { "\(path): \(what)" }
    }

    /// Every field of `a` and `b` that differs without being declared randomised.
    static func leaks(_ a: DPRelease, _ b: DPRelease, randomisedDifferences: inout Int) -> [Leak] {
        var leaks: [Leak] = []
        func text(_ x: ReleaseText, _ y: ReleaseText, _ path: String) {
            guard x.segments.count == y.segments.count else {
                return leaks.append(Leak(path: path, what: "text has a different shape: '\(x)' vs '\(y)'"))
            }
            for (i, (s, t)) in zip(x.segments, y.segments).enumerated() {
                switch (s, t) {
                case let (.number(m, _), .number(n, _)): number(m, n, "\(path)[\(i)]")
                default: if s != t { leaks.append(Leak(path: "\(path)[\(i)]", what: "declared text differs: '\(x)' vs '\(y)'")) }
                }
            }
        }
        func number(_ m: ReleasedNumber, _ n: ReleasedNumber, _ path: String) {
            guard m != n else { return }
            if m.provenance.isRandomised && n.provenance.isRandomised {
                randomisedDifferences += 1
            } else {
                leaks.append(Leak(path: path, what: "\(m.value) (\(m.provenance)) vs \(n.value) (\(n.provenance)) differ but are not declared noisy"))
            }
        }
        func cell(_ c: ReleasedCell, _ d: ReleasedCell, _ path: String) {
            switch (c, d) {
            case let (.number(m, _), .number(n, _)): number(m, n, path)
            case let (.verdict(x, p), .verdict(y, q)) where x != y:
                if p.isRandomised && q.isRandomised { randomisedDifferences += 1 } else { leaks.append(Leak(path: path, what: "verdict '\(x)' vs '\(y)' (\(p))")) }
            case let (.number(n, _), .empty), let (.empty, .number(n, _)):
                if !n.provenance.isRandomised { leaks.append(Leak(path: path, what: "a declared number appears on one side only")) }
            default: if c != d { leaks.append(Leak(path: path, what: "'\(c.text)' vs '\(d.text)'")) }
            }
        }
        /// Rows (or bars) keyed by their label cells; a key may be missing on one side only when the
        /// selection is itself private (partition selection, noisy ranking) or the label was selected.
        func keyed<Row>(_ x: [Row], _ y: [Row], selection: RowSelection, path: String, key: (Row) -> (String, Bool), compare: (Row, Row, String) -> Void) {
            let left = Dictionary(x.map { (key($0).0, $0) }) { first, _ in first }
            let right = Dictionary(y.map { (key($0).0, $0) }) { first, _ in first }
            for k in Set(left.keys).union(right.keys).sorted() {
                switch (left[k], right[k]) {
                case let (l?, r?): compare(l, r, "\(path)[\(k)]")
                case let (l?, nil), let (nil, l?):
                    let selected = key(l).1
                    if selection == .publicDomain && !selected {
                        leaks.append(Leak(path: "\(path)[\(k)]", what: "a row of a public domain is shown on one side only"))
                    } else {
                        randomisedDifferences += 1
                    }
                case (nil, nil): break
                }
            }
        }
        func rowKey(_ row: [ReleasedCell]) -> (String, Bool) {
            var parts: [String] = [], selected = false
            for c in row { if case let .label(label) = c { parts.append(label.text); if case .selected = label { selected = true } } }
            return (parts.joined(separator: " | "), selected)
        }
        guard a.tables.count == b.tables.count, a.charts.count == b.charts.count, a.notes.count == b.notes.count else {
            return [Leak(path: "release", what: "different numbers of tables, charts or notes")]
        }
        for (i, (x, y)) in zip(a.tables, b.tables).enumerated() {
            let path = "tables[\(i)]"
            text(x.title, y.title, path + ".title")
            if x.columns != y.columns { leaks.append(Leak(path: path + ".columns", what: "\(x.columns) vs \(y.columns)")) }
            if x.selection != y.selection { leaks.append(Leak(path: path + ".selection", what: "\(x.selection) vs \(y.selection)")) }
            switch (x.note, y.note) {
            case let (m?, n?): text(m, n, path + ".note")
            case (nil, nil): break
            default: leaks.append(Leak(path: path + ".note", what: "present on one side only"))
            }
            keyed(x.rows, y.rows, selection: x.selection, path: path, key: rowKey) { l, r, p in
                guard l.count == r.count else { return leaks.append(Leak(path: p, what: "rows of different widths")) }
                for (j, (c, d)) in zip(l, r).enumerated() { cell(c, d, "\(p)[\(j)]") }
            }
        }
        for (i, (x, y)) in zip(a.charts, b.charts).enumerated() {
            let path = "charts[\(i)]"
            text(x.title, y.title, path + ".title")
            let bars = { (chart: ReleasedChart) in zip(chart.labels, chart.values).map { ($0, $1) } }
            keyed(bars(x), bars(y), selection: x.selection, path: path, key: { bar in
                if case .selected = bar.0 { return (bar.0.text, true) }
                return (bar.0.text, false)
            }) { l, r, p in
                if l.0 != r.0 { leaks.append(Leak(path: p, what: "label kinds differ")) }
                number(l.1, r.1, p)
            }
        }
        for (i, (x, y)) in zip(a.notes, b.notes).enumerated() { text(x, y, "notes[\(i)]") }
        return leaks
    }

    /// The DP jobs, each with a fixed seed for its noise so that both runs draw the same noise.
    func jobs(_ f: EngineFixture) -> [(String, () throws -> JobResult)] {
        let alice = f.alice, engine = f.engine
        var stats = StatisticsParameters()
        stats.measures = ["amount", "item_count"]
        var cube = StatisticsParameters()
        cube.dimensions = ["channel"]
        cube.measure = "amount"
        var selected = StatisticsParameters()
        selected.dimensions = ["item_count"]  // values not declared: partition selection with delta
        selected.maxRowsPerSubject = 1
        selected.maxGroupsPerSubject = 4
        var months = StatisticsParameters()
        months.dimensions = ["order_time"]
        months.months = ("2025-01", "2026-12")
        months.top = 5
        var dp = DPMiningParameters()
        dp.asOf = CivilDate(year: 2026, month: 11, day: 1)
        dp.seed = 11
        dp.top = 8
        let purpose = "analytics.reporting"
        return [
            ("stats", { try engine.jobs.dpStatistics(actor: alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: stats) }),
            ("cube over public categories", { try engine.jobs.dpCube(actor: alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: cube) }),
            ("cube with partition selection", { try engine.jobs.dpCube(actor: alice, purpose: purpose, dataset: "orders", epsilon: 1.0, parameters: selected) }),
            ("cube over public months, top 5", { try engine.jobs.dpCube(actor: alice, purpose: purpose, dataset: "orders", epsilon: 0.5, parameters: months) }),
            ("dp_rfm", { try engine.jobs.dpRFM(actor: alice, purpose: purpose, epsilon: 0.5, parameters: dp) }),
            ("dp_kmeans", { try engine.jobs.dpKMeans(actor: alice, purpose: purpose, epsilon: 0.5, parameters: dp) }),
            ("dp_rules", { try engine.jobs.dpRules(actor: alice, purpose: purpose, epsilon: 0.5, parameters: dp) }),
            ("dp_funnel", { try engine.jobs.dpFunnel(actor: alice, purpose: purpose, epsilon: 0.5, parameters: dp) }),
            ("dp_sequences", { try engine.jobs.dpSequences(actor: alice, purpose: purpose, epsilon: 0.5, parameters: dp) }),
        ]
    }

    /// The customer with the most rows in orders and events together (the largest contribution).
    func heaviestCustomer(_ f: EngineFixture) throws -> String {
        var rows: [String: Int] = [:]
        for name in ["orders", "events"] {
            let bytes = try Data(contentsOf: try XCTUnwrap(f.generated.files[name]))
            for line in bytes.split(separator: UInt8(ascii: "\n")).dropFirst() {
                let id = String(decoding: line.prefix { $0 != UInt8(ascii: ",") }, as: UTF8.self)
                rows[id, default: 0] += 1
            }
        }
        return try XCTUnwrap(rows.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key)
    }

    func testNeighbouringWorkspacesDifferOnlyInNoisyFieldsForEveryDPJobKind() throws {
        let f = try EngineFixture(customers: 160)
        let jobs = jobs(f)
        func runAll() throws -> [JobResult] {
            try jobs.enumerated().map { i, job in
                f.engine.noiseSourceOverride = SeededRandomSource(seed: UInt64(100 + i))
                return try job.1()
            }
        }
        let full = try runAll()
        let customer = try heaviestCustomer(f)
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: customer))
        try f.engine.controls.restrictProcessing(of: subject, ground: "neighbouring data set for the DP test", actor: f.dana)
        let neighbour = try runAll()

        for ((name, _), (a, b)) in zip(jobs, zip(full, neighbour)) {
            let x = try XCTUnwrap(a.release, name), y = try XCTUnwrap(b.release, name)
            var randomised = 0
            let leaks = Self.leaks(x, y, randomisedDifferences: &randomised)
            XCTAssertTrue(leaks.isEmpty, "\(name) releases fields that are not declared noisy:\n" + leaks.map { "  \($0)" }.joined(separator: "\n"))
            // Removing the heaviest customer changes some noisy value (the check has teeth), except where
            // a top-5 list may not include any month of that customer's.
            if !name.contains("top 5") {
                XCTAssertGreaterThan(randomised, 0, "\(name): removing the heaviest customer changes some noisy value")
            }
            // Nothing exact about the cohort travels with a DP result, in any rendering.
            XCTAssertNil(a.cohort, name)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(a.json().utf8)) as? [String: Any])
            XCTAssertEqual(Set(json.keys), ["jobID", "kind", "title", "principal", "purpose", "dataset", "outputMode", "policyVersion",
                                            "finishedAt", "resultDigest", "privacy", "release"], name)
            XCTAssertFalse(a.text().contains(" subjects"), name)
            XCTAssertFalse(try a.html().contains("pseudonymous customers and"), name)
            XCTAssertEqual(a.tables, x.displayTables, "\(name): what is displayed is rendered from the release")
        }
        // Officers still see the exact cohort in the audit entries: one customer fewer in every job.
        let runs = try f.entries().filter { $0.action == .jobRun && $0.decision == .allow && $0.epsilon != nil }
        XCTAssertEqual(runs.count, 2 * jobs.count)
        for (first, second) in zip(runs.prefix(jobs.count), runs.suffix(jobs.count)) {
            let before = try XCTUnwrap(first.subjectCount), after = try XCTUnwrap(second.subjectCount)
            XCTAssertEqual(after, before - 1, "\(first.details["kind"] ?? ""): the audit entry holds the exact count")
            XCTAssertNotNil(first.rows)
        }
    }

    /// The failing case this test class was written for, kept as a regression: a result that
    /// carries the exact number of customers as a public value is caught. (The first DP jobs
    /// released "282 customers, 1263 rows" beside their noisy tables; on the neighbour, 281 and 1243.)
    func testTheFieldCheckCatchesAnExactCountReleasedAsPublic() throws {
        func release(customers: Int, noisy: NoisyInteger?) -> DPRelease {
            var r = DPRelease()
            var rows: [[ReleasedCell]] = [[.label(.declared("all")), .count(.declared(Double(customers), "customers who entered"))]]
            if let noisy { rows.append([.label(.declared("noisy")), .count(ReleasedNumber(noisy))]) }
            r.tables.append(ReleasedTable(title: "Cohort", columns: ["", "customers"], rows: rows, selection: .publicDomain))
            r.notes.append("\(public: customers) pseudonymous customers entered this job")
            return r
        }
        var randomised = 0
        let leaks = Self.leaks(release(customers: 282, noisy: nil), release(customers: 281, noisy: nil), randomisedDifferences: &randomised)
        XCTAssertEqual(leaks.map(\.path).sorted(), ["notes[0][0]", "tables[0][all][1]"], "\(leaks)")
        // A noisy count from a charged mechanism may differ; a partition-selected row may vanish.
        let handle = try PrivacyHandle(reserved: PrivacyCost(epsilon: 1), randomSource: SeededRandomSource(seed: 1))
        let mechanism = try CountMechanism(guarantee: .pure(epsilon: 0.5), bounds: .oneRowPerSubject)
        let column = try ContributionBounder.bound(subjects: [Int32](0..<282), values: [Double](repeating: 0, count: 282), maxRowsPerSubject: 1)
        let neighbourColumn = try ContributionBounder.bound(subjects: [Int32](0..<281), values: [Double](repeating: 0, count: 281), maxRowsPerSubject: 1)
        let a = try handle.run(mechanism, on: column.rowCount), b = try handle.run(mechanism, on: neighbourColumn.rowCount)
        var x = DPRelease(), y = DPRelease()
        x.tables = [ReleasedTable(title: "t", columns: ["k", "n"], rows: [[.label(.declared("all")), .count(ReleasedNumber(a))],
                                                                          [.label(.selected("rare")), .count(ReleasedNumber(a))]],
                                  selection: .partitionSelection(threshold: 20))]
        y.tables = [ReleasedTable(title: "t", columns: ["k", "n"], rows: [[.label(.declared("all")), .count(ReleasedNumber(b))]],
                                  selection: .partitionSelection(threshold: 20))]
        XCTAssertTrue(Self.leaks(x, y, randomisedDifferences: &randomised).isEmpty)
        // A declared row missing from a public-domain table is a leak (its absence tells the data).
        y.tables[0].selection = .publicDomain
        x.tables[0].selection = .publicDomain
        x.tables[0].rows[1] = [.label(.declared("rare")), .count(ReleasedNumber(a))]
        XCTAssertEqual(Self.leaks(x, y, randomisedDifferences: &randomised).count, 1)
    }
}
