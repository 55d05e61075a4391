/// Someone (or something) that asks Custos for data: an employee, a service, or a customer filing a
/// data-subject request. Principals authenticate with a bearer token of which only the hash is kept.
public struct Principal: Sendable, Equatable {
    /// Stable id, e.g. `alice` or `dsr-2025-0042`.
    public let id: String
    /// Name shown in reports (an employee name or a team; never a customer's name).
    public let displayName: String
    /// Roles this principal may act in; each request names one of them.
    public let roles: [String]
    /// Lower-case hex SHA-256 of the principal's token.
    public let tokenSHA256: String
    /// For `data_subject` principals: the internal subject id (hex) they may read, and nothing else.
    public let subject: String?
    /// A disabled principal is refused without its token being checked.
    public let disabled: Bool
    /// Line in the principals file, for diagnostics.
    public let line: Int?

    /// Creates the value from its parts.
    public init(
        id: String, displayName: String, roles: [String], tokenSHA256: String, subject: String? = nil,
        disabled: Bool = false, line: Int? = nil
    ) {
        self.id = id
        self.displayName = displayName
        self.roles = roles
        self.tokenSHA256 = tokenSHA256
        self.subject = subject
        self.disabled = disabled
        self.line = line
    }

    /// The same principal with other roles or another disabled flag (the line is dropped: it is no longer the file's).
    func with(roles: [String]? = nil, disabled: Bool? = nil) -> Principal {
        Principal(id: id, displayName: displayName, roles: roles ?? self.roles, tokenSHA256: tokenSHA256, subject: subject,
                  disabled: disabled ?? self.disabled)
    }

    /// Whether the principal may act in `role`.
    public func holds(_ role: String) -> Bool { roles.contains(role) }
}
