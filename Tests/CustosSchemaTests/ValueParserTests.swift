import CustosBase
import CustosSchema
import XCTest

final class ValueParserTests: XCTestCase {
    func column(_ type: ColumnType, normalize: Normalization = .none, scale: Int = 2, values: [String]? = nil,
                bounds: Bounds? = nil) -> Column {
        Column(name: "c", type: type, columnClass: .attribute, category: "user", normalization: normalize, scale: scale,
               bounds: bounds, publicValues: values, providedBySubject: true, description: "", line: nil)
    }

    func parse(_ raw: String, _ column: Column) -> Value? { try? ValueParser.parse(raw, column: column).get() }

    func testEmailsAreTrimmedLowerCasedAndChecked() {
        let c = column(.string, normalize: .email)
        XCTAssertEqual(parse("  Åsa.Öberg@Example.SE ", c), .string("åsa.öberg@example.se"))
        XCTAssertNil(parse("no-at-sign.example.se", c))
        XCTAssertNil(parse("two@@example.se", c))
        XCTAssertNil(parse("a@nodot", c))
        XCTAssertNil(parse("a b@example.se", c))
        XCTAssertEqual(parse("   ", c), .missing)
    }

    func testPhonesNormaliseToDigitsWithCountryCode() {
        let c = column(.string, normalize: .phone)
        XCTAssertEqual(parse("+46 70-123 45 67", c), .string("+46701234567"))
        XCTAssertEqual(parse("0046 (70) 123.45.67", c), .string("+46701234567"))
        XCTAssertEqual(parse("+86 138 0013 8000", c), .string("+8613800138000"))
        XCTAssertNil(parse("12345", c), "too short")
        XCTAssertNil(parse("+46 70 CALL ME", c))
    }

    func testDecimalsAreExactScaledIntegers() {
        let c = column(.decimal, scale: 2)
        XCTAssertEqual(parse("12.5", c), .decimal(1250))
        XCTAssertEqual(parse("12,50", c), .decimal(1250), "a comma is accepted as the decimal mark")
        XCTAssertEqual(parse("-0.01", c), .decimal(-1))
        XCTAssertEqual(parse("7", c), .decimal(700))
        XCTAssertNil(parse("1.234", c), "more digits than the scale are refused, not silently rounded")
        XCTAssertNil(parse("1,234.5", c), "thousands separators are ambiguous and refused")
        XCTAssertNil(parse("12a", c))
        XCTAssertNil(parse("99999999999999999999", c), "overflow is refused")
        XCTAssertEqual(Value.decimal(-1).rendered(scale: 2), "-0.01")
        XCTAssertEqual(Value.decimal(123_456).rendered(scale: 2), "1234.56")
    }

    func testDatesAndTimestamps() {
        XCTAssertEqual(parse("1970-01-01", column(.date)), .date(0))
        XCTAssertEqual(parse("19970101", column(.date)), .date(9862))
        XCTAssertEqual(parse("2024-02-29", column(.date)), .date(19782))
        XCTAssertNil(parse("2023-02-29", column(.date)), "not a leap year")
        XCTAssertNil(parse("2023-13-01", column(.date)))
        let ts = column(.timestamp)
        XCTAssertEqual(parse("1970-01-01T00:00:01Z", ts), .timestamp(1000))
        XCTAssertEqual(parse("1970-01-01T01:00:00+01:00", ts), .timestamp(0))
        XCTAssertEqual(parse("1970-01-01 00:00:00.25", ts), .timestamp(250))
        XCTAssertEqual(parse("2026-11-22T10:15:30.123-0500", ts), .timestamp(1_795_360_530_123))
        XCTAssertNil(parse("2026-11-22T25:00Z", ts))
        XCTAssertNil(parse("yesterday", ts))
        // Rendering round-trips.
        XCTAssertEqual(Value.timestamp(1_795_360_530_123).rendered(), "2026-11-22T15:15:30.123Z")
        XCTAssertEqual(parse(Value.timestamp(-1).rendered(), ts), .timestamp(-1))
    }

    func testCivilDateMatchesKnownWeekdays() {
        XCTAssertEqual(CivilDate(year: 1970, month: 1, day: 1)?.weekday, 3, "1 Jan 1970 was a Thursday")
        XCTAssertEqual(CivilDate(year: 2026, month: 11, day: 22)?.weekday, 6, "22 Nov 2026 is a Sunday")
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            XCTAssertEqual(date.daysSinceEpoch, days)
        }
    }

    func testCategoriesMatchDeclaredValuesCaseInsensitively() {
        let c = column(.category, values: ["SE", "CN"])
        XCTAssertEqual(parse("se", c), .category("SE"))
        XCTAssertNil(parse("XX", c))
        XCTAssertEqual(parse("anything", column(.category)), .category("anything"))
    }

    func testItemsAndBounds() {
        XCTAssertEqual(parse("p1; p2|p3;;", column(.itemList)), .items(["p1", "p2", "p3"]))
        let c = column(.integer, bounds: Bounds(lower: 1, upper: 5))
        XCTAssertTrue(ValueParser.isOutOfBounds(.integer(9), column: c))
        XCTAssertFalse(ValueParser.isOutOfBounds(.integer(5), column: c))
    }

    func testErrorsNameTheColumnButNeverTheValue() {
        let secret = "secret-value-123"
        guard case let .failure(error) = ValueParser.parse(secret, column: column(.integer)) else { return XCTFail("expected failure") }
        XCTAssertFalse(error.description.contains(secret))
        XCTAssertTrue(error.description.contains("column 'c'"))
    }
}
