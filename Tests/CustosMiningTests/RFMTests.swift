import XCTest
@testable import CustosMining

final class RFMTests: XCTestCase {
    private func cdnow() throws -> (subjects: [Int], days: [Int], amounts: [Double]) {
        var subjects: [Int] = [], days: [Int] = [], amounts: [Double] = []
        for line in try Fixture.lines("cdnow_sample.csv").dropFirst() {
            let f = line.split(separator: ",")
            subjects.append(Int(f[1])!)
            days.append(try CalendarDay.dayNumber(yyyymmdd: Int(f[2])!))
            amounts.append(Double(f[4])!)
        }
        return (subjects, days, amounts)
    }

    func testCalendarDays() throws {
        XCTAssertEqual(CalendarDay.dayNumber(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CalendarDay.dayNumber(year: 2000, month: 3, day: 1), 11017)
        XCTAssertEqual(try CalendarDay.dayNumber(yyyymmdd: 19980630) - CalendarDay.dayNumber(yyyymmdd: 19970101), 545)
        XCTAssertThrowsError(try CalendarDay.dayNumber(yyyymmdd: 19971301))
    }

    func testPurchaseSummariesMatchLifetimes() throws {
        let (subjects, days, amounts) = try cdnow()
        XCTAssertEqual(subjects.count, 6919)
        let asOf = try CalendarDay.dayNumber(yyyymmdd: 19980630)
        let summaries = try PurchaseSummary.compute(subjects: subjects, days: days, amounts: amounts, asOfDay: asOf)
        var expected: [Int: [Double]] = [:]
        for line in try Fixture.lines("cdnow_lifetimes_summary.csv").dropFirst() {
            let f = line.split(separator: ",").map { Double($0)! }
            expected[Int(f[0])] = Array(f[1...])
        }
        XCTAssertEqual(summaries.count, 2357)
        XCTAssertEqual(Set(summaries.map(\.subject)), Set(expected.keys))
        for s in summaries {
            let e = try XCTUnwrap(expected[s.subject])
            XCTAssertEqual(Double(s.repeatPurchases), e[0], "frequency of \(s.subject)")
            XCTAssertEqual(Double(s.activeSpanDays), e[1], "recency of \(s.subject)")
            XCTAssertEqual(Double(s.ageDays(asOfDay: asOf)), e[2], "T of \(s.subject)")
            XCTAssertEqual(s.repeatMonetaryValue, e[3], accuracy: 1e-9, "monetary value of \(s.subject)")
        }
    }

    func testQuintileTieRuleByHand() {
        XCTAssertEqual(QuintileScore.scores([10, 20, 20, 30, 40], higherIsBetter: true), [1, 2, 2, 4, 5])
        XCTAssertEqual(QuintileScore.scores([1, 5, 5, 30, 100], higherIsBetter: false), [5, 3, 3, 2, 1])
        // Ten values, two per quintile; a tie across the boundary shares the lower score.
        XCTAssertEqual(QuintileScore.scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], higherIsBetter: true), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(QuintileScore.scores([1, 2, 2, 2, 5, 6, 7, 8, 9, 10], higherIsBetter: true), [1, 1, 1, 1, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(QuintileScore.scores([7, 7, 7], higherIsBetter: true), [1, 1, 1])
        XCTAssertEqual(QuintileScore.scores([], higherIsBetter: true), [])
    }

    func testSegmentRulesCoverEveryScorePair() {
        XCTAssertEqual(RFMSegment(recencyScore: 5, frequencyScore: 5), .champions)
        XCTAssertEqual(RFMSegment(recencyScore: 4, frequencyScore: 4), .loyal)
        XCTAssertEqual(RFMSegment(recencyScore: 3, frequencyScore: 5), .loyal)
        XCTAssertEqual(RFMSegment(recencyScore: 5, frequencyScore: 2), .potentialLoyalist)
        XCTAssertEqual(RFMSegment(recencyScore: 5, frequencyScore: 1), .new)
        XCTAssertEqual(RFMSegment(recencyScore: 4, frequencyScore: 1), .promising)
        XCTAssertEqual(RFMSegment(recencyScore: 3, frequencyScore: 3), .needAttention)
        XCTAssertEqual(RFMSegment(recencyScore: 3, frequencyScore: 2), .aboutToSleep)
        XCTAssertEqual(RFMSegment(recencyScore: 2, frequencyScore: 4), .atRisk)
        XCTAssertEqual(RFMSegment(recencyScore: 1, frequencyScore: 5), .cannotLose)
        XCTAssertEqual(RFMSegment(recencyScore: 2, frequencyScore: 1), .hibernating)
        XCTAssertEqual(RFMSegment(recencyScore: 1, frequencyScore: 2), .hibernating)
        XCTAssertEqual(RFMSegment(recencyScore: 1, frequencyScore: 1), .lost)
        var seen = Set<RFMSegment>()
        for r in 1...5 { for f in 1...5 { seen.insert(RFMSegment(recencyScore: r, frequencyScore: f)) } }
        XCTAssertEqual(seen, Set(RFMSegment.allCases))
    }

    func testHandComputedAnalysis() throws {
        // Five subjects, as of day 100. Subject 0 buys twice on day 10 (one occasion).
        let result = try RFMAnalysis.compute(
            subjects: [0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4],
            days: [10, 10, 50, 60, 99, 95, 20, 40, 80, 90, 5, 200],
            amounts: [5, 5, 10, 10, 10, 100, 1, 1, 1, 1, 50, 999],
            asOfDay: 100)
        // Recency: 90, 1, 5, 10, 95; frequency: 1, 3, 1, 4, 1 (the day-200 purchase is after the as-of day).
        XCTAssertEqual(result.customers.map(\.recencyDays), [90, 1, 5, 10, 95])
        XCTAssertEqual(result.customers.map(\.frequency), [1, 3, 1, 4, 1])
        XCTAssertEqual(result.customers.map(\.monetary), [10, 30, 100, 4, 50])
        XCTAssertEqual(result.customers.map(\.recencyScore), [2, 5, 4, 3, 1])
        XCTAssertEqual(result.customers.map(\.frequencyScore), [1, 4, 1, 5, 1])
        XCTAssertEqual(result.customers.map(\.monetaryScore), [2, 3, 5, 1, 4])
        XCTAssertEqual(result.customers.map(\.segment), [.hibernating, .champions, .promising, .loyal, .lost])
        let hibernating = try XCTUnwrap(result.segments.first { $0.segment == .hibernating })
        XCTAssertEqual(hibernating.size, 1)
        XCTAssertEqual(hibernating.meanMonetary, 10)
        XCTAssertNil(try XCTUnwrap(result.segments.first { $0.segment == .new }).meanMonetary)
    }

    func testCdnowSegmentsAreConsistent() throws {
        let (subjects, days, amounts) = try cdnow()
        let result = try RFMAnalysis.compute(
            subjects: subjects, days: days, amounts: amounts, asOfDay: CalendarDay.dayNumber(yyyymmdd: 19980630))
        XCTAssertEqual(result.customers.count, 2357)
        XCTAssertEqual(result.segments.map(\.size).reduce(0, +), 2357)
        for summary in result.segments where summary.size > 0 {
            let members = result.customers.filter { $0.segment == summary.segment }
            XCTAssertEqual(members.count, summary.size)
            XCTAssertEqual(summary.meanMonetary!, members.map(\.monetary).reduce(0, +) / Double(members.count), accuracy: 1e-9)
        }
        // Every subject who bought on one day only (F = 1, the lowest value) scores F = 1.
        XCTAssertTrue(result.customers.filter { $0.frequency == 1 }.allSatisfy { $0.frequencyScore == 1 })
    }
}
