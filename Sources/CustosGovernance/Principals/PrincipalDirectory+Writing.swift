import CustosBase
import Foundation

extension PrincipalDirectory {
    /// Adds a principal to the principals file at `file` (created if absent) and returns its new
    /// token. The token is shown once to the caller; only its SHA-256 is written. Comments in the
    /// file are not kept: the file is rewritten in canonical form.
    ///
    /// `knownRoles`, when given, rejects roles that `roles.yaml` does not declare.
    public static func addPrincipal(
        id: String, displayName: String, roles: [String], subject: String? = nil,
        in file: URL, knownRoles: RoleCatalog? = nil
    ) throws -> String {
        var directory = try load(file, displayName: file.lastPathComponent)
        let token = try directory.add(id: id, displayName: displayName, roles: roles, subject: subject, knownRoles: knownRoles)
        try directory.write(to: file)
        return token
    }

    /// Replaces a principal's token in the file at `file` and returns the new token; the old one stops working.
    public static func rotateToken(id: String, in file: URL) throws -> String {
        var directory = try load(file, displayName: file.lastPathComponent)
        let token = try directory.rotateToken(id: id)
        try directory.write(to: file)
        return token
    }

    /// Adds a principal in memory and returns its new token.
    public mutating func add(
        id: String, displayName: String, roles: [String], subject: String? = nil, knownRoles: RoleCatalog? = nil
    ) throws -> String {
        guard Identifiers.isPrincipalID(id) else { throw GovernanceError.invalidPrincipalID(id: id) }
        guard entries[id] == nil else { throw GovernanceError.principalExists(id: id) }
        guard !roles.isEmpty else { throw GovernanceError.noRoles(id: id) }
        if let knownRoles, let unknown = roles.first(where: { !knownRoles.contains($0) }) {
            throw GovernanceError.subjectBinding(id: id, problem: "role '\(unknown)' is not declared in roles.yaml")
        }
        if let problem = Self.subjectBindingProblem(roles: roles, subject: subject) {
            throw GovernanceError.subjectBinding(id: id, problem: problem)
        }
        let token = AccessToken.generate()
        var all = Array(entries.values)
        all.append(Principal(id: id, displayName: displayName, roles: roles, tokenSHA256: AccessToken.hash(token), subject: subject))
        self = PrincipalDirectory(all, file: file)
        return token
    }

    /// Gives a principal a new token in memory and returns it.
    public mutating func rotateToken(id: String) throws -> String {
        guard let old = entries[id] else { throw GovernanceError.unknownPrincipal(id: id) }
        let token = AccessToken.generate()
        var all = entries.values.filter { $0.id != id }
        all.append(Principal(
            id: old.id, displayName: old.displayName, roles: old.roles, tokenSHA256: AccessToken.hash(token),
            subject: old.subject, disabled: old.disabled))
        self = PrincipalDirectory(all, file: file)
        return token
    }

    /// Disables a principal in memory: its token stops working; its entry (and history) stays.
    public mutating func disable(id: String) throws { try replace(id) { $0.with(disabled: true) } }

    /// Re-enables a disabled principal in memory; its current token works again.
    public mutating func enable(id: String) throws { try replace(id) { $0.with(disabled: false) } }

    /// Lets a principal act in `role` as well (a no-op when it holds it already). `knownRoles`, when
    /// given, rejects roles `roles.yaml` does not declare; the subject binding rule still holds.
    public mutating func grant(role: String, to id: String, knownRoles: RoleCatalog? = nil) throws {
        if let knownRoles, !knownRoles.contains(role) {
            throw GovernanceError.subjectBinding(id: id, problem: "role '\(role)' is not declared in roles.yaml")
        }
        try replace(id) { old in
            let roles = old.holds(role) ? old.roles : old.roles + [role]
            if let problem = Self.subjectBindingProblem(roles: roles, subject: old.subject) {
                throw GovernanceError.subjectBinding(id: id, problem: problem)
            }
            return old.with(roles: roles)
        }
    }

    /// Takes `role` from a principal; refused when it holds no other (disable it instead).
    public mutating func revoke(role: String, from id: String) throws {
        try replace(id) { old in
            guard old.holds(role) else {
                throw GovernanceError.subjectBinding(id: id, problem: "does not hold role '\(role)' (holds: \(old.roles.joined(separator: ", ")))")
            }
            let roles = old.roles.filter { $0 != role }
            guard !roles.isEmpty else { throw GovernanceError.noRoles(id: id) }
            return old.with(roles: roles)
        }
    }

    /// Replaces principal `id` with `change(old)`.
    private mutating func replace(_ id: String, _ change: (Principal) throws -> Principal) throws {
        guard let old = entries[id] else { throw GovernanceError.unknownPrincipal(id: id) }
        var all = entries.values.filter { $0.id != id }
        all.append(try change(old))
        self = PrincipalDirectory(all, file: file)
    }

    /// The directory as a principals file, principals sorted by id.
    public func rendered() -> String {
        var out = "# Principals: who may ask Custos for data, and the SHA-256 of their tokens.\n"
        out += "# Written by Custos; tokens are shown once when created and never stored.\n"
        out += "principals:\n"
        for p in entries.values.sorted(by: { $0.id < $1.id }) {
            out += "  - id: \(p.id)\n"
            out += "    name: \(Self.quoted(p.displayName))\n"
            out += "    roles: [\(p.roles.joined(separator: ", "))]\n"
            if let subject = p.subject { out += "    subject: \(Self.quoted(subject))\n" }
            if p.disabled { out += "    disabled: true\n" }
            out += "    token_sha256: \(p.tokenSHA256)\n"
        }
        return out
    }

    /// Writes `rendered()` to `url` atomically, with mode 0640 whatever the umask (a principals file
    /// others can write lets them grant themselves any role).
    public func write(to url: URL) throws {
        do {
            try AtomicFile.write(Array(rendered().utf8), to: url.path, permissions: .exactly(0o640))
        } catch {
            throw GovernanceError.cannotWrite(file: url.lastPathComponent, reason: "\(error.operation) failed (errno \(error.code))")
        }
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
