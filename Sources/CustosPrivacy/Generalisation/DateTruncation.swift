import CustosBase
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
        let date = CivilDate(daysSinceEpoch: Int(days))
        let (y, m) = (date.year, date.month)
        switch self {
        case .year: return "\(y)"
        case .quarter: return "\(y)-Q\((m - 1) / 3 + 1)"
        case .month: return "\(y)-" + (m < 10 ? "0\(m)" : "\(m)")
        case .week:
            let (weekYear, week) = DateTruncation.isoWeek(days: days)
            return "\(weekYear)-W" + (week < 10 ? "0\(week)" : "\(week)")
        }
    }

    /// ISO 8601 (week-numbering year, week): the week containing the day's Thursday.
    static func isoWeek(days: Int64) -> (Int64, Int64) {
        // 1970-01-01 was a Thursday; ISO weekday 1 = Monday ... 7 = Sunday.
        let weekday = ((days + 3) % 7 + 7) % 7 + 1
        let thursday = days - weekday + 4
        let year = Int64(CivilDate(daysSinceEpoch: Int(thursday)).year)
        let firstDay = Int64(CivilDate.daysSinceEpoch(year: Int(year), month: 1, day: 1))
        return (year, (thursday - firstDay) / 7 + 1)
    }
}
