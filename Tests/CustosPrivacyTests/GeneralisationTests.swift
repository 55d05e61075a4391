import CustosCrypto
import CustosPrivacy
import Foundation
import XCTest

final class GeneralisationTests: XCTestCase {
    func testAgeBands() throws {
        let bands = try AgeBand(width: 10, topCode: 90)
        XCTAssertEqual(bands.label(forAge: 0), "0-9")
        XCTAssertEqual(bands.label(forAge: 37), "30-39")
        XCTAssertEqual(bands.label(forAge: 89), "80-89")
        XCTAssertEqual(bands.label(forAge: 90), "90+")
        XCTAssertEqual(bands.label(forAge: 104), "90+")
        XCTAssertNil(bands.label(forAge: -1))
        XCTAssertEqual(try AgeBand(width: 5).label(forAge: 42), "40-44")
        XCTAssertThrowsError(try AgeBand(width: 10, topCode: 85))
    }

    func testDateTruncation() {
        // 2024-02-29T13:00:00Z.
        let leapDay = Date(timeIntervalSince1970: 1_709_211_600)
        XCTAssertEqual(DateTruncation.year.label(for: leapDay), "2024")
        XCTAssertEqual(DateTruncation.quarter.label(for: leapDay), "2024-Q1")
        XCTAssertEqual(DateTruncation.month.label(for: leapDay), "2024-02")
        XCTAssertEqual(DateTruncation.week.label(for: leapDay), "2024-W09")
        // ISO weeks at year ends: 2021-01-03 is in 2020-W53; 2024-12-30 is in 2025-W01; 2026-01-01 is 2026-W01.
        XCTAssertEqual(DateTruncation.week.label(for: Date(timeIntervalSince1970: 1_609_632_000)), "2020-W53")
        XCTAssertEqual(DateTruncation.week.label(for: Date(timeIntervalSince1970: 1_735_516_800)), "2025-W01")
        XCTAssertEqual(DateTruncation.week.label(for: Date(timeIntervalSince1970: 1_767_225_600)), "2026-W01")
        // Before 1970: 1969-12-31 is Q4 1969.
        XCTAssertEqual(DateTruncation.quarter.label(for: Date(timeIntervalSince1970: -3_600)), "1969-Q4")
    }

    func testISOWeeksAgreeWithFoundationCalendar() {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        for day in stride(from: Int64(-800), to: 20_000, by: 37) {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            let expected = String(format: "%d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
            XCTAssertEqual(DateTruncation.week.label(forDaysSinceEpoch: day), expected)
        }
    }

    func testPostcodePrefixAndTopBottomCoding() throws {
        let prefix = try PostcodePrefix(length: 3)
        XCTAssertEqual(prefix.prefix(of: "sw1a 1aa"), "SW1")
        XCTAssertEqual(prefix.prefix(of: "75008"), "750")
        XCTAssertNil(prefix.prefix(of: "A1"))
        let coding = try TopBottomCoding(bottom: 0, top: 10_000)
        XCTAssertEqual(coding.code(250_000), 10_000)
        XCTAssertEqual(coding.code(-3), 0)
        XCTAssertEqual(coding.code(512), 512)
        XCTAssertEqual(coding.label(250_000), ">=10000.0")
    }

    func testMinimumGroupSizeSuppressesSmallGroups() throws {
        let pseudonymizer = try Pseudonymizer(rootKey: SymmetricKey(bytes: Array(0..<32)), purpose: "segments")
        // Group "a": 3 distinct subjects (4 rows); group "b": 2 subjects; group "c": 1 subject with 5 rows.
        let rows: [(String, String)] = [("a", "s1"), ("a", "s2"), ("a", "s3"), ("a", "s3"), ("b", "s4"), ("b", "s5")]
            + [(String, String)](repeating: ("c", "s6"), count: 5)
        let subjects = rows.map { pseudonymizer.pseudonym(for: $0.1) }
        let distinct = try MinimumGroupSize.distinctSubjects(keys: rows.map(\.0), subjects: subjects)
        XCTAssertEqual(distinct, ["a": 3, "b": 2, "c": 1])
        let totals = ["a": 4, "b": 2, "c": 5]
        let result = try MinimumGroupSize(3).apply(to: totals, distinctSubjects: distinct)
        XCTAssertEqual(result.released, ["a": 4])
        XCTAssertEqual(result.suppressedGroupCount, 2)
        XCTAssertEqual(try MinimumGroupSize(2).apply(to: totals, distinctSubjects: distinct).released, ["a": 4, "b": 2])
        XCTAssertThrowsError(try MinimumGroupSize(1))
    }
}
