import CustosBase
import Foundation
import CustosSchema

/// A calendar date that encodes as an ISO 8601 `YYYY-MM-DD` string (CustosSchema's `CivilDate` is
/// not `Codable`; this wraps it for stored requests and reports).
public struct ISODate: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The calendar date.
    public let date: CivilDate

    /// Wraps `date`.
    public init(_ date: CivilDate) { self.date = date }

    /// Parses `YYYY-MM-DD` (or `YYYYMMDD`); nil when it is not a valid date.
    public init?(_ text: String) {
        guard let days = ValueParser.parseDate(text.trimmingCharacters(in: .whitespaces)) else { return nil }
        date = CivilDate(daysSinceEpoch: days)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = ISODate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a date as YYYY-MM-DD"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(date.iso8601)
    }

    public var description: String { date.iso8601 }

    public static func < (a: ISODate, b: ISODate) -> Bool { a.date < b.date }
}
