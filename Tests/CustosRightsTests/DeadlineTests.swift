import CustosBase
@testable import CustosRights
import CustosSchema
import Foundation
import XCTest

/// Due dates against the UK ICO's worked examples ("Time limits for responding to data protection
/// rights requests" and the right-of-access guidance), with England and Wales bank holidays.
final class DeadlineTests: XCTestCase {
    func gdprDue(_ received: String, _ calculator: DeadlineCalculator) -> String {
        calculator.dueDate(for: .gdpr, receivedOn: day(received)).iso8601
    }

    func testICOExampleThreeSeptemberIsDueThreeOctober() throws {
        XCTAssertEqual(gdprDue("2024-09-03", try Sample.ukCalculator()), "2024-10-03")
    }

    func testICOExampleThirtyFirstJanuaryEndsOnTheLastDayOfFebruary() throws {
        let uk = try Sample.ukCalculator()
        XCTAssertEqual(gdprDue("2023-01-31", uk), "2023-02-28")  // a Tuesday
        XCTAssertEqual(gdprDue("2024-01-31", uk), "2024-02-29")  // leap year, a Thursday
        XCTAssertEqual(gdprDue("2024-01-30", uk), "2024-02-29")
        XCTAssertEqual(gdprDue("2025-03-31", uk), "2025-04-30")  // ICO: 31 March -> 30 April (a Wednesday in 2025)
    }

    func testICOExampleDueDateOnABankHolidayRollsToTheNextWorkingDay() throws {
        let uk = try Sample.ukCalculator()
        // ICO: received 25 November; 25 and 26 December are bank holidays, so 27 December (a Friday in 2024).
        XCTAssertEqual(gdprDue("2024-11-25", uk), "2024-12-27")
        // ICO: received 1 April; 1 May 2023 is the Early May bank holiday (a Monday), so Tuesday 2 May.
        XCTAssertEqual(gdprDue("2023-04-01", uk), "2023-05-02")
        // Good Friday 2024 (29 March), the weekend and Easter Monday: Tuesday 2 April.
        XCTAssertEqual(gdprDue("2024-02-29", uk), "2024-04-02")
    }

    func testWeekendDueDatesRollToMonday() throws {
        let uk = try Sample.ukCalculator()
        XCTAssertEqual(gdprDue("2024-10-02", uk), "2024-11-04")  // 2 November 2024 is a Saturday
        XCTAssertEqual(gdprDue("2024-10-03", uk), "2024-11-04")  // 3 November 2024 is a Sunday
        // Receipt on a weekend still counts as day one: Saturday 5 October -> Tuesday 5 November.
        XCTAssertEqual(gdprDue("2024-10-05", uk), "2024-11-05")
    }

    func testWithoutHolidaysOnlyWeekendsMove() {
        let plain = DeadlineCalculator()
        XCTAssertEqual(gdprDue("2024-11-25", plain), "2024-12-25")
        XCTAssertEqual(gdprDue("2024-10-02", plain), "2024-11-04")
        let noRoll = DeadlineCalculator(gdprRollsForward: false)
        XCTAssertEqual(gdprDue("2024-10-02", noRoll), "2024-11-02")
    }

    func testReceiptDateIsTheControllersLocalDate() throws {
        let uk = try Sample.ukCalculator()
        // 23:30 UTC on 2 September is 00:30 on 3 September in London (BST).
        XCTAssertEqual(uk.localDate(of: instant("2024-09-02T23:30:00Z")).iso8601, "2024-09-03")
        XCTAssertEqual(uk.dueDate(for: .gdpr, receivedAt: instant("2024-09-02T23:30:00Z")).iso8601, "2024-10-03")
        // In winter London is on UTC.
        XCTAssertEqual(uk.localDate(of: instant("2024-12-02T23:30:00Z")).iso8601, "2024-12-02")
    }

    func testAddingMonthsClampsToTheEndOfTheMonth() {
        XCTAssertEqual(DeadlineCalculator.addingMonths(1, to: day("2024-12-15")).iso8601, "2025-01-15")
        XCTAssertEqual(DeadlineCalculator.addingMonths(3, to: day("2023-11-30")).iso8601, "2024-02-29")
        XCTAssertEqual(DeadlineCalculator.addingMonths(1, to: day("2024-03-31")).iso8601, "2024-04-30")
        XCTAssertEqual(DeadlineCalculator.addingMonths(13, to: day("2023-01-31")).iso8601, "2024-02-29")
    }

    func testExtensionIsThreeMonthsFromReceiptNotTwoFromTheDueDate() throws {
        let uk = try Sample.ukCalculator()
        // Received 31 January 2023: due 28 February. ICO: extension = three months from receipt =
        // 30 April 2023 (a Sunday) -> 1 May (bank holiday) -> Tuesday 2 May. Two months from the due
        // date would have been 28 April.
        XCTAssertEqual(try uk.extendedDueDate(receivedOn: day("2023-01-31"), additionalMonths: 2).iso8601, "2023-05-02")
        // One further month: two months from receipt, 31 March 2023 (a Friday).
        XCTAssertEqual(try uk.extendedDueDate(receivedOn: day("2023-01-31"), additionalMonths: 1).iso8601, "2023-03-31")
        XCTAssertEqual(try uk.extendedDueDate(receivedOn: day("2024-09-03"), additionalMonths: 2).iso8601, "2024-12-03")
        XCTAssertThrowsError(try uk.extendedDueDate(receivedOn: day("2024-09-03"), additionalMonths: 3)) { error in
            XCTAssertEqual(error as? RequestError, .extensionTooLong(requestedMonths: 3))
        }
        XCTAssertThrowsError(try uk.extendedDueDate(receivedOn: day("2024-09-03"), additionalMonths: 0))
    }

    func testPIPLWorkingDaysSkipWeekendsHolidaysAndCountMakeUpDays() throws {
        let plain = DeadlineCalculator()
        // Monday 2 September 2024 + 15 working days (weekends only): Monday 23 September.
        XCTAssertEqual(plain.dueDate(for: .pipl, receivedOn: day("2024-09-02")).iso8601, "2024-09-23")
        let china = DeadlineCalculator(calendar: try HolidayCalendar.parse(HolidayFixtures.china2024))
        // Mid-Autumn: 16-17 September off, Saturday 14 September worked: Tuesday 24 September.
        XCTAssertEqual(china.dueDate(for: .pipl, receivedOn: day("2024-09-02")).iso8601, "2024-09-24")
        // National Day: 1-7 October off, Sunday 29 September and Saturday 12 October worked.
        XCTAssertEqual(china.dueDate(for: .pipl, receivedOn: day("2024-09-20")).iso8601, "2024-10-16")
    }

    func testPIPLCalendarDaysWithAndWithoutRollForward() throws {
        let holidays = try HolidayCalendar.parse(HolidayFixtures.china2024)
        let rolled = DeadlineCalculator(calendar: holidays, piplDeadline: .calendarDays(15, rollForward: true))
        XCTAssertEqual(rolled.dueDate(for: .pipl, receivedOn: day("2024-09-02")).iso8601, "2024-09-18")  // 17th is a holiday
        let exact = DeadlineCalculator(calendar: holidays, piplDeadline: .calendarDays(15, rollForward: false))
        XCTAssertEqual(exact.dueDate(for: .pipl, receivedOn: day("2024-09-02")).iso8601, "2024-09-17")
        let thirty = DeadlineCalculator(calendar: holidays, piplDeadline: .calendarDays(30, rollForward: true))
        XCTAssertEqual(thirty.dueDate(for: .pipl, receivedOn: day("2024-09-02")).iso8601, "2024-10-08")  // 2 Oct -> after National Day
    }

    func testOverdueAndDaysLeftCountTheDueDateAsInTime() throws {
        let uk = try Sample.ukCalculator()
        let due = day("2024-10-03")
        XCTAssertEqual(uk.daysLeft(until: due, asOf: instant("2024-09-03T12:00:00Z")), 30)
        XCTAssertEqual(uk.daysLeft(until: due, asOf: instant("2024-10-03T22:30:00Z")), 0)  // 23:30 BST, still the 3rd
        XCTAssertFalse(uk.isOverdue(dueDate: due, asOf: instant("2024-10-03T22:30:00Z")))
        XCTAssertTrue(uk.isOverdue(dueDate: due, asOf: instant("2024-10-03T23:30:00Z")))  // 00:30 BST on the 4th
        XCTAssertEqual(uk.daysLeft(until: due, asOf: instant("2024-10-05T09:00:00Z")), -2)
    }

    func testHolidayListFormats() throws {
        let text = try HolidayCalendar.parse(HolidayFixtures.englandAndWales2023to2024)
        XCTAssertEqual(text.holidays.count, 17)
        XCTAssertFalse(text.isWorkingDay(day("2023-05-08")))
        XCTAssertTrue(text.isWorkingDay(day("2023-05-09")))

        let china = try HolidayCalendar.parse(HolidayFixtures.china2024)
        XCTAssertEqual(china.holidays.count, 28)
        XCTAssertEqual(china.workingWeekendDays.count, 8)
        XCTAssertTrue(china.isWorkingDay(day("2024-09-14")))  // a Saturday worked
        XCTAssertFalse(china.isWorkingDay(day("2024-09-21")))  // an ordinary Saturday

        let json = try HolidayCalendar.parse(#"{"holidays": ["2024-12-25", {"date": "2024-12-26", "title": "Boxing Day"}], "working_days": []}"#)
        XCTAssertEqual(json.holidays, [day("2024-12-25"), day("2024-12-26")])
        let array = try HolidayCalendar.parse(#"["2024-01-01"]"#)
        XCTAssertEqual(array.holidays, [day("2024-01-01")])

        XCTAssertThrowsError(try HolidayCalendar.parse("2024-01-01\n2024-13-01 Not a date\n")) { error in
            XCTAssertEqual((error as? HolidayCalendarError).map { if case let .badLine(line, _) = $0 { return line } else { return 0 } }, 2)
        }
        XCTAssertThrowsError(try HolidayCalendar.parse(#"{"holiday": []}"#))
        XCTAssertThrowsError(try HolidayCalendar.parse("bank_holidays:\n- 2024-01-01\n"))
    }

    func testHolidayListLoadsFromAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("holidays-\(UUID().uuidString).yaml")
        try Data(HolidayFixtures.china2024.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let loaded = try HolidayCalendar.load(contentsOf: url)
        XCTAssertEqual(loaded, try HolidayCalendar.parse(HolidayFixtures.china2024))
        XCTAssertThrowsError(try HolidayCalendar.load(contentsOf: url.appendingPathExtension("missing"))) { error in
            XCTAssertEqual(error as? HolidayCalendarError, .unreadable(file: url.lastPathComponent + ".missing"))
        }
    }
}
