import CustosCrypto
import CustosSchema
import Foundation

/// The principals file (`principals.yaml`): who may ask for data, in which roles, and the hashes
/// of their tokens.
///
/// ```yaml
/// principals:
///   - id: alice
///     name: Alice Andersson (BI team)
///     roles: [analyst]
///     token_sha256: 3b1f...   # SHA-256 of the token; the token itself is never stored
/// ```
extension PrincipalDirectory {
    /// The principal if `token` is theirs and they are not disabled; nil otherwise. The hash is
    /// computed and compared (in constant time) even for unknown ids, so timing does not reveal
    /// which ids exist.
    public func authenticate(principal id: String, token: String) -> Principal? {
        let known = entries[id]
        let stored = known?.tokenSHA256 ?? String(repeating: "0", count: 64)
        let ok = AccessToken.matches(token, storedHash: stored)
        guard let known, ok, !known.disabled else { return nil }
        return known
    }

    /// The principal whose token this is, for a service that receives only the bearer token. Every
    /// stored hash is compared in constant time and the scan never stops early, so timing reveals
    /// neither which principals exist nor where a match was. Disabled principals are not returned.
    public func authenticate(token: String) -> Principal? {
        let presented = SHA256.hash(Array(token.utf8))
        var match: Principal?
        for principal in entries.values {
            guard let stored = [UInt8](hexString: principal.tokenSHA256), stored.count == SHA256.byteCount else { continue }
            if constantTimeEquals(presented, stored) && !principal.disabled { match = principal }
        }
        return match
    }

    /// Loads a principals file; a missing file is an empty directory.
    public static func load(_ url: URL, displayName: String = "principals.yaml") throws -> PrincipalDirectory {
        guard FileManager.default.fileExists(atPath: url.path) else { return PrincipalDirectory([], file: displayName) }
        var errors: [ConfigurationError] = []
        let directory = parse(try YAMLValue.load(url, displayName: displayName), errors: &errors)
        if !errors.isEmpty { throw PolicyLoadError(errors: errors) }
        return directory
    }

    static let keys: Set<String> = ["id", "name", "roles", "token_sha256", "subject", "disabled"]

    /// Parses a principals file, appending problems to `errors` and skipping bad entries.
    static func parse(_ yaml: YAMLValue, errors: inout [ConfigurationError]) -> PrincipalDirectory {
        parse(yaml, listKey: "principals", required: false, errors: &errors) { item, declared in
            try item.checkKeys(keys)
            let id = try item.string("id")
            guard Identifiers.isPrincipalID(id) else {
                throw item.error("principal id '\(id)' must be lower-case letters, digits, '_', '-' or '.', starting with a letter")
            }
            guard !declared.contains(id) else { throw item.error("principal '\(id)' is declared twice") }
            let roles = try item.stringList("roles")
            guard !roles.isEmpty else { throw item.error("principal '\(id)' needs at least one role") }
            let hashNode = try item.required("token_sha256")
            let hash = try hashNode.string().lowercased()
            guard let bytes = [UInt8](hexString: hash), bytes.count == 32 else {
                throw hashNode.error("token_sha256 of '\(id)' must be 64 hex characters (the SHA-256 of the token)")
            }
            let subject = try item.optionalString("subject")
            try checkSubjectBinding(id: id, roles: roles, subject: subject, at: item)
            return Principal(
                id: id, displayName: try item.optionalString("name") ?? id, roles: roles, tokenSHA256: hash,
                subject: subject, disabled: try item.optionalBool("disabled", default: false), line: item.line)
        }
    }

    static func checkSubjectBinding(id: String, roles: [String], subject: String?, at item: YAMLValue) throws {
        if let problem = subjectBindingProblem(roles: roles, subject: subject) { throw item.error("principal '\(id)': \(problem)") }
    }

    static func subjectBindingProblem(roles: [String], subject: String?) -> String? {
        let isSubject = roles.contains(StandardRole.dataSubject)
        if isSubject && roles.count > 1 { return "a data_subject principal may hold no other role" }
        if isSubject && (subject ?? "").isEmpty { return "a data_subject principal must name the subject it may read (subject: <internal id>)" }
        if !isSubject && subject != nil { return "only data_subject principals are bound to a subject; remove 'subject'" }
        return nil
    }
}
