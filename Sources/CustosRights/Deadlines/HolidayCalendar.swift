import CustosBase
import CustosSchema
import Foundation

/// Which days are working days: weekends (Saturday and Sunday by default), public holidays, and
/// weekend days declared working days (China moves working days onto weekends around holidays).
public struct HolidayCalendar: Sendable, Equatable {
    /// Public holidays.
    public private(set) var holidays: Set<CivilDate>
    /// Weekend days that are working days (make-up working days, 调休).
    public private(set) var workingWeekendDays: Set<CivilDate>
    /// Weekday numbers of the weekend, as `CivilDate.weekday` counts them (0 = Monday ... 6 = Sunday).
    public let weekendDays: Set<Int>

    /// No holidays, Saturday and Sunday off.
    public static let weekendsOnly = HolidayCalendar()

    /// A calendar.
    public init(holidays: some Sequence<CivilDate> = [], workingWeekendDays: some Sequence<CivilDate> = [], weekendDays: Set<Int> = [5, 6]) {
        self.holidays = Set(holidays)
        self.workingWeekendDays = Set(workingWeekendDays)
        self.weekendDays = weekendDays
    }

    /// Whether `date` is a working day.
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        if holidays.contains(date) { return false }
        if weekendDays.contains(date.weekday) { return workingWeekendDays.contains(date) }
        return true
    }

    /// `date` itself if it is a working day, else the next working day after it.
    public func nextWorkingDay(onOrAfter date: CivilDate) -> CivilDate {
        var day = date
        var steps = 0
        // The bound only guards a calendar that marks every day off; no real calendar comes near it.
        while !isWorkingDay(day), steps < 366 {
            day = day.adding(days: 1)
            steps += 1
        }
        return day
    }

    /// Adds holidays and working weekend days from another calendar (e.g. two years' files).
    public mutating func merge(_ other: HolidayCalendar) {
        holidays.formUnion(other.holidays)
        workingWeekendDays.formUnion(other.workingWeekendDays)
    }

    /// Reads a holiday list from a file; see `parse(_:)` for the formats.
    public static func load(contentsOf url: URL, weekendDays: Set<Int> = [5, 6]) throws -> HolidayCalendar {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw HolidayCalendarError.unreadable(file: url.lastPathComponent)
        }
        return try parse(String(decoding: data, as: UTF8.self), weekendDays: weekendDays)
    }

    /// Parses a holiday list. Accepted forms:
    /// - JSON: an array of `"YYYY-MM-DD"` strings (holidays), or an object with `holidays` and optional
    ///   `working_days` arrays whose entries are date strings or objects with a `date` field.
    /// - YAML-style or plain text: one date per line, optionally as a list item (`- 2024-12-25`), quoted,
    ///   followed by a name, with `#` comments; a `holidays:` or `working_days:` line starts that section
    ///   (holidays by default).
    public static func parse(_ text: String, weekendDays: Set<Int> = [5, 6]) throws -> HolidayCalendar {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") { return try parseJSON(trimmed, weekendDays: weekendDays) }
        var holidays: [CivilDate] = []
        var working: [CivilDate] = []
        var inWorkingSection = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            var content = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty || content == "---" { continue }
            if content.hasSuffix(":") {
                switch content.dropLast().trimmingCharacters(in: .whitespaces).lowercased() {
                case "holidays": inWorkingSection = false
                case "working_days", "workdays": inWorkingSection = true
                default:
                    throw HolidayCalendarError.badLine(line: lineNumber, reason: "unknown section '\(content)'; use holidays: or working_days:")
                }
                continue
            }
            if content.hasPrefix("-") { content = content.dropFirst().trimmingCharacters(in: .whitespaces) }
            let token = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            let unquoted = token.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            guard let date = ISODate(unquoted)?.date else {
                throw HolidayCalendarError.badLine(line: lineNumber, reason: "expected a date as YYYY-MM-DD at the start of the line")
            }
            if inWorkingSection { working.append(date) } else { holidays.append(date) }
        }
        return HolidayCalendar(holidays: holidays, workingWeekendDays: working, weekendDays: weekendDays)
    }

    static func parseJSON(_ text: String, weekendDays: Set<Int>) throws -> HolidayCalendar {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw HolidayCalendarError.badJSON(reason: "not valid JSON")
        }
        func dates(_ any: Any?, key: String) throws -> [CivilDate] {
            guard let any else { return [] }
            guard let list = any as? [Any] else { throw HolidayCalendarError.badJSON(reason: "'\(key)' must be an array of dates") }
            return try list.enumerated().map { position, entry in
                let text = (entry as? String) ?? ((entry as? [String: Any])?["date"] as? String)
                guard let text, let date = ISODate(text)?.date else {
                    throw HolidayCalendarError.badJSON(reason: "entry \(position + 1) of '\(key)' is not a YYYY-MM-DD date")
                }
                return date
            }
        }
        if let list = object as? [Any] {
            return HolidayCalendar(holidays: try dates(list, key: "holidays"), weekendDays: weekendDays)
        }
        guard let dictionary = object as? [String: Any] else { throw HolidayCalendarError.badJSON(reason: "expected an array or an object") }
        if let unknown = dictionary.keys.first(where: { $0 != "holidays" && $0 != "working_days" }) {
            throw HolidayCalendarError.badJSON(reason: "unknown key '\(unknown)'; use holidays and working_days")
        }
        return HolidayCalendar(
            holidays: try dates(dictionary["holidays"], key: "holidays"),
            workingWeekendDays: try dates(dictionary["working_days"], key: "working_days"),
            weekendDays: weekendDays)
    }
}

/// Why a holiday list could not be read.
public enum HolidayCalendarError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String)
    /// A line of a text or YAML-style list is not a date or a known section.
    case badLine(line: Int, reason: String)
    /// The JSON form is malformed.
    case badJSON(reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file): return "cannot read the holiday list '\(file)'; check the path and permissions"
        case let .badLine(line, reason): return "holiday list line \(line): \(reason)"
        case let .badJSON(reason): return "holiday list: \(reason)"
        }
    }
}
