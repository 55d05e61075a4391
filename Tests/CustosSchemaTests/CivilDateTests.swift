import CustosBase
import CustosSchema
import Testing

/// Calendar arithmetic the deadlines and dates rely on, against dates checked in a calendar.
@Suite struct CivilDateTests {
    @Test(arguments: [
        ("1970-01-01", 0), ("2000-02-29", 11_016), ("2024-12-31", 20_088), ("1969-12-31", -1), ("1900-03-01", -25_508),
    ])
    func daysSinceEpoch(text: String, days: Int) throws {
        let parsed = try #require(ValueParser.parseDate(text))
        #expect(parsed == days)
        #expect(CivilDate(daysSinceEpoch: days).iso8601 == text)
    }

    @Test func monthLengthsAndLeapYears() {
        #expect(CivilDate.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilDate.daysInMonth(year: 1900, month: 2) == 28)
        #expect(CivilDate.daysInMonth(year: 2000, month: 2) == 29)
        #expect(CivilDate(year: 2025, month: 4, day: 31) == nil)
    }
}
