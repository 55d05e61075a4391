import CustosSchema
import CustosGovernance
import CustosRights
import Foundation

extension ReportService {
    /// The GDPR art. 30 record of processing activities, generated from policies and datasets.
    public func recordOfProcessing(format: String) throws -> String {
        let org = try rights.organisation
        let information = try rights.processingInformation()
        let activities = policies.purposes.entries.values.sorted { $0.key < $1.key }.compactMap { purpose -> ProcessingActivity? in
            guard let description = information.purposes.first(where: { $0.key == purpose.key }) else { return nil }
            return ProcessingActivity(
                purpose: description, subjectCategories: ["customers"],
                recipients: purpose.recipients.isEmpty ? .notApplicable(reason: "results stay with the controller")
                    : .stated(purpose.recipients.map { Recipient(name: $0, role: "recipient", purpose: purpose.key, country: purpose.crossBorder ? "outside the EEA" : "EEA") }),
                transfers: purpose.crossBorder
                    ? .stated([TransferSafeguard(destination: "outside the EEA", recipient: purpose.recipients.joined(separator: ", "),
                                                 safeguard: "standard contractual clauses; separate consent", howToObtainCopy: org.controller.contact)])
                    : .notApplicable(reason: "no transfer"),
                retention: (purpose.retention.days.map { "\($0) days. " } ?? "") + purpose.retention.criteria, securityMeasures: org.securityMeasures)
        }
        let report = try ROPAReport(controller: org.controller, activities: activities,
                                    datasets: workspace.catalog.datasets.values.sorted { $0.name < $1.name },
                                    securityMeasures: org.securityMeasures, generatedAt: clock())
        let file = format == "json" ? try report.json() : try report.html()
        return String(decoding: file.contents, as: UTF8.self)
    }
}
