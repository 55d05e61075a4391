import CustosSchema
import Foundation

/// The content of an access report, shared by the JSON file and the HTML page. JSON keys are the
/// `AccessReportSection` keys plus `report`, `controller` and `article_index` (item key -> provision).
struct AccessReportDocument: Encodable {
    struct Header: Encodable {
        let kind = "access_report"
        let requestID: String
        let jurisdiction: String
        let legalBasis: String
        let generatedAt: String
        let summary: String
        enum CodingKeys: String, CodingKey {
            case kind, jurisdiction, summary
            case requestID = "request_id"
            case legalBasis = "legal_basis"
            case generatedAt = "generated_at"
        }
    }

    struct Purpose: Encodable {
        let key, name, description, lawfulBasis, lawfulBasisCitation: String
        let basisDetail: String?
        let datasets: [String]
        enum CodingKeys: String, CodingKey {
            case key, name, description, datasets
            case lawfulBasis = "lawful_basis"
            case lawfulBasisCitation = "lawful_basis_citation"
            case basisDetail = "basis_detail"
        }
    }

    struct Category: Hashable, Codable {
        let key, label: String
        let datasets: [String]
    }

    struct Retention: Encodable {
        let appliesTo, period, criteria: String
        enum CodingKeys: String, CodingKey {
            case period, criteria
            case appliesTo = "applies_to"
        }
    }

    struct Rights: Encodable {
        let rights: [String]
        let howToExercise: String
        enum CodingKeys: String, CodingKey {
            case rights
            case howToExercise = "how_to_exercise"
        }
    }

    struct Complaint: Encodable {
        let authority: ComplaintAuthority
        let statement: String
    }

    struct Source: Hashable, Codable {
        let dataset, source: String
    }

    struct ColumnInfo: Encodable {
        let name, category, categoryLabel, description: String
        let providedBySubject: Bool
        enum CodingKeys: String, CodingKey {
            case name, category, description
            case categoryLabel = "category_label"
            case providedBySubject = "provided_by_subject"
        }
    }

    struct DatasetCopy: Encodable {
        let dataset, description: String
        let recordCount: Int
        let columns: [ColumnInfo]
        /// Column name -> rendered value (null when missing).
        let records: [[String: String?]]
        enum CodingKeys: String, CodingKey {
            case dataset, description, columns, records
            case recordCount = "record_count"
        }
    }

    let report: Header
    let controller: ControllerIdentity
    let articleIndex: [String: String]
    let purposes: [Purpose]
    let categories: Disclosure<[Category]>
    let recipients: Disclosure<[Recipient]>
    let retention: [Retention]
    let rights: Rights
    let rightToComplain: Complaint
    let sources: Disclosure<[Source]>
    let automatedDecisionMaking: Disclosure<AutomatedDecisionInfo>
    let internationalTransfers: Disclosure<[TransferSafeguard]>
    let personalData: [DatasetCopy]

    enum CodingKeys: String, CodingKey {
        case report, controller, purposes, recipients, retention, rights, sources
        case articleIndex = "article_index"
        case categories = "categories_of_personal_data"
        case rightToComplain = "right_to_complain"
        case automatedDecisionMaking = "automated_decision_making"
        case internationalTransfers = "international_transfers"
        case personalData = "personal_data"
    }

    static let noDataReason = "We hold no personal data about you in the systems covered by this report."

    init(_ report: AccessReport) {
        let j = report.jurisdiction
        let info = report.information
        let held = report.datasetsWithData
        let recordCount = held.reduce(0) { $0 + $1.rows.count }
        self.report = Header(
            requestID: report.requestID.rawValue, jurisdiction: j.rawValue, legalBasis: RequestType.access.article(in: j),
            generatedAt: VerificationResult.timestamp(report.generatedAt),
            summary: held.isEmpty ? Self.noDataReason
                : "We hold \(recordCount) record\(recordCount == 1 ? "" : "s") about you in \(held.count) dataset\(held.count == 1 ? "" : "s").")
        controller = info.controller
        articleIndex = Dictionary(uniqueKeysWithValues: AccessReportSection.all.map { ($0.key, $0.provision(in: j)) })
        purposes = info.purposes.map {
            Purpose(key: $0.key, name: $0.name, description: $0.description, lawfulBasis: $0.lawfulBasis.rawValue,
                    lawfulBasisCitation: $0.lawfulBasis.citation(in: j) ?? "", basisDetail: $0.basisDetail, datasets: $0.datasets.sorted())
        }
        var datasetsByCategory: [String: Set<String>] = [:]
        for dataset in held {
            for column in dataset.schema.columns { datasetsByCategory[column.category, default: []].insert(dataset.schema.name) }
        }
        let categoryList = datasetsByCategory.keys.sorted().map {
            Category(key: $0, label: info.categoryLabels[$0] ?? $0, datasets: (datasetsByCategory[$0] ?? []).sorted())
        }
        categories = categoryList.isEmpty ? .notApplicable(reason: Self.noDataReason) : .stated(categoryList)
        recipients = info.recipients
        retention = info.retention.map {
            Retention(appliesTo: $0.dataset ?? "all datasets", period: $0.period.isEmpty ? "see criteria" : $0.period, criteria: $0.criteria)
        }
        rights = Rights(
            rights: info.rights ?? RightsText.rights(j),
            howToExercise: "Write to \(info.controller.name) at \(info.controller.contact), quoting reference \(report.requestID.rawValue).")
        rightToComplain = Complaint(authority: info.complaintAuthority, statement: RightsText.remedies(j))
        let sourceList = held.map { Source(dataset: $0.schema.name, source: info.sources[$0.schema.name] ?? $0.schema.source) }
        sources = sourceList.isEmpty ? .notApplicable(reason: Self.noDataReason) : .stated(sourceList)
        automatedDecisionMaking = info.automatedDecisionMaking
        internationalTransfers = info.internationalTransfers
        personalData = held.map { dataset in
            let columns = dataset.schema.columns
            return DatasetCopy(
                dataset: dataset.schema.name, description: dataset.schema.description, recordCount: dataset.rows.count,
                columns: columns.map {
                    ColumnInfo(name: $0.name, category: $0.category, categoryLabel: info.categoryLabels[$0.category] ?? $0.category,
                               description: $0.description, providedBySubject: $0.providedBySubject)
                },
                records: dataset.rows.map { row in
                    var record: [String: String?] = [:]
                    for (column, value) in zip(columns, row) {
                        record[column.name] = value.isMissing ? .some(nil) : .some(value.rendered(scale: column.scale))
                    }
                    return record
                })
        }
    }
}
