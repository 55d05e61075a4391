/// Errors from the governance API itself (as opposed to problems in policy files, which are
/// `ConfigurationError`s located by file and line). Messages name what went wrong and what to do;
/// they never contain tokens or personal data.
public enum GovernanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A bound row filter reads a column the rows do not carry.
    case rowFilterColumnNotInRow(column: String)
    /// `addPrincipal` was asked for an id that already exists.
    case principalExists(id: String)
    /// The principal id is not known to the directory.
    case unknownPrincipal(id: String)
    /// A principal id must be lower-case letters, digits, `_`, `-` or `.`.
    case invalidPrincipalID(id: String)
    /// A principal needs at least one role.
    case noRoles(id: String)
    /// A data-subject principal must be bound to exactly one subject, and only data subjects may be.
    case subjectBinding(id: String, problem: String)
    /// The principals file could not be written.
    case cannotWrite(file: String, reason: String)
    /// A consent record's stored bytes do not decode.
    case malformedConsentRecord(reason: String)

    public var description: String {
        switch self {
        case let .rowFilterColumnNotInRow(column):
            return "the row filter reads column '\(column)', which the rows do not carry; include it in the column layout passed to bind(to:)"
        case let .principalExists(id):
            return "principal '\(id)' already exists; rotate its token instead of adding it again"
        case let .unknownPrincipal(id):
            return "principal '\(id)' is not in the principals file; add it first"
        case let .invalidPrincipalID(id):
            return "principal id '\(id)' is not valid; use lower-case letters, digits, '_', '-' and '.', starting with a letter"
        case let .noRoles(id):
            return "principal '\(id)' needs at least one role"
        case let .subjectBinding(id, problem):
            return "principal '\(id)': \(problem)"
        case let .cannotWrite(file, reason):
            return "cannot write \(file): \(reason); check the directory exists and is writable"
        case let .malformedConsentRecord(reason):
            return "a stored consent record does not decode (\(reason)); the record store may be damaged or from a newer version"
        }
    }
}
