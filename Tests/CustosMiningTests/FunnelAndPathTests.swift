import XCTest
@testable import CustosMining

final class FunnelAndPathTests: XCTestCase {
    // Event types: search = 1, view = 2, cart = 3, purchase = 4.
    // (subject, time, event), deliberately not sorted.
    private let rows: [(Int, Int64, Int32)] = [
        (0, 20, 4), (0, 0, 1), (0, 5, 2), (0, 10, 3),  // full funnel within 20
        (1, 0, 2), (1, 1, 1), (1, 2, 3), (1, 3, 2),  // search, view; the cart came before the view
        (2, 0, 1), (2, 100, 1), (2, 105, 2), (2, 110, 3), (2, 200, 4),  // second search starts the best window
        (3, 0, 4), (3, 1, 3),  // purchase without search
        (4, 5, 1),  // search only
        (5, 0, 1), (5, 0, 2),  // same time: given order counts (search then view)
        (6, 0, 1), (6, 1, 2), (6, 2, 1), (6, 3, 2),  // repeated path
    ]

    private func log(_ rows: [(Int, Int64, Int32)]) throws -> EventLog {
        try EventLog(subjects: rows.map { $0.0 }, times: rows.map { $0.1 }, events: rows.map { $0.2 })
    }

    func testHandComputedFunnelWithoutWindow() throws {
        let counts = try Funnel.compute(log: log(rows), steps: [1, 2, 3, 4])
        XCTAssertEqual(counts.subjects, 7)
        XCTAssertEqual(counts.reached, [6, 5, 2, 2])
        XCTAssertEqual(counts.dropOff, [1, 1, 3, 0])
        XCTAssertEqual(counts.stepConversion, [6.0 / 7, 5.0 / 6, 2.0 / 5, 1])
        XCTAssertEqual(counts.overallConversion, [1, 5.0 / 6, 2.0 / 6, 2.0 / 6])
    }

    func testHandComputedFunnelWithWindow() throws {
        // Window 60: subject 2 reaches cart from the search at 100 (purchase at 200 is too late).
        XCTAssertEqual(try Funnel.compute(log: log(rows), steps: [1, 2, 3, 4], window: 60).reached, [6, 5, 2, 1])
        // Window 4: views 5 after the search (subjects 0 and 2) are too late; subjects 1, 5, 6 reach view.
        XCTAssertEqual(try Funnel.compute(log: log(rows), steps: [1, 2, 3, 4], window: 4).reached, [6, 3, 0, 0])
    }

    func testSimultaneousEventsKeepInputOrderAndRepeatedSteps() throws {
        // Same time, view given before search: only the search step is reached.
        let counts = try Funnel.compute(subjects: [0, 0], times: [7, 7], events: [2, 1], steps: [1, 2])
        XCTAssertEqual(counts.reached, [1, 0])
        // A step repeated (view, view) needs two distinct view events.
        XCTAssertEqual(try Funnel.compute(subjects: [0], times: [1], events: [2], steps: [2, 2]).reached, [1, 0])
        XCTAssertEqual(try Funnel.compute(subjects: [0, 0], times: [1, 2], events: [2, 2], steps: [2, 2]).reached, [1, 1])
    }

    func testFunnelCountsMergeAcrossSubjectPartitions() throws {
        let whole = try Funnel.compute(log: log(rows), steps: [1, 2, 3, 4], window: 60)
        var merged = try Funnel.compute(log: log(rows.filter { $0.0 < 3 }), steps: [1, 2, 3, 4], window: 60)
        try merged.merge(Funnel.compute(log: log(rows.filter { $0.0 >= 3 }), steps: [1, 2, 3, 4], window: 60))
        XCTAssertEqual(merged, whole)
        XCTAssertThrowsError(try merged.merge(FunnelCounts(steps: [1])))
        XCTAssertThrowsError(try Funnel.compute(subjects: [0], times: [], events: [1], steps: [1]))
    }

    func testTopPathsBySubjectsAndOccurrences() throws {
        let bySubject = try FrequentPaths.top(log: log(rows), length: 2, limit: 3)
        XCTAssertEqual(bySubject, [
            PathCount(path: [1, 2], count: 4), PathCount(path: [2, 1], count: 2), PathCount(path: [2, 3], count: 2),
        ])
        let byOccurrence = try FrequentPaths.counts(log: log(rows), length: 2, counting: .occurrences)
        XCTAssertEqual(byOccurrence[[1, 2]], 5)
        XCTAssertEqual(byOccurrence[[3, 4]], 2)
        XCTAssertEqual(byOccurrence.values.reduce(0, +), 15)  // sum over subjects of (events - 1): 3+3+4+1+0+1+3
        let triples = try FrequentPaths.top(log: log(rows), length: 3, limit: 1)
        XCTAssertEqual(triples, [PathCount(path: [1, 2, 3], count: 2)])
    }
}
