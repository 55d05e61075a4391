import CustosSchema
import Foundation

/// One processing activity (one purpose) in the record of processing activities.
public struct ProcessingActivity: Hashable, Sendable, Codable {
    /// The purpose, its lawful basis and the datasets it uses.
    public var purpose: PurposeDescription
    /// Categories of data subjects, e.g. "customers", "newsletter subscribers".
    public var subjectCategories: [String]
    /// Categories of recipients, including those in third countries.
    public var recipients: Disclosure<[Recipient]>
    /// Transfers to third countries or international organisations and their safeguards.
    public var transfers: Disclosure<[TransferSafeguard]>
    /// Envisaged time limits for erasure.
    public var retention: String
    /// Measures specific to this activity (in addition to the controller-wide ones).
    public var securityMeasures: [String]

    private enum CodingKeys: String, CodingKey {
        case purpose, recipients, transfers, retention
        case subjectCategories = "subject_categories"
        case securityMeasures = "security_measures"
    }

    /// An activity.
    public init(
        purpose: PurposeDescription, subjectCategories: [String], recipients: Disclosure<[Recipient]>,
        transfers: Disclosure<[TransferSafeguard]>, retention: String, securityMeasures: [String] = []
    ) {
        self.purpose = purpose
        self.subjectCategories = subjectCategories
        self.recipients = recipients
        self.transfers = transfers
        self.retention = retention
        self.securityMeasures = securityMeasures
    }
}

/// The record of processing activities (GDPR art. 30(1)): controller, purposes, categories of data
/// subjects and of personal data (from the datasets' schemas), recipients, transfers with a
/// cross-border flag, time limits for erasure, and security measures (art. 32(1)). JSON and HTML.
public struct ROPAReport: Sendable {
    /// The controller (art. 30(1)(a)).
    public let controller: ControllerIdentity
    /// Whose lawful bases the activities cite.
    public let jurisdiction: Jurisdiction
    /// The activities, sorted by purpose key.
    public let activities: [ProcessingActivity]
    /// Controller-wide technical and organisational measures (art. 30(1)(g)).
    public let securityMeasures: [String]
    /// When the record was produced.
    public let generatedAt: Date
    let schemas: [String: DatasetSchema]

    /// A record; throws when an item is empty without a "not applicable" reason, a dataset named by
    /// a purpose has no schema, or a lawful basis does not exist under `jurisdiction`.
    public init(
        controller: ControllerIdentity, jurisdiction: Jurisdiction = .gdpr, activities: [ProcessingActivity], datasets: [DatasetSchema],
        securityMeasures: [String], generatedAt: Date
    ) throws {
        self.controller = controller
        self.jurisdiction = jurisdiction
        self.activities = activities.sorted { $0.purpose.key < $1.purpose.key }
        self.securityMeasures = securityMeasures
        self.generatedAt = generatedAt
        self.schemas = Dictionary(datasets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        try validate()
    }

    func validate() throws {
        let blank = ReportValidation.blank
        func fail(_ item: String, _ reason: String) -> ExportError { .missingItem(item: "GDPR art. 30(1)(\(item))", reason: reason) }
        guard !blank(controller.name), !blank(controller.contact) else { throw fail("a", "name the controller and its contact details") }
        guard !activities.isEmpty else { throw fail("b", "list at least one processing activity") }
        guard !securityMeasures.isEmpty, !securityMeasures.contains(where: { blank($0) }) else {
            throw fail("g", "describe the technical and organisational security measures")
        }
        for activity in activities {
            let key = activity.purpose.key
            guard !blank(activity.purpose.name), !blank(activity.purpose.description) else { throw fail("b", "purpose '\(key)' needs a name and description") }
            if activity.purpose.lawfulBasis.citation(in: jurisdiction) == nil {
                throw ExportError.basisNotAvailable(purpose: key, basis: activity.purpose.lawfulBasis, jurisdiction: jurisdiction)
            }
            guard !activity.subjectCategories.isEmpty, !activity.subjectCategories.contains(where: { blank($0) }) else {
                throw fail("c", "purpose '\(key)' names no category of data subjects")
            }
            guard !activity.purpose.datasets.isEmpty else { throw fail("c", "purpose '\(key)' names no dataset, so its data categories are unknown") }
            for dataset in activity.purpose.datasets where schemas[dataset] == nil {
                throw fail("c", "purpose '\(key)' uses dataset '\(dataset)', which has no schema in policies/datasets")
            }
            try ReportValidation.checkDisclosure(activity.recipients, key: "GDPR art. 30(1)(d)", provisions: [:]) {
                $0.isEmpty ? "purpose '\(key)': the recipient list is empty" : nil
            }
            try ReportValidation.checkDisclosure(activity.transfers, key: "GDPR art. 30(1)(e)", provisions: [:]) {
                $0.isEmpty ? "purpose '\(key)': the transfer list is empty" : nil
            }
            guard !blank(activity.retention) else { throw fail("f", "purpose '\(key)' has no time limit for erasure") }
        }
    }

    /// The data categories an activity touches, from its datasets' schemas.
    func dataCategories(of activity: ProcessingActivity) -> [String] {
        Array(Set(activity.purpose.datasets.flatMap { schemas[$0]?.categories ?? [] })).sorted()
    }

    /// Whether an activity transfers data across borders.
    static func crossBorder(_ activity: ProcessingActivity) -> Bool {
        if case let .stated(list) = activity.transfers { return !list.isEmpty }
        return false
    }

    struct Document: Encodable {
        struct Activity: Encodable {
            let purpose: PurposeDescription
            let lawfulBasisCitation: String
            let subjectCategories: [String]
            let dataCategories: [String]
            let datasets: [String]
            let recipients: Disclosure<[Recipient]>
            let crossBorder: Bool
            let transfers: Disclosure<[TransferSafeguard]>
            let retention: String
            let securityMeasures: [String]
            enum CodingKeys: String, CodingKey {
                case purpose, datasets, recipients, transfers, retention
                case lawfulBasisCitation = "lawful_basis_citation"
                case subjectCategories = "subject_categories"
                case dataCategories = "data_categories"
                case crossBorder = "cross_border"
                case securityMeasures = "security_measures"
            }
        }
        let kind = "record_of_processing_activities"
        let legalBasis = "GDPR art. 30(1)"
        let generatedAt: String
        let controller: ControllerIdentity
        let securityMeasures: [String]
        let activities: [Activity]
        enum CodingKeys: String, CodingKey {
            case kind, controller, activities
            case legalBasis = "legal_basis"
            case generatedAt = "generated_at"
            case securityMeasures = "security_measures"
        }
    }

    var document: Document {
        Document(
            generatedAt: VerificationResult.timestamp(generatedAt), controller: controller, securityMeasures: securityMeasures,
            activities: activities.map { a in
                Document.Activity(
                    purpose: a.purpose, lawfulBasisCitation: a.purpose.lawfulBasis.citation(in: jurisdiction) ?? "",
                    subjectCategories: a.subjectCategories, dataCategories: dataCategories(of: a), datasets: a.purpose.datasets.sorted(),
                    recipients: a.recipients, crossBorder: Self.crossBorder(a), transfers: a.transfers, retention: a.retention,
                    securityMeasures: a.securityMeasures)
            })
    }

    /// `ropa.json`.
    public func json() throws -> ExportFile {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ExportFile(name: "ropa.json", mediaType: "application/json", contents: try encoder.encode(document))
    }

    /// `ropa.html`: one print-friendly page, one section per activity.
    public func html() throws -> ExportFile {
        ExportFile(name: "ropa.html", mediaType: "text/html; charset=utf-8", text: try ROPAHTML.render(document))
    }
}
