/// Calendar days as integers: days since 1970-01-01 in the proleptic Gregorian calendar.
///
/// Working in whole days keeps RFM free of time zones and daylight-saving shifts.
public enum CalendarDay {
    /// Day number of a civil date (Howard Hinnant's `days_from_civil`).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
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
