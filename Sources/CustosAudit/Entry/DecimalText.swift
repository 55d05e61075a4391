/// The canonical decimal text of a non-negative privacy parameter (epsilon, rho).
///
/// Rule: the shortest decimal that reads back as the same IEEE-754 binary64 value, written in plain
/// positional notation: no sign, no exponent, no leading zeros before the integer digits (a lone `0`
/// before the point for values below 1), no trailing zeros after the point, no point for whole numbers.
/// Examples: `0.5`, `1`, `0.00001`, `12.25`, `0`.
public enum DecimalText {
    /// The canonical text of `value`; nil for negative, infinite or NaN values.
    public static func canonical(_ value: Double) -> String? {
        guard value.isFinite, value >= 0 else { return nil }
        if value == 0 { return "0" }
        // Swift's description is the shortest round-tripping decimal, possibly in exponent form.
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            guard let parsed = Int(text[text.index(after: e)...]) else { return nil }
            exponent = parsed
        }
        var digits: [Character]
        var pointPosition: Int
        if let dot = mantissa.firstIndex(of: ".") {
            let integerPart = mantissa[..<dot]
            let fractionPart = mantissa[mantissa.index(after: dot)...]
            digits = Array(integerPart) + Array(fractionPart)
            pointPosition = integerPart.count + exponent
        } else {
            digits = Array(mantissa)
            pointPosition = digits.count + exponent
        }
        while let first = digits.first, first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == "0" { digits.removeLast() }
        guard !digits.isEmpty else { return "0" }
        if pointPosition <= 0 {
            return "0." + String(repeating: "0", count: -pointPosition) + String(digits)
        }
        if pointPosition >= digits.count {
            return String(digits) + String(repeating: "0", count: pointPosition - digits.count)
        }
        return String(digits[..<pointPosition]) + "." + String(digits[pointPosition...])
    }

    /// Reads canonical decimal text; nil unless `text` is exactly the canonical form of its value.
    public static func parse(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }),
              let value = Double(text), canonical(value) == text
        else { return nil }
        return value
    }
}
