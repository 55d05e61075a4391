/// What went wrong in the privacy layer, and what to do about it. Messages never carry personal
/// data or key material.
public enum PrivacyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter is malformed (negative, NaN, empty, out of order).
    case invalidParameter(String)
    /// A parameter is well-formed but outside what can be represented or protected.
    case parameterOutOfRange(String)
    /// The job tried to spend more than it reserved.
    case budgetExceeded(requested: PrivacyCost, remaining: PrivacyCost)
    /// The data were bounded more loosely than the mechanism declared.
    case contributionBoundsMismatch(declared: ContributionBounds, supplied: ContributionBounds)
    /// An aggregate overflowed 64-bit integers.
    case arithmeticOverflow(String)
    /// A noise sample did not fit in 64 bits (astronomically unlikely).
    case sampleOutOfRange

    public var description: String {
        switch self {
        case .invalidParameter(let why): return "Invalid privacy parameter: \(why)."
        case .parameterOutOfRange(let why): return "Privacy parameter out of range: \(why)."
        case .budgetExceeded(let requested, let remaining):
            return "The job tried to spend \(requested) but only \(remaining) of its reservation remains; "
                + "declare the full cost of every mechanism before the job runs."
        case .contributionBoundsMismatch(let declared, let supplied):
            return "The data were bounded to \(supplied) but the mechanism declared \(declared); "
                + "bound contributions with the declared limits."
        case .arithmeticOverflow(let what):
            return "Arithmetic overflow in \(what); use fewer decimal places or narrower public bounds."
        case .sampleOutOfRange:
            return "A noise sample did not fit in 64 bits; this should never happen, retry the job."
        }
    }
}
