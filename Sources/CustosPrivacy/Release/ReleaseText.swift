import Foundation
/// Text in a DP result (titles, notes, column headings). It is written as a string literal whose
/// interpolations are limited to released numbers and values the author declares public with
/// `\(public: …)`, so a note cannot quietly carry an exact count:
///
/// ```swift
/// let note: ReleaseText = "pairs among the \(public: candidates) top items; noisy baskets \(basketCount)"
/// ```
public struct ReleaseText: Sendable, Hashable, Encodable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// A piece of the text.
    public enum Segment: Sendable, Hashable, Encodable {
        /// Literal text from the source code.
        case literal(String)
        /// A value declared public by the author (a parameter, a bound, a threshold derived from them).
        case declared(String)
        /// A released number.
        case number(ReleasedNumber, decimals: Int)
    }

    /// The pieces, in order.
    public private(set) var segments: [Segment]

    public init(stringLiteral value: String) { segments = [.literal(value)] }

    public init(stringInterpolation: Interpolation) { segments = stringInterpolation.segments }

    /// The text as a reader sees it.
    public var description: String {
        segments.map { segment in
            switch segment {
            case let .literal(text), let .declared(text): return text
            case let .number(number, decimals): return ReleaseText.format(number.value, decimals: decimals)
            }
        }.joined()
    }

    /// Appends another text.
    public static func + (a: ReleaseText, b: ReleaseText) -> ReleaseText {
        var joined = a
        joined.segments += b.segments
        return joined
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `value` with a fixed number of decimals (integers without a decimal point).
    static func format(_ value: Double, decimals: Int) -> String {
        decimals == 0 ? String(Int64(value.rounded())) : String(format: "%.\(decimals)f", value)
    }

    /// Builds the segments of an interpolated literal.
    public struct Interpolation: StringInterpolationProtocol {
        var segments: [Segment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { segments.append(.literal(literal)) }
        }

        /// A value the author declares public (never computed from the data).
        public mutating func appendInterpolation(public value: some CustomStringConvertible) {
            segments.append(.declared(value.description))
        }

        /// A released number, shown with `decimals` decimals.
        public mutating func appendInterpolation(_ number: ReleasedNumber, decimals: Int = 0) {
            segments.append(.number(number, decimals: decimals))
        }

        /// Another release text.
        public mutating func appendInterpolation(_ text: ReleaseText) {
            segments += text.segments
        }
    }
}
