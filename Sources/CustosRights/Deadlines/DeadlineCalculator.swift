import CustosBase
import CustosSchema
import Foundation

/// How long a PIPL request may take. PIPL asks for a "timely" answer (arts. 44-50) without a number
/// of days; the controller fixes its own. The default, 15 working days, follows the Chinese
/// regulators' practice for apps ("App违法违规收集使用个人信息行为认定方法", 2019: handling time
/// promised to users must not exceed 15 working days).
public enum PIPLDeadline: Hashable, Sendable, Codable {
    /// `n` working days, counted from the day after receipt.
    case workingDays(Int)
    /// `n` calendar days after receipt; when `rollForward`, a non-working due date moves to the next working day.
    case calendarDays(Int, rollForward: Bool)
}

/// Computes due dates for data-subject requests.
///
/// GDPR art. 12(3): "within one month of receipt", extendable "by two further months". The rule
/// implemented is the UK ICO's published reading:
/// - the month starts on the day of receipt (working day or not) and ends on the corresponding
///   calendar date in the next month; if that date does not exist, on the last day of that month
///   (31 January -> 28 February, or 29 February in a leap year);
/// - a due date on a weekend or public holiday moves to the next working day;
/// - an extension is computed as three months from the day of receipt (not two months from the
///   original due date), with the same end-of-month and working-day rules. A one-month extension
///   is two months from receipt. Receipt 31 January 2023: due 28 February; extended due 30 April,
///   a Sunday, then 1 May (bank holiday), so 2 May 2023. Two months from the original due date
///   would give 28 April: the ICO rule is never earlier.
///
/// Dates are taken in `timeZone` (the controller's local time): a request received at 23:30 UTC
/// on 2 September is received on 3 September in London in summer.
public struct DeadlineCalculator: Sendable {
    /// Weekends and public holidays.
    public var calendar: HolidayCalendar
    /// The controller's time zone, for the local date of receipt and of "today".
    public var timeZone: TimeZone
    /// The PIPL time limit.
    public var piplDeadline: PIPLDeadline
    /// Whether a GDPR due date on a weekend or holiday moves to the next working day (ICO guidance: yes).
    public var gdprRollsForward: Bool

    /// The most further months GDPR art. 12(3) allows.
    public static let maximumExtensionMonths = 2

    /// A calculator; by default weekends only, UTC, PIPL 15 working days, GDPR rolls forward.
    public init(
        calendar: HolidayCalendar = .weekendsOnly, timeZone: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current,
        piplDeadline: PIPLDeadline = .workingDays(15), gdprRollsForward: Bool = true
    ) {
        self.calendar = calendar
        self.timeZone = timeZone
        self.piplDeadline = piplDeadline
        self.gdprRollsForward = gdprRollsForward
    }

    /// The local calendar date of `instant` in `timeZone`.
    public func localDate(of instant: Date) -> CivilDate {
        let seconds = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        return CivilDate(daysSinceEpoch: Int((seconds / 86_400).rounded(.down)))
    }

    /// The corresponding date `months` calendar months after `date`, or the last day of that month
    /// when it is shorter.
    public static func addingMonths(_ months: Int, to date: CivilDate) -> CivilDate {
        let zeroBased = date.year * 12 + (date.month - 1) + months
        let year = zeroBased >= 0 ? zeroBased / 12 : (zeroBased - 11) / 12
        let month = zeroBased - year * 12 + 1
        let day = min(date.day, CivilDate.daysInMonth(year: year, month: month))
        // The day is clamped into the month, so the date always exists.
        return CivilDate(year: year, month: month, day: day) ?? date
    }

    /// The due date of a request received on `receivedOn`.
    public func dueDate(for jurisdiction: Jurisdiction, receivedOn: CivilDate) -> CivilDate {
        switch jurisdiction {
        case .gdpr:
            let end = Self.addingMonths(1, to: receivedOn)
            return gdprRollsForward ? calendar.nextWorkingDay(onOrAfter: end) : end
        case .pipl:
            switch piplDeadline {
            case let .workingDays(n):
                var day = receivedOn
                var counted = 0
                while counted < n {
                    day = day.adding(days: 1)
                    if calendar.isWorkingDay(day) { counted += 1 }
                }
                return day
            case let .calendarDays(n, rollForward):
                let end = receivedOn.adding(days: n)
                return rollForward ? calendar.nextWorkingDay(onOrAfter: end) : end
            }
        }
    }

    /// The due date of a request received at `receivedAt` (local date in `timeZone`).
    public func dueDate(for jurisdiction: Jurisdiction, receivedAt: Date) -> CivilDate {
        dueDate(for: jurisdiction, receivedOn: localDate(of: receivedAt))
    }

    /// The GDPR due date after extending by `additionalMonths` (1 or 2): `1 + additionalMonths`
    /// months from the day of receipt, then the working-day rule (see the type's documentation).
    public func extendedDueDate(receivedOn: CivilDate, additionalMonths: Int) throws -> CivilDate {
        guard (1...Self.maximumExtensionMonths).contains(additionalMonths) else {
            throw RequestError.extensionTooLong(requestedMonths: additionalMonths)
        }
        let end = Self.addingMonths(1 + additionalMonths, to: receivedOn)
        return gdprRollsForward ? calendar.nextWorkingDay(onOrAfter: end) : end
    }

    /// Whether the due date has passed at `asOf` (the due date itself still counts as in time).
    public func isOverdue(dueDate: CivilDate, asOf: Date) -> Bool {
        localDate(of: asOf) > dueDate
    }

    /// Calendar days from the local date of `asOf` to the due date: 0 on the due date, negative when overdue.
    public func daysLeft(until dueDate: CivilDate, asOf: Date) -> Int {
        dueDate.daysSinceEpoch - localDate(of: asOf).daysSinceEpoch
    }
}
