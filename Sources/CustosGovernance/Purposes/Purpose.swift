/// The legal ground a purpose relies on (GDPR art. 6(1); PIPL art. 13).
public enum LawfulBasis: String, Sendable, CaseIterable, Codable {
    /// The subject agreed (GDPR 6(1)(a); PIPL 13(1)). Needs a consent record in force.
    case consent
    /// Needed to perform a contract with the subject (GDPR 6(1)(b); PIPL 13(2)).
    case contract
    /// Needed to comply with a legal obligation (GDPR 6(1)(c); PIPL 13(3)).
    case legalObligation = "legal_obligation"
    /// The controller's legitimate interest, balanced against the subject's (GDPR 6(1)(f)).
    case legitimateInterest = "legitimate_interest"

    /// Whether an objection under GDPR art. 21 stops processing on this basis. Art. 21 covers
    /// processing on legitimate interest (and direct marketing); an objection to a consent-based
    /// purpose is honoured as a withdrawal. Contract and legal obligation are not objectable.
    public var honoursObjection: Bool { self == .consent || self == .legitimateInterest }
}

/// How long data used for a purpose is kept, and by which rule.
public struct Retention: Sendable, Equatable {
    /// Retention period in days, if it is a fixed period.
    public let days: Int?
    /// The criteria in words (GDPR art. 13(2)(a): "the criteria used to determine that period").
    public let criteria: String

    /// Creates the value from its parts.
    public init(days: Int?, criteria: String) {
        self.days = days
        self.criteria = criteria
    }
}

/// The privacy notice shown to subjects for a purpose: its version and the SHA-256 of its text,
/// so a consent record proves what the subject was told.
public struct Notice: Sendable, Equatable {
    /// Version label of the notice, e.g. `2025-03`.
    public let version: String
    /// Lower-case hex SHA-256 of the notice text.
    public let sha256: String
    /// The file the digest was computed from, relative to the policies directory, if any.
    public let file: String?

    /// Creates the value from its parts.
    public init(version: String, sha256: String, file: String? = nil) {
        self.version = version
        self.sha256 = sha256
        self.file = file
    }
}

/// A declared use of personal data (a fideslang "data use"), versioned: changing what a purpose
/// does means a new version, and consent given to an older version no longer counts (PIPL art. 14).
public struct Purpose: Sendable, Equatable {
    /// Dotted key such as `marketing.segmentation`.
    public let key: String
    /// Name.
    public let name: String
    /// Description in words.
    public let description: String
    /// Version of the purpose; bumped whenever what the purpose does changes.
    public let version: Int
    /// Legal ground of the processing.
    public let lawfulBasis: LawfulBasis
    /// Data category keys the purpose may use; a key covers its sub-categories
    /// (`user.behavior` covers `user.behavior.purchase_history`).
    public let dataCategories: [String]
    /// How long data is kept, and by which rule.
    public let retention: Retention
    /// Who receives results (GDPR art. 13(1)(e)).
    public let recipients: [String]
    /// Processes sensitive personal information (PIPL art. 28-29; GDPR art. 9).
    public let sensitive: Bool
    /// Transfers data outside the jurisdiction (PIPL art. 38-39; GDPR chapter V).
    public let crossBorder: Bool
    /// May continue while a subject's processing is restricted (GDPR art. 18(2): legal claims, storage).
    public let continuesUnderRestriction: Bool
    /// May continue while a subject is under legal hold (PIPL art. 47(2): storage and security only).
    public let continuesUnderLegalHold: Bool
    /// Applies only to subjects under legal hold (reading held records for the case).
    public let requiresLegalHold: Bool
    /// The privacy notice for the current version.
    public let notice: Notice
    /// Line in `purposes.yaml`.
    public let line: Int?

    /// Creates the value from its parts.
    public init(
        key: String, name: String, description: String = "", version: Int, lawfulBasis: LawfulBasis,
        dataCategories: [String], retention: Retention, recipients: [String] = [], sensitive: Bool = false,
        crossBorder: Bool = false, continuesUnderRestriction: Bool = false, continuesUnderLegalHold: Bool = false,
        requiresLegalHold: Bool = false, notice: Notice, line: Int? = nil
    ) {
        self.key = key
        self.name = name
        self.description = description
        self.version = version
        self.lawfulBasis = lawfulBasis
        self.dataCategories = dataCategories
        self.retention = retention
        self.recipients = recipients
        self.sensitive = sensitive
        self.crossBorder = crossBorder
        self.continuesUnderRestriction = continuesUnderRestriction
        self.continuesUnderLegalHold = continuesUnderLegalHold
        self.requiresLegalHold = requiresLegalHold
        self.notice = notice
        self.line = line
    }

    /// Whether processing needs a consent record in force.
    public var requiresConsent: Bool { lawfulBasis == .consent }

    /// Whether the consent must be a separate consent (PIPL art. 29 sensitive data, art. 39 cross-border).
    public var requiresSeparateConsent: Bool { requiresConsent && (sensitive || crossBorder) }

    /// Whether a column of data category `category` may be used for this purpose.
    public func covers(category: String) -> Bool {
        dataCategories.contains { category == $0 || category.hasPrefix($0 + ".") }
    }
}

/// A pattern over dotted keys: `*` (everything), `marketing.*` (the key `marketing` and everything
/// below it), or an exact key.
public struct KeyPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String

    /// Creates the value from its parts.
    public init(_ text: String) { self.text = text }

    /// Whether `key` falls under the pattern.
    public func matches(_ key: String) -> Bool {
        if text == "*" { return true }
        if text.hasSuffix(".*") {
            let prefix = String(text.dropLast(2))
            return key == prefix || key.hasPrefix(prefix + ".")
        }
        return key == text
    }

    /// Whether the pattern is a wildcard rather than one exact key.
    public var isWildcard: Bool { text == "*" || text.hasSuffix(".*") }

    public var description: String { text }

    /// Whether the text is a well-formed pattern.
    static func isValid(_ text: String) -> Bool {
        if text == "*" { return true }
        let base = text.hasSuffix(".*") ? String(text.dropLast(2)) : text
        return Identifiers.isPurposeKey(base)
    }
}
