import CustosBase
import Testing

/// The one calendar, against days counted by Python's `datetime.date` (proleptic Gregorian).
@Suite struct CivilDateTests {
    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("2000-02-29", 11_016), ("2000-03-01", 11_017),
        ("1900-02-28", -25_509), ("1900-03-01", -25_508), ("2024-02-29", 19_782), ("1600-02-29", -135_081),
        ("0001-01-01", -719_162), ("2100-03-01", 47_541),
    ])
    func daysSinceEpochBothWays(text: String, days: Int) throws {
        let date = CivilDate(daysSinceEpoch: days)
        #expect(date.iso8601 == text)
        #expect(date.daysSinceEpoch == days)
        let parts = text.split(separator: "-").compactMap { Int($0) }
        #expect(CivilDate(year: parts[0], month: parts[1], day: parts[2]) == date)
        #expect(CivilDate.daysSinceEpoch(year: parts[0], month: parts[1], day: parts[2]) == days)
    }

    @Test func leapYearsFollowTheGregorianRule() {
        #expect(CivilDate.isLeapYear(2024) && CivilDate.isLeapYear(2000) && CivilDate.isLeapYear(1600))
        #expect(!CivilDate.isLeapYear(1900) && !CivilDate.isLeapYear(2100) && !CivilDate.isLeapYear(2023))
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2025, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2025, month: 1, day: 0) == nil)
    }

    @Test func everyDayOfFourHundredYearsRoundTrips() {
        // One whole Gregorian cycle either side of the epoch, negative days included.
        var previous = CivilDate(daysSinceEpoch: -146_098)
        for days in -146_097...146_097 {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(previous < date)
            previous = date
        }
    }

    @Test func weekdaysAndArithmetic() throws {
        #expect(CivilDate(daysSinceEpoch: 0).weekday == 3, "1970-01-01 was a Thursday")
        #expect(CivilDate(daysSinceEpoch: -4).weekday == 6, "1969-12-28 was a Sunday")
        let date = try #require(CivilDate(year: 2024, month: 2, day: 28))
        #expect(date.adding(days: 1).iso8601 == "2024-02-29")
        #expect(date.adding(days: 2).iso8601 == "2024-03-01")
        #expect(date.adding(days: -59).iso8601 == "2023-12-31")
    }
}
