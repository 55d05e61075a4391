import CustosBase
import Foundation

/// Why a raw value was rejected. The reason names the column and the rule, never the value,
/// so that it can be shown in ingest reports and logs without leaking personal data.
public struct ValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let column: String
    public let reason: String
    public var description: String { "column '\(column)': \(reason)" }
}

/// Cleans and types raw text on the way in: trims, normalises emails, phone numbers, ISO 8601
/// dates and decimals, and keeps empty cells as `.missing`.
public enum ValueParser {
    /// Parses `raw` for `column`. Empty (after trimming) means missing.
    public static func parse(_ raw: String, column: Column) -> Result<Value, ValueError> {
        let text = trim(raw)
        if text.isEmpty { return .success(.missing) }
        func fail(_ reason: String) -> Result<Value, ValueError> { .failure(ValueError(column: column.name, reason: reason)) }
        switch column.type {
        case .string:
            switch column.normalization {
            case .email:
                guard let email = normalizeEmail(text) else { return fail("not a valid email address") }
                return .success(.string(email))
            case .phone:
                guard let phone = normalizePhone(text) else { return fail("not a valid phone number (expected 7-15 digits, optionally +country code)") }
                return .success(.string(phone))
            case .identifier:
                return .success(.string(lower(nfc(text))))
            case .none:
                return .success(.string(nfc(text)))
            }
        case .category:
            let value = nfc(text)
            if let allowed = column.publicValues {
                if let exact = allowed.first(where: { $0 == value }) { return .success(.category(exact)) }
                let folded = lower(value)
                guard let match = allowed.first(where: { lower($0) == folded }) else {
                    return fail("value is not one of the declared values of this category")
                }
                return .success(.category(match))
            }
            return .success(.category(value))
        case .integer:
            guard let v = Int64(text) else { return fail("not a whole number") }
            return .success(.integer(v))
        case .decimal:
            guard let units = parseDecimal(text, scale: column.scale) else {
                return fail("not a decimal number with at most \(column.scale) digits after the point")
            }
            return .success(.decimal(units))
        case .date:
            guard let days = parseDate(text) else { return fail("not a date (expected YYYY-MM-DD or YYYYMMDD)") }
            return .success(.date(Int32(days)))
        case .timestamp:
            guard let ms = parseTimestamp(text) else {
                return fail("not an ISO 8601 timestamp (expected YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm])")
            }
            return .success(.timestamp(ms))
        case .itemList:
            let items = text.split(whereSeparator: { $0 == ";" || $0 == "|" })
                .map { nfc(trim(String($0))) }
                .filter { !$0.isEmpty }
            return .success(.items(items))
        }
    }

    /// Whether a parsed numeric value lies outside the column's public bounds (flagged, not rejected).
    public static func isOutOfBounds(_ value: Value, column: Column) -> Bool {
        guard let bounds = column.bounds, let x = value.numeric(scale: column.scale) else { return false }
        return x < bounds.lower || x > bounds.upper
    }

    /// Trims white space; the common case (nothing to trim, ASCII) allocates nothing.
    static func trim(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last else { return s }
        if !isASCIISpace(first) && !isASCIISpace(last) && first < 0x80 && last < 0x80 { return s }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @inline(__always) static func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// Unicode NFC, skipped for ASCII text (which is always in NFC).
    static func nfc(_ s: String) -> String {
        s.utf8.allSatisfy { $0 < 0x80 } ? s : s.precomposedStringWithCanonicalMapping
    }

    /// Lower-cases, with an allocation-light path for ASCII.
    static func lower(_ s: String) -> String {
        guard s.utf8.allSatisfy({ $0 < 0x80 }) else { return s.lowercased() }
        guard s.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return s }
        return String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Lower-cases the address and checks its shape: one `@`, non-empty local part, a dotted domain.
    public static func normalizeEmail(_ text: String) -> String? {
        let lower = lower(nfc(text))
        let parts = lower.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !lower.contains(where: { $0.isWhitespace })
        else { return nil }
        return lower
    }

    /// Keeps digits and a leading `+`; `00` becomes `+`; separators (space, dash, dot, parentheses) dropped.
    public static func normalizePhone(_ text: String) -> String? {
        var digits = ""
        var plus = false
        for (i, ch) in text.enumerated() {
            if ch == "+" && i == 0 { plus = true; continue }
            if ch.isASCII && ch.isNumber { digits.append(ch); continue }
            if " -.()/".contains(ch) { continue }
            return nil
        }
        if !plus && digits.hasPrefix("00") {
            plus = true
            digits.removeFirst(2)
        }
        guard (7...15).contains(digits.count) else { return nil }
        return (plus ? "+" : "") + digits
    }

    /// Exact decimal parsing to scaled integer units; `.` or `,` as the decimal mark, no thousands separators.
    public static func parseDecimal(_ text: String, scale: Int) -> Int64? {
        var units: Int64 = 0
        var negative = false
        var fractionDigits = -1
        var sawDigit = false
        for (i, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where i == 0: negative = true
            case UInt8(ascii: "+") where i == 0: continue
            case UInt8(ascii: "."), UInt8(ascii: ","):
                guard fractionDigits < 0 else { return nil }
                fractionDigits = 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                if fractionDigits >= 0 {
                    fractionDigits += 1
                    guard fractionDigits <= scale else { return nil }
                }
                let (m, o1) = units.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                units = a
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        for _ in 0..<(scale - max(fractionDigits, 0)) {
            let (m, o) = units.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            units = m
        }
        return negative ? -units : units
    }

    /// `YYYY-MM-DD` or `YYYYMMDD` to days since epoch.
    public static func parseDate(_ text: String) -> Int? {
        let b = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        let y, m, d: Int?
        if b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
            (y, m, d) = (num(0..<4), num(5..<7), num(8..<10))
        } else if b.count == 8 {
            (y, m, d) = (num(0..<4), num(4..<6), num(6..<8))
        } else {
            return nil
        }
        guard let y, let m, let d, let date = CivilDate(year: y, month: m, day: d) else { return nil }
        return date.daysSinceEpoch
    }

    /// ISO 8601 timestamp to milliseconds since epoch. No offset means UTC; a bare date means midnight UTC.
    public static func parseTimestamp(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        if b.count == 10 || b.count == 8, let days = parseDate(text) { return Int64(days) * 86_400_000 }
        guard b.count >= 16, let days = parseDate(String(decoding: b[0..<10], as: UTF8.self)),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t")
        else { return nil }
        var i = 11
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for j in i..<(i + n) {
                guard b[j] >= 48, b[j] <= 57 else { return nil }
                v = v * 10 + Int(b[j] - 48)
            }
            i += n
            return v
        }
        guard let hh = digits(2), hh < 24, i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let mm = digits(2), mm < 60 else { return nil }
        var ss = 0
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = digits(2), s < 61 else { return nil }
            ss = min(s, 59)
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                var scale = 100
                var any = false
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    millis += Int(b[i] - 48) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        var offsetMinutes = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2), oh <= 14 else { return nil }
                if i < b.count, b[i] == UInt8(ascii: ":") { i += 1 }
                let om = i < b.count ? (digits(2) ?? -1) : 0
                guard om >= 0, om < 60 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        let seconds = Int64(days) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }
}
