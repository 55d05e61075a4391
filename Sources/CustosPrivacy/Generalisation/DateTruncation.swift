import Foundation

/// Truncates dates (in UTC) to a coarser period, for quasi-identifiers such as birth or order dates.
public enum DateTruncation: String, Sendable, Hashable, Codable, CaseIterable {
    /// "2024".
    case year
    /// "2024-Q1".
    case quarter
    /// "2024-03".
    case month
    /// ISO 8601 week: "2024-W09" (the week-numbering year can differ from the calendar year).
    case week

    /// The label of the period containing `date` (UTC).
    public func label(for date: Date) -> String {
        let days = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
        return label(forDaysSinceEpoch: days)
    }

    /// The label of the period containing the day `days` after 1970-01-01.
    public func label(forDaysSinceEpoch days: Int64) -> String {
        let (y, m, _) = DateTruncation.civil(fromDays: days)
        switch self {
        case .year: return "\(y)"
        case .quarter: return "\(y)-Q\((m - 1) / 3 + 1)"
        case .month: return "\(y)-" + (m < 10 ? "0\(m)" : "\(m)")
        case .week:
            let (weekYear, week) = DateTruncation.isoWeek(days: days)
            return "\(weekYear)-W" + (week < 10 ? "0\(week)" : "\(week)")
        }
    }

    /// Gregorian (year, month, day) of a day count since 1970-01-01 (Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    /// Day count since 1970-01-01 of a Gregorian date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO 8601 (week-numbering year, week): the week containing the day's Thursday.
    static func isoWeek(days: Int64) -> (Int64, Int64) {
        // 1970-01-01 was a Thursday; ISO weekday 1 = Monday ... 7 = Sunday.
        let weekday = ((days + 3) % 7 + 7) % 7 + 1
        let thursday = days - weekday + 4
        let (year, _, _) = civil(fromDays: thursday)
        let firstDay = DateTruncation.days(year: year, month: 1, day: 1)
        return (year, (thursday - firstDay) / 7 + 1)
    }
}
