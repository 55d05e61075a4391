/// A non-negative integer of any size, for the exact samplers' intermediate values
/// (for example the discrete Gaussian's acceptance exponent, which can exceed 128 bits).
///
/// Little-endian 64-bit limbs with no leading zero limb; zero has no limbs. Internal: only the
/// operations the samplers need.
struct BigNatural: Comparable, Hashable, Sendable {
    private(set) var limbs: [UInt64]

    static let zero = BigNatural(limbs: [])

    init(_ value: UInt64) {
        limbs = value == 0 ? [] : [value]
    }

    init(limbs: [UInt64]) {
        self.limbs = limbs
        normalize()
    }

    private mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    var isZero: Bool { limbs.isEmpty }

    /// Number of significant bits (0 for zero).
    var bitWidth: Int {
        guard let top = limbs.last else { return 0 }
        return limbs.count * 64 - top.leadingZeroBitCount
    }

    /// The value as a UInt64, or nil when it does not fit.
    var uint64Value: UInt64? {
        switch limbs.count {
        case 0: return 0
        case 1: return limbs[0]
        default: return nil
        }
    }

    static func < (a: BigNatural, b: BigNatural) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        var i = a.limbs.count - 1
        while i >= 0 {
            if a.limbs[i] != b.limbs[i] { return a.limbs[i] < b.limbs[i] }
            i -= 1
        }
        return false
    }

    static func + (a: BigNatural, b: BigNatural) -> BigNatural {
        let n = max(a.limbs.count, b.limbs.count)
        var out = [UInt64](repeating: 0, count: n + 1)
        var carry: UInt64 = 0
        for i in 0..<n {
            let x = i < a.limbs.count ? a.limbs[i] : 0
            let y = i < b.limbs.count ? b.limbs[i] : 0
            let (s1, o1) = x.addingReportingOverflow(y)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        out[n] = carry
        return BigNatural(limbs: out)
    }

    /// `a - b`. - Precondition: `a >= b`.
    static func - (a: BigNatural, b: BigNatural) -> BigNatural {
        precondition(!(a < b), "BigNatural subtraction would go negative")
        var out = a.limbs
        var borrow: UInt64 = 0
        for i in 0..<out.count {
            let y = i < b.limbs.count ? b.limbs[i] : 0
            let (d1, o1) = out[i].subtractingReportingOverflow(y)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return BigNatural(limbs: out)
    }

    static func * (a: BigNatural, b: BigNatural) -> BigNatural {
        if a.isZero || b.isZero { return .zero }
        var out = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count)
        for i in 0..<a.limbs.count {
            var carry: UInt64 = 0
            for j in 0..<b.limbs.count {
                let p = a.limbs[i].multipliedFullWidth(by: b.limbs[j])
                let (s1, o1) = p.low.addingReportingOverflow(out[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                out[i + j] = s2
                carry = p.high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            out[i + b.limbs.count] = carry
        }
        return BigNatural(limbs: out)
    }

    static func * (a: BigNatural, b: UInt64) -> BigNatural { a * BigNatural(b) }

    /// `self * 2^bits`.
    func shiftedLeft(_ bits: Int) -> BigNatural {
        if isZero || bits == 0 { return self }
        let limbShift = bits / 64
        let bitShift = bits % 64
        var out = [UInt64](repeating: 0, count: limbs.count + limbShift + 1)
        for i in 0..<limbs.count {
            out[i + limbShift] |= limbs[i] << bitShift
            if bitShift > 0 { out[i + limbShift + 1] |= limbs[i] >> (64 - bitShift) }
        }
        return BigNatural(limbs: out)
    }

    /// `floor(self / 2^bits)`.
    func shiftedRight(_ bits: Int) -> BigNatural {
        let limbShift = bits / 64
        let bitShift = bits % 64
        if limbShift >= limbs.count { return .zero }
        var out = [UInt64](repeating: 0, count: limbs.count - limbShift)
        for i in 0..<out.count {
            out[i] = limbs[i + limbShift] >> bitShift
            if bitShift > 0, i + limbShift + 1 < limbs.count {
                out[i] |= limbs[i + limbShift + 1] << (64 - bitShift)
            }
        }
        return BigNatural(limbs: out)
    }

    /// A uniformly random value in `0..<bound`, by rejection on masked random limbs (no bias).
    ///
    /// - Precondition: `bound > 0`.
    static func uniform<R: RandomSource>(below bound: BigNatural, using random: inout R) -> BigNatural {
        precondition(!bound.isZero, "uniform(below:) needs a positive bound")
        if let small = bound.uint64Value { return BigNatural(random.uniform(below: small)) }
        let topBits = bound.bitWidth - (bound.limbs.count - 1) * 64
        let mask: UInt64 = topBits == 64 ? ~0 : (UInt64(1) << topBits) - 1
        while true {
            var draw = [UInt64](repeating: 0, count: bound.limbs.count)
            for i in 0..<draw.count { draw[i] = random.nextUInt64() }
            draw[draw.count - 1] &= mask
            let candidate = BigNatural(limbs: draw)
            if candidate < bound { return candidate }
        }
    }
}
