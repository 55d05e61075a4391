import CustosSchema
import Foundation

/// The answer to an access request (GDPR art. 15, PIPL art. 45): the processing information and a
/// copy of the data, as JSON, CSV and one self-contained HTML page.
///
/// CSV layout: one file per dataset, `access-<dataset>.csv`, with the dataset's column names as
/// header and every column (the same shape `custos ingest` reads). JSON: `access-report.json`, one
/// document holding every article item (see `AccessReportSection.all` for the keys) and the data.
public struct AccessReport: Sendable {
    /// The access request answered.
    public let requestID: DataSubjectRequestID
    /// Whose provisions the report cites.
    public let jurisdiction: Jurisdiction
    /// When the report was produced.
    public let generatedAt: Date
    /// The subject's data, sorted by dataset name.
    public let datasets: [SubjectDataset]
    /// The processing information (art. 15(1)(a)-(h), 15(2)).
    public let information: ProcessingInformation

    /// A report; throws when an article item is empty without a "not applicable" reason, a lawful
    /// basis does not exist under `jurisdiction`, or datasets repeat.
    public init(
        requestID: DataSubjectRequestID, jurisdiction: Jurisdiction, generatedAt: Date, datasets: [SubjectDataset],
        information: ProcessingInformation
    ) throws {
        self.requestID = requestID
        self.jurisdiction = jurisdiction
        self.generatedAt = generatedAt
        self.datasets = try SubjectDataset.ordered(datasets)
        self.information = information
        try ReportValidation.check(information, jurisdiction: jurisdiction, datasets: self.datasets)
    }

    /// Datasets that hold at least one row about the subject.
    var datasetsWithData: [SubjectDataset] { datasets.filter { !$0.rows.isEmpty } }

    /// The report as a document (the JSON file's content).
    var document: AccessReportDocument { AccessReportDocument(self) }

    /// `access-report.json`: pretty-printed, sorted keys.
    public func json() throws -> ExportFile {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ExportFile(name: "access-report.json", mediaType: "application/json", contents: try encoder.encode(document))
    }

    /// One `access-<dataset>.csv` per dataset with rows, all columns, RFC 4180.
    public func csvFiles() -> [ExportFile] {
        datasetsWithData.map { dataset in
            ExportFile(
                name: "access-\(dataset.schema.name).csv", mediaType: "text/csv; charset=utf-8",
                text: CSVText.table(columns: dataset.schema.columns, rows: dataset.rows))
        }
    }

    /// `access-report.html`: one readable, print-friendly page with no external resources.
    public func html() throws -> ExportFile {
        ExportFile(name: "access-report.html", mediaType: "text/html; charset=utf-8", text: try AccessReportHTML.render(document))
    }

    /// The JSON, the HTML page and the CSV files.
    public func allFiles() throws -> [ExportFile] {
        [try json(), try html()] + csvFiles()
    }
}

/// Checks that every article item is present.
enum ReportValidation {
    static func blank(_ text: String?) -> Bool { (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

    static func check(_ info: ProcessingInformation, jurisdiction: Jurisdiction, datasets: [SubjectDataset]) throws {
        let s = Dictionary(uniqueKeysWithValues: AccessReportSection.all.map { ($0.key, $0.provision(in: jurisdiction)) })
        func require(_ ok: Bool, _ key: String, _ reason: String) throws {
            if !ok { throw ExportError.missingItem(item: s[key] ?? key, reason: reason) }
        }
        try require(!blank(info.controller.name) && !blank(info.controller.contact), "purposes",
                    "name the controller and how to contact it")
        try require(!info.purposes.isEmpty, "purposes", "list the purposes of processing from the policies")
        for purpose in info.purposes {
            try require(!blank(purpose.name) && !blank(purpose.description), "purposes", "purpose '\(purpose.key)' needs a name and a description")
            if purpose.lawfulBasis.citation(in: jurisdiction) == nil {
                throw ExportError.basisNotAvailable(purpose: purpose.key, basis: purpose.lawfulBasis, jurisdiction: jurisdiction)
            }
        }
        try checkDisclosure(info.recipients, key: "recipients", provisions: s) { list in list.isEmpty ? "the recipient list is empty" : nil }
        try require(!info.retention.isEmpty, "retention", "give the retention period or the criteria used to decide it")
        for rule in info.retention {
            try require(!blank(rule.period) || !blank(rule.criteria), "retention", "a retention rule needs a period or criteria")
        }
        if let rights = info.rights {
            try require(!rights.isEmpty && !rights.contains(where: { blank($0) }), "rights", "list the rights, or pass nil for the standard text")
        }
        try require(!blank(info.complaintAuthority.name) && !blank(info.complaintAuthority.contact), "right_to_complain",
                    "name the supervisory authority and how to reach it")
        for dataset in datasets where !dataset.rows.isEmpty {
            try require(!blank(info.sources[dataset.schema.name] ?? dataset.schema.source), "sources",
                        "dataset '\(dataset.schema.name)' has no source; set `source:` in its policy file")
        }
        try checkDisclosure(info.automatedDecisionMaking, key: "automated_decision_making", provisions: s) { item in
            blank(item.logic) || blank(item.significance) || blank(item.consequences)
                ? "describe the logic, the significance and the envisaged consequences" : nil
        }
        try checkDisclosure(info.internationalTransfers, key: "international_transfers", provisions: s) { list in
            if list.isEmpty { return "the transfer list is empty" }
            return list.contains { blank($0.destination) || blank($0.safeguard) } ? "each transfer needs a destination and a safeguard" : nil
        }
    }

    static func checkDisclosure<T>(
        _ disclosure: Disclosure<T>, key: String, provisions: [String: String], problem: (T) -> String?
    ) throws {
        switch disclosure {
        case let .stated(item):
            if let reason = problem(item) {
                throw ExportError.missingItem(item: provisions[key] ?? key, reason: reason + "; or mark it not applicable with a reason")
            }
        case let .notApplicable(reason):
            if blank(reason) {
                throw ExportError.missingItem(item: provisions[key] ?? key, reason: "say why it is not applicable")
            }
        }
    }
}
