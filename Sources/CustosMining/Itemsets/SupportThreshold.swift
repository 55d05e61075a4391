import Foundation

/// Converts a relative support threshold into the exact minimum count.
///
/// A support fraction `s` on `N` baskets means `count >= ceil(s * N)`. The product is computed
/// exactly: `s` is read as the shortest decimal that round-trips to the same `Double`
/// (so `0.1` means one tenth, not 0.1000000000000000055511...), and the product and ceiling
/// are taken in decimal arithmetic. Thus `0.1` on 30 baskets gives 3, where the floating-point
/// product `0.1 * 30 = 3.0000000000000004` would wrongly give 4.
public enum SupportThreshold {
    /// The smallest count that reaches support fraction `fraction` on `basketCount` baskets,
    /// never below 1.
    /// - Throws: `MiningError.invalidSupportFraction` unless `0 < fraction <= 1`.
    public static func minimumCount(fraction: Double, basketCount: Int) throws -> Int {
        guard fraction.isFinite, fraction > 0, fraction <= 1 else {
            throw MiningError.invalidSupportFraction(fraction)
        }
        guard let decimal = Decimal(string: "\(fraction)", locale: Locale(identifier: "en_US_POSIX")) else {
            throw MiningError.invalidSupportFraction(fraction)
        }
        var product = decimal * Decimal(basketCount)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &product, 0, .up)
        let count = NSDecimalNumber(decimal: rounded).intValue
        return max(1, count)
    }

    /// The smallest count that reaches support `numerator / denominator` on `basketCount` baskets
    /// (exact integer arithmetic), never below 1.
    public static func minimumCount(numerator: Int, denominator: Int, basketCount: Int) throws -> Int {
        guard denominator > 0, numerator > 0, numerator <= denominator else {
            throw MiningError.invalidParameter(name: "numerator/denominator", reason: "must be a fraction in (0, 1]")
        }
        let product = numerator.multipliedFullWidth(by: basketCount)
        let (quotient, remainder) = denominator.dividingFullWidth(product)
        return max(1, quotient + (remainder > 0 ? 1 : 0))
    }
}
