import Foundation

/// An item a report must either state or explicitly declare not applicable (with the reason), so no
/// article item is ever silently empty.
public enum Disclosure<Item: Hashable & Sendable & Codable>: Hashable, Sendable, Codable {
    /// The item, stated.
    case stated(Item)
    /// The item does not apply, and why (shown to the reader).
    case notApplicable(reason: String)

    private enum CodingKeys: String, CodingKey { case applicable, value, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decode(Bool.self, forKey: .applicable) {
            self = .stated(try container.decode(Item.self, forKey: .value))
        } else {
            self = .notApplicable(reason: try container.decode(String.self, forKey: .reason))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .stated(item):
            try container.encode(true, forKey: .applicable)
            try container.encode(item, forKey: .value)
        case let .notApplicable(reason):
            try container.encode(false, forKey: .applicable)
            try container.encode(reason, forKey: .reason)
        }
    }
}

/// The controller (GDPR) or personal information handler (PIPL) and how to reach it.
public struct ControllerIdentity: Hashable, Sendable, Codable {
    /// Legal name.
    public var name: String
    /// Postal address.
    public var address: String
    /// Email or telephone for privacy matters.
    public var contact: String
    /// Data protection officer (GDPR art. 37) or person in charge of personal information (PIPL art. 52).
    public var dataProtectionOfficer: String?
    /// EU representative (GDPR art. 27) or PRC representative (PIPL art. 53), when required.
    public var representative: String?

    private enum CodingKeys: String, CodingKey {
        case name, address, contact, representative
        case dataProtectionOfficer = "data_protection_officer"
    }

    /// A controller.
    public init(name: String, address: String, contact: String, dataProtectionOfficer: String? = nil, representative: String? = nil) {
        self.name = name
        self.address = address
        self.contact = contact
        self.dataProtectionOfficer = dataProtectionOfficer
        self.representative = representative
    }
}

/// The lawful basis of a purpose: GDPR art. 6(1) and PIPL art. 13(1).
public enum LawfulBasis: String, Hashable, Sendable, Codable, CaseIterable {
    /// The person consented (GDPR art. 6(1)(a), PIPL art. 13(1)(1)).
    case consent
    /// Needed for a contract with the person (GDPR art. 6(1)(b), PIPL art. 13(1)(2)).
    case contract
    /// Needed to comply with a legal obligation (GDPR art. 6(1)(c), PIPL art. 13(1)(3)).
    case legalObligation = "legal_obligation"
    /// Needed to protect vital interests (GDPR art. 6(1)(d), PIPL art. 13(1)(4)).
    case vitalInterests = "vital_interests"
    /// GDPR only: a task in the public interest or official authority (art. 6(1)(e)).
    case publicTask = "public_task"
    /// GDPR only: legitimate interests (art. 6(1)(f)).
    case legitimateInterests = "legitimate_interests"
    /// PIPL only: human resources management under lawful labour rules and collective contracts.
    case humanResources = "human_resources"
    /// PIPL only: news reporting and supervision by public opinion in the public interest.
    case newsReporting = "news_reporting"
    /// PIPL only: information the person disclosed themselves or otherwise lawfully disclosed.
    case publiclyDisclosed = "publicly_disclosed"
    /// PIPL only: other circumstances provided by laws and administrative regulations.
    case otherLaw = "other_law"

    /// The provision, or nil when the basis does not exist under `jurisdiction` (PIPL has no
    /// legitimate-interests or public-task basis; GDPR has no PIPL-only bases).
    public func citation(in jurisdiction: Jurisdiction) -> String? {
        switch (jurisdiction, self) {
        case (.gdpr, .consent): return "GDPR art. 6(1)(a): consent"
        case (.gdpr, .contract): return "GDPR art. 6(1)(b): performance of a contract"
        case (.gdpr, .legalObligation): return "GDPR art. 6(1)(c): legal obligation"
        case (.gdpr, .vitalInterests): return "GDPR art. 6(1)(d): vital interests"
        case (.gdpr, .publicTask): return "GDPR art. 6(1)(e): public task"
        case (.gdpr, .legitimateInterests): return "GDPR art. 6(1)(f): legitimate interests"
        case (.gdpr, _): return nil
        case (.pipl, .consent): return "PIPL art. 13(1)(1): consent"
        case (.pipl, .contract): return "PIPL art. 13(1)(2): conclusion or performance of a contract"
        case (.pipl, .humanResources): return "PIPL art. 13(1)(2): human resources management"
        case (.pipl, .legalObligation): return "PIPL art. 13(1)(3): statutory duties or obligations"
        case (.pipl, .vitalInterests): return "PIPL art. 13(1)(4): public health emergency or protection of life, health and property"
        case (.pipl, .newsReporting): return "PIPL art. 13(1)(5): news reporting and public-opinion supervision"
        case (.pipl, .publiclyDisclosed): return "PIPL art. 13(1)(6): lawfully disclosed information"
        case (.pipl, .otherLaw): return "PIPL art. 13(1)(7): other circumstances provided by law"
        case (.pipl, _): return nil
        }
    }
}

/// One purpose of processing, keyed as in `policies/` (e.g. `marketing.email`).
public struct PurposeDescription: Hashable, Sendable, Codable {
    /// Purpose key in the shared taxonomy, e.g. `marketing.email`.
    public var key: String
    /// Name shown to people.
    public var name: String
    /// What the processing does, in plain words.
    public var description: String
    /// The lawful basis relied on.
    public var lawfulBasis: LawfulBasis
    /// E.g. the legitimate interest pursued (GDPR art. 13(1)(d)) or the contract concerned.
    public var basisDetail: String?
    /// Datasets used for this purpose.
    public var datasets: [String]

    private enum CodingKeys: String, CodingKey {
        case key, name, description, datasets
        case lawfulBasis = "lawful_basis"
        case basisDetail = "basis_detail"
    }

    /// A purpose.
    public init(key: String, name: String, description: String, lawfulBasis: LawfulBasis, basisDetail: String? = nil, datasets: [String] = []) {
        self.key = key
        self.name = name
        self.description = description
        self.lawfulBasis = lawfulBasis
        self.basisDetail = basisDetail
        self.datasets = datasets
    }
}

/// A recipient or category of recipients (GDPR art. 15(1)(c), PIPL art. 23).
public struct Recipient: Hashable, Sendable, Codable {
    /// Name, or a category such as "payment service providers".
    public var name: String
    /// "processor", "independent controller", "joint controller", "public authority"...
    public var role: String
    /// What they receive the data for.
    public var purpose: String
    /// Country where they process the data (ISO 3166-1 alpha-2 or name).
    public var country: String

    /// A recipient.
    public init(name: String, role: String, purpose: String, country: String) {
        self.name = name
        self.role = role
        self.purpose = purpose
        self.country = country
    }
}

/// How long data is kept, or the criteria for deciding (GDPR art. 15(1)(d), PIPL art. 17(1)(2)).
public struct RetentionRule: Hashable, Sendable, Codable {
    /// The dataset the rule applies to, or nil for all.
    public var dataset: String?
    /// E.g. "3 years after the last purchase"; empty when only criteria can be given.
    public var period: String
    /// The criteria used to determine the period.
    public var criteria: String

    /// A rule.
    public init(dataset: String? = nil, period: String, criteria: String) {
        self.dataset = dataset
        self.period = period
        self.criteria = criteria
    }
}

/// Automated decision-making and profiling (GDPR arts. 15(1)(h), 22; PIPL art. 24).
public struct AutomatedDecisionInfo: Hashable, Sendable, Codable {
    /// Meaningful information about the logic involved.
    public var logic: String
    /// The significance of the processing for the person.
    public var significance: String
    /// The envisaged consequences.
    public var consequences: String

    /// A description.
    public init(logic: String, significance: String, consequences: String) {
        self.logic = logic
        self.significance = significance
        self.consequences = consequences
    }
}

/// A transfer to a third country or international organisation and its safeguard
/// (GDPR arts. 15(2), 46; PIPL arts. 38-39).
public struct TransferSafeguard: Hashable, Sendable, Codable {
    /// Destination country or international organisation.
    public var destination: String
    /// The receiving party.
    public var recipient: String
    /// E.g. "standard contractual clauses (GDPR art. 46(2)(c))" or "CAC standard contract (PIPL art. 38(1)(3))".
    public var safeguard: String
    /// Where a copy of the safeguard can be obtained.
    public var howToObtainCopy: String

    private enum CodingKeys: String, CodingKey {
        case destination, recipient, safeguard
        case howToObtainCopy = "how_to_obtain_copy"
    }

    /// A transfer.
    public init(destination: String, recipient: String, safeguard: String, howToObtainCopy: String) {
        self.destination = destination
        self.recipient = recipient
        self.safeguard = safeguard
        self.howToObtainCopy = howToObtainCopy
    }
}

/// Everything an access report says besides the data itself, filled by the engine from its policies.
/// Each GDPR art. 15(1)(a)-(h) and 15(2) item has a field; optional items use `Disclosure`, so
/// "not applicable" is always explicit.
public struct ProcessingInformation: Hashable, Sendable, Codable {
    /// Who is responsible, and how to reach them.
    public var controller: ControllerIdentity
    /// (a) purposes and their lawful basis.
    public var purposes: [PurposeDescription]
    /// (b) labels for data category keys (e.g. `user.contact.email` -> "Email address"); the categories
    /// themselves come from the datasets' schemas. Keys without a label are shown as keys.
    public var categoryLabels: [String: String]
    /// (c) recipients or categories of recipients.
    public var recipients: Disclosure<[Recipient]>
    /// (d) retention periods or criteria.
    public var retention: [RetentionRule]
    /// (e) the rights to rectification, erasure, restriction, objection (and others); nil for the standard text.
    public var rights: [String]?
    /// (f) the supervisory authority; the remedies statement is the jurisdiction's standard text.
    public var complaintAuthority: ComplaintAuthority
    /// (g) source per dataset; datasets not listed use their schema's `source`.
    public var sources: [String: String]
    /// (h) automated decision-making, including profiling.
    public var automatedDecisionMaking: Disclosure<AutomatedDecisionInfo>
    /// 15(2) transfers to third countries and their safeguards.
    public var internationalTransfers: Disclosure<[TransferSafeguard]>

    private enum CodingKeys: String, CodingKey {
        case controller, purposes, recipients, retention, rights, sources
        case categoryLabels = "category_labels"
        case complaintAuthority = "complaint_authority"
        case automatedDecisionMaking = "automated_decision_making"
        case internationalTransfers = "international_transfers"
    }

    /// The processing information.
    public init(
        controller: ControllerIdentity, purposes: [PurposeDescription], categoryLabels: [String: String] = [:],
        recipients: Disclosure<[Recipient]>, retention: [RetentionRule], rights: [String]? = nil, complaintAuthority: ComplaintAuthority,
        sources: [String: String] = [:], automatedDecisionMaking: Disclosure<AutomatedDecisionInfo>,
        internationalTransfers: Disclosure<[TransferSafeguard]>
    ) {
        self.controller = controller
        self.purposes = purposes
        self.categoryLabels = categoryLabels
        self.recipients = recipients
        self.retention = retention
        self.rights = rights
        self.complaintAuthority = complaintAuthority
        self.sources = sources
        self.automatedDecisionMaking = automatedDecisionMaking
        self.internationalTransfers = internationalTransfers
    }
}
