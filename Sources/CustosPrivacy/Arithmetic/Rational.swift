/// A non-negative rational number `numerator / denominator` in lowest terms, with 64-bit parts.
///
/// Noise scales, variances and privacy parameters are rationals so that the samplers work on
/// integers only: no floating-point value ever decides a noise sample (Mironov 2012).
public struct Rational: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The numerator (lowest terms).
    public let numerator: UInt64
    /// The denominator (lowest terms, never zero).
    public let denominator: UInt64

    /// `numerator / denominator`, reduced to lowest terms.
    ///
    /// - Throws: ``PrivacyError/invalidParameter(_:)`` when the denominator is zero.
    public init(_ numerator: UInt64, _ denominator: UInt64 = 1) throws {
        guard denominator > 0 else {
            throw PrivacyError.invalidParameter("a rational number needs a non-zero denominator")
        }
        let g = Rational.gcd(numerator, denominator)
        self.numerator = numerator / g
        self.denominator = denominator / g
    }

    private init(reduced numerator: UInt64, _ denominator: UInt64) {
        self.numerator = numerator
        self.denominator = denominator
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }

    /// The nearest binary64 value (for display and accuracy reports only, never for sampling).
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// True when the value is zero.
    public var isZero: Bool { numerator == 0 }

    /// "n/d", or "n" when the denominator is one.
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    public static func < (a: Rational, b: Rational) -> Bool {
        let left = a.numerator.multipliedFullWidth(by: b.denominator)
        let right = b.numerator.multipliedFullWidth(by: a.denominator)
        return left.high != right.high ? left.high < right.high : left.low < right.low
    }

    // MARK: - Rounding big ratios into 64-bit parts

    /// The smallest-effort rational `>= numerator / denominator` whose parts fit in 64 bits.
    ///
    /// Both parts are shifted right together; the numerator is rounded up and the denominator down,
    /// so the value can only grow. Used for noise scales and variances: more noise never weakens
    /// the guarantee.
    static func roundedUp(_ numerator: BigNatural, over denominator: BigNatural) throws -> Rational {
        var shift = max(0, max(numerator.bitWidth, denominator.bitWidth) - 64)
        while true {
            var n = numerator.shiftedRight(shift)
            if n.shiftedLeft(shift) != numerator { n = n + BigNatural(1) }
            let d = denominator.shiftedRight(shift)
            if let n64 = n.uint64Value, let d64 = d.uint64Value {
                guard d64 > 0 else {
                    throw PrivacyError.parameterOutOfRange(
                        "the noise scale is too large to represent; use fewer decimal places or narrower bounds")
                }
                return try Rational(n64, d64)
            }
            shift += 1
        }
    }

    /// The largest-effort rational `<= numerator / denominator` whose parts fit in 64 bits
    /// (numerator rounded down, denominator up). Used for privacy parameters (epsilon, rho).
    static func roundedDown(_ numerator: BigNatural, over denominator: BigNatural) throws -> Rational {
        var shift = max(0, max(numerator.bitWidth, denominator.bitWidth) - 64)
        while true {
            let n = numerator.shiftedRight(shift)
            var d = denominator.shiftedRight(shift)
            if d.shiftedLeft(shift) != denominator { d = d + BigNatural(1) }
            if let n64 = n.uint64Value, let d64 = d.uint64Value {
                return try Rational(n64, max(d64, 1))
            }
            shift += 1
        }
    }

    /// The decimal places kept when a privacy parameter given as a Double becomes a rational.
    public static let parameterDecimalPlaces = 9

    /// `floor(value * 10^9) / 10^9`, computed exactly from the Double's bits: the largest multiple of
    /// 10^-9 that is not above `value`. Rounding a privacy parameter (epsilon or rho) down means the
    /// noise is calibrated to a slightly smaller parameter, so the noise scale only grows.
    ///
    /// - Throws: ``PrivacyError/invalidParameter(_:)`` for NaN, infinity or a value that rounds to zero.
    public static func roundingDown(privacyParameter value: Double) throws -> Rational {
        guard value.isFinite, value > 0 else {
            throw PrivacyError.invalidParameter("a privacy parameter must be a positive finite number, got \(value)")
        }
        guard value < 1e9 else {
            throw PrivacyError.parameterOutOfRange("a privacy parameter above 1e9 gives no protection; use a smaller value")
        }
        let scale: UInt64 = 1_000_000_000
        let (mantissa, exponent) = exactParts(value)
        let product = BigNatural(mantissa) * BigNatural(scale)
        let scaled = exponent >= 0 ? product.shiftedLeft(exponent) : product.shiftedRight(-exponent)
        guard let units = scaled.uint64Value, units > 0 else {
            throw PrivacyError.parameterOutOfRange(
                "privacy parameter \(value) is below the smallest supported value 1e-9; use a larger value")
        }
        return try Rational(units, scale)
    }

    /// `value == mantissa * 2^exponent` exactly, for a positive finite Double.
    static func exactParts(_ value: Double) -> (mantissa: UInt64, exponent: Int) {
        if value.isSubnormal {
            return (value.significandBitPattern, -1074)
        }
        let mantissa = (UInt64(1) << 52) | value.significandBitPattern
        return (mantissa, Int(value.exponent) - 52)
    }
}
