/// Generalises an age into a band such as "30-39", with top-coding ("90+").
public struct AgeBand: Sendable, Hashable, Codable {
    /// Width of each band in years.
    public let width: Int
    /// Ages at or above this are reported as "<topCode>+"; nil for no top-coding.
    public let topCode: Int?

    /// Bands of `width` years (at least 1), optionally top-coded at `topCode` (a multiple of width).
    public init(width: Int, topCode: Int? = nil) throws {
        guard width >= 1 else { throw PrivacyError.invalidParameter("an age band needs a width of at least one year") }
        if let topCode, topCode <= 0 || topCode % width != 0 {
            throw PrivacyError.invalidParameter("the top-coding age must be a positive multiple of the band width")
        }
        self.width = width
        self.topCode = topCode
    }

    /// The band label, or nil for a negative age.
    public func label(forAge age: Int) -> String? {
        guard age >= 0 else { return nil }
        if let topCode, age >= topCode { return "\(topCode)+" }
        let start = age / width * width
        return width == 1 ? "\(start)" : "\(start)-\(start + width - 1)"
    }
}

/// Top- and bottom-coding of a number: values beyond public limits are replaced by the limit.
public struct TopBottomCoding: Sendable, Hashable, Codable {
    /// Values below are reported as this.
    public let bottom: Double
    /// Values above are reported as this.
    public let top: Double

    /// Limits with `bottom <= top`.
    public init(bottom: Double, top: Double) throws {
        guard bottom.isFinite, top.isFinite, bottom <= top else {
            throw PrivacyError.invalidParameter("top/bottom coding needs finite limits with bottom <= top")
        }
        self.bottom = bottom
        self.top = top
    }

    /// The coded value (NaN stays NaN).
    public func code(_ value: Double) -> Double {
        value.isNaN ? value : min(max(value, bottom), top)
    }

    /// A label: "<=bottom", ">=top", or the value's own text.
    public func label(_ value: Double) -> String {
        if value <= bottom { return "<=\(bottom)" }
        if value >= top { return ">=\(top)" }
        return "\(value)"
    }
}

/// Generalises a postcode to its first characters (spaces removed, upper-cased): "SW1A 1AA" -> "SW1".
public struct PostcodePrefix: Sendable, Hashable, Codable {
    /// Characters kept.
    public let length: Int

    /// Keep `length` (at least 1) characters.
    public init(length: Int) throws {
        guard length >= 1 else { throw PrivacyError.invalidParameter("a postcode prefix keeps at least one character") }
        self.length = length
    }

    /// The prefix, or nil when the postcode is shorter than the prefix (too specific to keep).
    public func prefix(of postcode: String) -> String? {
        let compact = postcode.uppercased().filter { !$0.isWhitespace }
        guard compact.count >= length else { return nil }
        return String(compact.prefix(length))
    }
}
