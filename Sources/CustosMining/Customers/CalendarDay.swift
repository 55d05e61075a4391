import CustosBase

/// Calendar days as integers: days since 1970-01-01 in the proleptic Gregorian calendar.
///
/// Working in whole days keeps RFM free of time zones and daylight-saving shifts.
public enum CalendarDay {
    /// Day number of a civil date (Howard Hinnant's `days_from_civil`, from CustosBase).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        CivilDate.daysSinceEpoch(year: year, month: month, day: day)
    }

    /// Day number of a `yyyymmdd` integer such as 19970101.
    /// - Throws: `MiningError.invalidParameter` if the month or day is out of range.
    public static func dayNumber(yyyymmdd: Int) throws -> Int {
        let year = yyyymmdd / 10_000, month = (yyyymmdd / 100) % 100, day = yyyymmdd % 100
        guard (1...12).contains(month), (1...31).contains(day) else {
            throw MiningError.invalidParameter(name: "date", reason: "expected yyyymmdd with a valid month and day")
        }
        return dayNumber(year: year, month: month, day: day)
    }
}
