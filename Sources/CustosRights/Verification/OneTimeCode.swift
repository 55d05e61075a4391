import CustosCrypto

/// One-time verification codes: decimal digits drawn uniformly from the CSPRNG.
public enum OneTimeCode {
    /// The shortest and longest code lengths accepted.
    public static let allowedDigits = 6...8

    /// A fresh code of `digits` decimal digits (leading zeros kept), uniform over all 10^digits values.
    public static func generate(digits: Int) -> String {
        code(digits: digits, randomWord: SecureRandom.uint64)
    }

    /// A code of `digits` digits from the 64-bit words `randomWord` returns (tests inject a script).
    static func code(digits: Int, randomWord: () -> UInt64) -> String {
        precondition(allowedDigits.contains(digits), "one-time codes have 6 to 8 digits")
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(uniform(below: modulus, randomWord: randomWord))
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// A value uniform in 0..<bound by rejection sampling: words below 2^64 mod bound are drawn
    /// again, so every residue is hit by exactly floor(2^64 / bound) words (no modulo bias).
    static func uniform(below bound: UInt64, randomWord: () -> UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        let threshold = (0 &- bound) % bound  // 2^64 mod bound
        while true {
            let word = randomWord()
            if word >= threshold { return word % bound }
        }
    }
}
