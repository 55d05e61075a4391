/// The law under which a data subject exercises a right.
public enum Jurisdiction: String, Sendable, Codable, CaseIterable {
    /// EU General Data Protection Regulation (Regulation (EU) 2016/679).
    case gdpr = "GDPR"
    /// Personal Information Protection Law of the People's Republic of China (2021).
    case pipl = "PIPL"
}

/// The right a data subject exercises.
public enum RequestType: String, Sendable, Codable, CaseIterable {
    /// A copy of the personal data and the processing information (GDPR art. 15, PIPL art. 45).
    case access
    /// The data the subject provided, in a machine-readable form (GDPR art. 20, PIPL art. 45(3)).
    case portability
    /// Correction or completion of inaccurate data (GDPR art. 16, PIPL art. 46).
    case rectification
    /// Deletion (GDPR art. 17, PIPL art. 47); done by crypto-shredding.
    case erasure
    /// Restriction of processing for some purposes (GDPR art. 18, PIPL art. 44).
    case restriction
    /// Objection to processing for some purposes, e.g. direct marketing (GDPR art. 21, PIPL art. 44).
    case objection
    /// Withdrawal of consent for some purposes (GDPR art. 7(3), PIPL art. 15).
    case consentWithdrawal = "consent_withdrawal"

    /// Whether the request must name the purposes it concerns (a `ProcessingScope`).
    public var requiresScope: Bool {
        switch self {
        case .restriction, .objection, .consentWithdrawal: return true
        case .access, .portability, .rectification, .erasure: return false
        }
    }

    /// The article that grants this right under `jurisdiction`, for notices and reports.
    public func article(in jurisdiction: Jurisdiction) -> String {
        switch (jurisdiction, self) {
        case (.gdpr, .access): return "GDPR art. 15"
        case (.gdpr, .portability): return "GDPR art. 20"
        case (.gdpr, .rectification): return "GDPR art. 16"
        case (.gdpr, .erasure): return "GDPR art. 17"
        case (.gdpr, .restriction): return "GDPR art. 18"
        case (.gdpr, .objection): return "GDPR art. 21"
        case (.gdpr, .consentWithdrawal): return "GDPR art. 7(3)"
        case (.pipl, .access): return "PIPL art. 45"
        case (.pipl, .portability): return "PIPL art. 45(3)"
        case (.pipl, .rectification): return "PIPL art. 46"
        case (.pipl, .erasure): return "PIPL art. 47"
        case (.pipl, .restriction), (.pipl, .objection): return "PIPL art. 44"
        case (.pipl, .consentWithdrawal): return "PIPL art. 15"
        }
    }
}

/// How the request reached the controller.
public enum RequestChannel: String, Sendable, Codable, CaseIterable {
    /// Web form, email, letter, telephone.
    case web, email, post, phone
    /// At a counter or store, in person.
    case inPerson = "in_person"
}
