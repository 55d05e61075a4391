/// One typed cell of a customer record.
public enum Value: Hashable, Sendable {
    case missing
    case string(String)
    case integer(Int64)
    /// A decimal stored exactly as an integer count of 10^-scale units (scale from the column).
    case decimal(Int64)
    /// Days since 1970-01-01 (proleptic Gregorian).
    case date(Int32)
    /// Milliseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    case category(String)
    case items([String])

    public var isMissing: Bool { if case .missing = self { return true } else { return false } }

    /// The value as a Double (decimals unscaled with `scale`), for numeric work.
    public func numeric(scale: Int = 0) -> Double? {
        switch self {
        case let .integer(v): return Double(v)
        case let .decimal(v): return Double(v) / pow10(scale)
        case let .date(d): return Double(d)
        case let .timestamp(t): return Double(t)
        default: return nil
        }
    }

    /// Text form used for exports and display: ISO 8601 dates and timestamps, `;`-joined items.
    /// It parses back to the same value with `ValueParser`.
    public func rendered(scale: Int = 0) -> String {
        switch self {
        case .missing: return ""
        case let .string(s), let .category(s): return s
        case let .integer(v): return String(v)
        case let .decimal(v): return formatDecimal(v, scale: scale)
        case let .date(d): return CivilDate(daysSinceEpoch: Int(d)).iso8601
        case let .timestamp(ms): return formatTimestamp(ms)
        case let .items(list): return list.joined(separator: ";")
        }
    }
}

func pow10(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= 10 }
    return r
}

func formatDecimal(_ units: Int64, scale: Int) -> String {
    guard scale > 0 else { return String(units) }
    let negative = units < 0
    let magnitude = units.magnitude
    var divisor: UInt64 = 1
    for _ in 0..<scale { divisor *= 10 }
    let whole = magnitude / divisor
    var fraction = String(magnitude % divisor)
    fraction = String(repeating: "0", count: scale - fraction.count) + fraction
    return (negative ? "-" : "") + String(whole) + "." + fraction
}

func formatTimestamp(_ ms: Int64) -> String {
    let days = Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000)
    let msOfDay = Int(ms - Int64(days) * 86_400_000)
    let date = CivilDate(daysSinceEpoch: days)
    let h = msOfDay / 3_600_000, m = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, milli = msOfDay % 1000
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    var text = "\(date.iso8601)T\(two(h)):\(two(m)):\(two(s))"
    if milli != 0 {
        let ms3 = String(milli)
        text += "." + String(repeating: "0", count: 3 - ms3.count) + ms3
    }
    return text + "Z"
}

/// A proleptic Gregorian calendar date, converted to and from days since 1970-01-01
/// with Howard Hinnant's algorithms (exact, no time zones, no Foundation calendar).
public struct CivilDate: Hashable, Sendable, Comparable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Monday ... 6 = Sunday.
    public var weekday: Int { ((daysSinceEpoch % 7) + 7 + 3) % 7 }

    public var iso8601: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }
}
