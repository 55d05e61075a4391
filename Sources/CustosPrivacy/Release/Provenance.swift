/// How a value in a differentially private result came to be releasable. A DP result holds only
/// values with one of these: the type system keeps anything else (an exact count, a row count, a
/// pseudonym) out of it unless someone declares it public, in code a reviewer sees.
public enum Provenance: Sendable, Hashable, Encodable, CustomStringConvertible {
    /// The output of a mechanism that was charged to the job's privacy handle.
    case noisy(mechanism: String)
    /// Computed only from noisy and public values (post-processing costs no privacy).
    case postProcessed(String)
    /// Public by declaration, never read from the data: a parameter, a public bound, a schema
    /// category, the policy version.
    case declared(String)

    /// True for values that may differ between neighbouring data sets (noisy or derived from noise).
    public var isRandomised: Bool {
        switch self {
        case .noisy, .postProcessed: return true
        case .declared: return false
        }
    }

    public var description: String {
        switch self {
        case let .noisy(mechanism): return "noisy (\(mechanism))"
        case let .postProcessed(how): return "post-processed (\(how))"
        case let .declared(what): return "public (\(what))"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
