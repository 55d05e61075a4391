import Foundation

/// The public range and fixed-point grid of a numeric column, given by the caller from the schema
/// (never computed from the data).
///
/// A value is first clamped to `[lower, upper]`, then rounded to the nearest multiple of the
/// resolution `10^-decimalPlaces` and held as an integer number of grid units; the grid values of
/// the bounds are the integer clamping range. Sensitivities are computed on these integers, so the
/// rounding is inside the stated guarantee; released values are grid units times the resolution.
public struct NumericDomain: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Public lower bound.
    public let lower: Double
    /// Public upper bound.
    public let upper: Double
    /// Grid resolution is `10^-decimalPlaces` (0...9).
    public let decimalPlaces: Int
    /// `lower` in grid units.
    public let lowerUnits: Int64
    /// `upper` in grid units.
    public let upperUnits: Int64

    /// Largest magnitude, in grid units, a bound may have (keeps sums of a billion rows in 64 bits).
    public static let maximumUnits: Int64 = 1 << 33

    /// A domain. Bounds must be finite, ordered and at most 2^33 grid units in magnitude.
    public init(lower: Double, upper: Double, decimalPlaces: Int = 0) throws {
        guard lower.isFinite, upper.isFinite, lower <= upper else {
            throw PrivacyError.invalidParameter("public bounds must be finite with lower <= upper")
        }
        guard (0...9).contains(decimalPlaces) else {
            throw PrivacyError.invalidParameter("decimal places must be between 0 and 9")
        }
        let factor = pow(10.0, Double(decimalPlaces))
        let lo = (lower * factor).rounded(.toNearestOrEven)
        let hi = (upper * factor).rounded(.toNearestOrEven)
        guard abs(lo) <= Double(NumericDomain.maximumUnits), abs(hi) <= Double(NumericDomain.maximumUnits) else {
            throw PrivacyError.parameterOutOfRange("bounds exceed 2^33 grid units; use fewer decimal places")
        }
        self.lower = lower
        self.upper = upper
        self.decimalPlaces = decimalPlaces
        lowerUnits = Int64(lo)
        upperUnits = Int64(hi)
    }

    /// Grid units per unit value, `10^decimalPlaces`.
    public var unitsPerValue: Double { pow(10.0, Double(decimalPlaces)) }

    /// The width of the clamped range in grid units.
    public var widthUnits: Int64 { upperUnits - lowerUnits }

    /// Largest absolute grid value.
    public var magnitudeUnits: Int64 { max(abs(lowerUnits), abs(upperUnits)) }

    /// A value clamped and rounded onto the grid (nil for NaN, which mechanisms treat as missing).
    /// Rounding is to the nearest grid point, ties to even.
    public func units(_ value: Double) -> Int64? {
        GridMapper(self).units(value)
    }

    private var unitsPerValueCached: Double { NumericDomain.powersOfTen[decimalPlaces] }
    private static let powersOfTen: [Double] = (0...9).map { pow(10.0, Double($0)) }

    /// Grid units back to a value.
    public func value(units: Double) -> Double { units / unitsPerValueCached }

    /// "[lower, upper] on a 10^-k grid".
    public var description: String { "[\(lower), \(upper)] on a 10^-\(decimalPlaces) grid" }
}

/// The per-row hot path of ``NumericDomain``: its constants held in registers.
struct GridMapper {
    let lower: Double
    let upper: Double
    let factor: Double
    let lowerUnits: Int64
    let upperUnits: Int64

    init(_ domain: NumericDomain) {
        lower = domain.lower
        upper = domain.upper
        factor = domain.unitsPerValue
        lowerUnits = domain.lowerUnits
        upperUnits = domain.upperUnits
    }

    /// 1.5 * 2^52: adding then subtracting it rounds any |x| < 2^51 to the nearest integer (ties to
    /// even) in the default rounding mode, without a libm call.
    private static let roundingMagic = 6_755_399_441_055_744.0

    @inline(__always)
    func units(_ value: Double) -> Int64? {
        if value.isNaN { return nil }
        let clamped = min(max(value, lower), upper)
        let scaled = (clamped * factor + GridMapper.roundingMagic) - GridMapper.roundingMagic
        return min(max(Int64(scaled), lowerUnits), upperUnits)
    }
}
