import Foundation

/// Who performed a step: a principal id (a staff account or a service such as `web-form`) and the
/// role it acted in. Principal ids are staff or system accounts, never the data subject's identity.
public struct RequestActor: Hashable, Sendable, Codable {
    /// The acting account, e.g. `dpo-anna` or `web-form`.
    public let principal: String
    /// The role it acted in, e.g. `compliance_officer`.
    public let role: String

    /// An actor; both fields must be non-empty (checked when a step is recorded).
    public init(principal: String, role: String) {
        self.principal = principal.trimmingCharacters(in: .whitespacesAndNewlines)
        self.role = role.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A supervisory authority the data subject can complain to (GDPR art. 77, PIPL art. 65).
public struct ComplaintAuthority: Hashable, Sendable, Codable {
    /// E.g. "Integritetsskyddsmyndigheten (IMY)" or "Cyberspace Administration of China".
    public var name: String
    /// Postal address, telephone or other contact details.
    public var contact: String
    /// Web address for complaints, if any.
    public var website: String?

    /// An authority.
    public init(name: String, contact: String, website: String? = nil) {
        self.name = name
        self.contact = contact
        self.website = website
    }
}

/// Why a request is refused, with the notice GDPR art. 12(4) and PIPL art. 50 require: the reasons,
/// the right to complain to a supervisory authority, and the right to a judicial remedy.
public struct RefusalNotice: Hashable, Sendable, Codable {
    /// The reasons given to the requester; at least one, none empty.
    public var reasons: [String]
    /// The provision relied on, e.g. "GDPR art. 12(5)(b): manifestly unfounded or excessive".
    public var legalGround: String?
    /// The authority the requester can complain to.
    public var supervisoryAuthority: ComplaintAuthority
    /// The statement of the right to complain and to a judicial remedy.
    public var remediesStatement: String

    /// A notice with explicit texts.
    public init(reasons: [String], legalGround: String? = nil, supervisoryAuthority: ComplaintAuthority, remediesStatement: String) {
        self.reasons = reasons
        self.legalGround = legalGround
        self.supervisoryAuthority = supervisoryAuthority
        self.remediesStatement = remediesStatement
    }

    /// A notice with the standard remedies statement for `jurisdiction`.
    public static func standard(
        jurisdiction: Jurisdiction, reasons: [String], legalGround: String? = nil, supervisoryAuthority: ComplaintAuthority
    ) -> RefusalNotice {
        RefusalNotice(
            reasons: reasons, legalGround: legalGround, supervisoryAuthority: supervisoryAuthority,
            remediesStatement: RightsText.remedies(jurisdiction))
    }

    /// Checks every mandatory part is present.
    public func validate() throws {
        let reasons = reasons.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !reasons.isEmpty, !reasons.contains(where: \.isEmpty) else {
            throw RequestError.missingReasons("a refusal must give at least one reason, and no reason may be empty (GDPR art. 12(4), PIPL art. 50)")
        }
        guard !supervisoryAuthority.name.trimmingCharacters(in: .whitespaces).isEmpty,
              !supervisoryAuthority.contact.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw RequestError.missingRemedyNotice("name the supervisory authority and how to reach it; the requester must be told where to complain")
        }
        guard !remediesStatement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RequestError.missingRemedyNotice("state the right to complain and to a judicial remedy; use RefusalNotice.standard(...) for the standard text")
        }
    }
}

/// The notice extending the time to respond (GDPR art. 12(3)): reasons, how many further months, and
/// when the requester was told. Recorded on or before the original due date.
public struct ExtensionNotice: Hashable, Sendable, Codable {
    /// Why the extension is needed (complexity, number of requests); at least one.
    public var reasons: [String]
    /// Further months, 1 or 2.
    public var additionalMonths: Int
    /// When the requester was informed.
    public var noticeSentAt: Date

    /// A notice.
    public init(reasons: [String], additionalMonths: Int = 2, noticeSentAt: Date) {
        self.reasons = reasons
        self.additionalMonths = additionalMonths
        self.noticeSentAt = noticeSentAt
    }
}

/// How the requester's identity was confirmed.
public enum IdentityVerificationMethod: String, Hashable, Sendable, Codable {
    /// A one-time code sent to the contact on file, returned by the requester (`IdentityVerifier`).
    case oneTimeCode = "one_time_code"
    /// The requester was signed in to their existing customer account.
    case authenticatedSession = "authenticated_session"
    /// Staff checked an identity document in person; no copy is kept.
    case documentSeenInPerson = "document_seen_in_person"
}

/// What fulfilling the request produced, without personal data: e.g. export file digests or the
/// erasure tombstone digest.
public struct FulfilmentRecord: Hashable, Sendable, Codable {
    /// A short description for the case file, e.g. "access report delivered by email". No personal data.
    public var summary: String
    /// Hex SHA-256 digests of the delivered files or of the erasure `Tombstone`.
    public var evidenceDigests: [String]

    /// A record.
    public init(summary: String, evidenceDigests: [String] = []) {
        self.summary = summary
        self.evidenceDigests = evidenceDigests
    }
}

/// Standard texts about rights and remedies, per jurisdiction.
public enum RightsText {
    /// The right to complain to a supervisory authority and to a judicial remedy.
    public static func remedies(_ jurisdiction: Jurisdiction) -> String {
        switch jurisdiction {
        case .gdpr:
            return "You have the right to lodge a complaint with a supervisory authority, in particular in the Member State of your "
                + "habitual residence, place of work or place of the alleged infringement (GDPR art. 77), and the right to an "
                + "effective judicial remedy against us (GDPR art. 79)."
        case .pipl:
            return "You may complain to or report to the departments performing personal information protection duties (PIPL art. 65), "
                + "and you may bring a lawsuit before a people's court in accordance with the law (PIPL art. 50). "
                + "您可以向履行个人信息保护职责的部门投诉、举报（《个人信息保护法》第六十五条），并可以依法向人民法院提起诉讼（第五十条）。"
        }
    }

    /// The data subject's rights, one line each, for access reports (GDPR art. 15(1)(e), PIPL arts. 44-48).
    public static func rights(_ jurisdiction: Jurisdiction) -> [String] {
        switch jurisdiction {
        case .gdpr:
            return [
                "Right to request rectification of inaccurate personal data (GDPR art. 16).",
                "Right to request erasure of personal data (GDPR art. 17).",
                "Right to request restriction of processing (GDPR art. 18).",
                "Right to object to processing, including profiling and direct marketing (GDPR art. 21).",
                "Right to data portability for data you provided (GDPR art. 20).",
                "Right to withdraw consent at any time, without affecting earlier processing (GDPR art. 7(3)).",
            ]
        case .pipl:
            return [
                "Right to know and decide, and to restrict or refuse processing (PIPL art. 44).",
                "Right to access, copy and transfer your personal information (PIPL art. 45).",
                "Right to correct and complete your personal information (PIPL art. 46).",
                "Right to deletion (PIPL art. 47).",
                "Right to ask us to explain our processing rules (PIPL art. 48).",
                "Right to withdraw consent (PIPL art. 15).",
            ]
        }
    }
}
