import CustosBase
import Foundation

/// UTC timestamps with millisecond precision, written as `YYYY-MM-DDTHH:MM:SS.mmmZ` (RFC 3339, always
/// exactly 24 characters, always `Z`).
public enum AuditTimestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z for `date`, rounded to the nearest millisecond.
    public static func milliseconds(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date for `milliseconds` since the Unix epoch.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The canonical text form, e.g. `2025-03-01T09:30:00.250Z`. Years outside 0000–9999 are clamped.
    public static func format(milliseconds: Int64) -> String {
        var ms = milliseconds
        let minMs: Int64 = -62_167_219_200_000  // 0000-01-01T00:00:00.000Z
        let maxMs: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        ms = min(max(ms, minMs), maxMs)
        let dayMs: Int64 = 86_400_000
        var days = ms / dayMs
        var rest = ms % dayMs
        if rest < 0 {
            rest += dayMs
            days -= 1
        }
        let date = CivilDate(daysSinceEpoch: Int(days))
        let (y, m, d) = (date.year, date.month, date.day)
        let hour = Int(rest / 3_600_000)
        let minute = Int(rest / 60_000 % 60)
        let second = Int(rest / 1000 % 60)
        let milli = Int(rest % 1000)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = UInt8(0x30 + v % 10)
                v /= 10
            }
            out.append(contentsOf: digits)
        }
        put(Int(y), 4); out.append(0x2D); put(m, 2); out.append(0x2D); put(d, 2)
        out.append(0x54); put(hour, 2); out.append(0x3A); put(minute, 2); out.append(0x3A); put(second, 2)
        out.append(0x2E); put(milli, 3); out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the canonical text form; nil for anything else (no other offsets, no missing milliseconds).
    public static func parse(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0) }
    }

    /// True when `bytes` are a canonical timestamp.
    static func isCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { parse(bytes: bytes) != nil }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
              b[19] == 0x2E, b[23] == 0x5A
        else { return nil }
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2), let ms = num(20, 3),
              (1...12).contains(mo), d >= 1, d <= CivilDate.daysInMonth(year: y, month: mo), h < 24, mi < 60, s < 60
        else { return nil }
        let days = Int64(CivilDate.daysSinceEpoch(year: y, month: mo, day: d))
        return days * 86_400_000 + Int64(h) * 3_600_000 + Int64(mi) * 60_000 + Int64(s) * 1000 + Int64(ms)
    }

    /// The UTC calendar day (`YYYY-MM-DD`) of `milliseconds`.
    public static func day(milliseconds: Int64) -> String {
        String(format(milliseconds: milliseconds).prefix(10))
    }

    /// Milliseconds at 00:00:00.000Z of a `YYYY-MM-DD` day; nil if the text is not such a day.
    public static func startOfDay(_ text: String) -> Int64? {
        parse(text + "T00:00:00.000Z")
    }
}
