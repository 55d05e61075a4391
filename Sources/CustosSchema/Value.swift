import CustosBase

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
