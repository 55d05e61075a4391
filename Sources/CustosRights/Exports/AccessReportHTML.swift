import CustosCharts
import Foundation

/// The access report as one HTML page in the shared page layout (see `HTMLPage` for the
/// escaping rules).
enum AccessReportHTML {
    static func render(_ document: AccessReportDocument) throws -> String {
        try HTMLPage.render(.accessReport, context: context(document))
    }

    static func context(_ d: AccessReportDocument) -> [String: Any] {
        let jurisdiction = Jurisdiction(rawValue: d.report.jurisdiction) ?? .gdpr
        var headings: [String: Any] = [:]
        for section in AccessReportSection.all {
            headings[section.key] = ["title": section.title, "provision": section.provision(in: jurisdiction), "id": section.htmlID]
        }
        let c = d.controller
        return [
            "title": "Your personal data: access report",
            "requestID": d.report.requestID,
            "legalBasis": d.report.legalBasis,
            "generatedAt": d.report.generatedAt,
            "summary": d.report.summary,
            "h": headings,
            "controller": [
                "name": c.name, "address": c.address, "contact": c.contact,
                "dpo": c.dataProtectionOfficer ?? "", "hasDPO": c.dataProtectionOfficer != nil,
                "representative": c.representative ?? "", "hasRepresentative": c.representative != nil,
            ] as [String: Any],
            "purposes": d.purposes.map { p -> [String: Any] in
                var entry: [String: Any] = [
                    "name": p.name, "key": p.key, "description": p.description, "citation": p.lawfulBasisCitation,
                    "datasets": p.datasets.joined(separator: ", "),
                ]
                if let detail = p.basisDetail, !detail.isEmpty { entry["detail"] = detail }
                return entry
            },
            "categories": HTMLPage.disclosure(d.categories) { list in
                list.map { category -> [String: Any] in
                    var entry: [String: Any] = ["label": category.label, "datasets": category.datasets.joined(separator: ", ")]
                    if category.label != category.key { entry["keyNote"] = category.key }
                    return entry
                }
            },
            "recipients": HTMLPage.disclosure(d.recipients) { list in
                list.map { ["name": $0.name, "role": $0.role, "purpose": $0.purpose, "country": $0.country] }
            },
            "retention": d.retention.map { ["appliesTo": $0.appliesTo, "period": $0.period, "criteria": $0.criteria] },
            "rights": d.rights.rights,
            "howToExercise": d.rights.howToExercise,
            "complaint": [
                "name": d.rightToComplain.authority.name, "contact": d.rightToComplain.authority.contact,
                "website": d.rightToComplain.authority.website ?? "", "hasWebsite": d.rightToComplain.authority.website != nil,
                "statement": d.rightToComplain.statement,
            ] as [String: Any],
            "sources": HTMLPage.disclosure(d.sources) { list in list.map { ["dataset": $0.dataset, "source": $0.source] } },
            "automated": HTMLPage.disclosure(d.automatedDecisionMaking) { item in
                ["logic": item.logic, "significance": item.significance, "consequences": item.consequences]
            },
            "transfers": HTMLPage.disclosure(d.internationalTransfers) { list in
                list.map { ["destination": $0.destination, "recipient": $0.recipient, "safeguard": $0.safeguard, "copy": $0.howToObtainCopy] }
            },
            "hasData": !d.personalData.isEmpty,
            "noDataText": AccessReportDocument.noDataReason,
            "datasets": d.personalData.map { copy -> [String: Any] in
                [
                    "dataset": copy.dataset, "description": copy.description,
                    "records": copy.recordCount == 1 ? "1 record" : "\(copy.recordCount) records",
                    "columns": copy.columns.map { ["column": $0.name, "label": $0.categoryLabel] },
                    "rows": copy.records.map { record in
                        ["cells": copy.columns.map { column -> [String: Any] in ["v": (record[column.name] ?? nil) ?? ""] }]
                    },
                ]
            },
        ]
    }
}
