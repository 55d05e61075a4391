import CustosCharts
/// The record of processing activities as one HTML page in the shared page layout (see `HTMLPage` for the
/// escaping rules).
enum ROPAHTML {
    static func render(_ document: ROPAReport.Document) throws -> String {
        try HTMLPage.render(.recordOfProcessing, context: context(document))
    }

    static func context(_ d: ROPAReport.Document) -> [String: Any] {
        let c = d.controller
        return [
            "generatedAt": d.generatedAt,
            "controller": [
                "name": c.name, "address": c.address, "contact": c.contact,
                "dpo": c.dataProtectionOfficer ?? "not designated", "representative": c.representative ?? "not required",
            ],
            "measures": d.securityMeasures,
            "activities": d.activities.map { a -> [String: Any] in
                [
                    "key": a.purpose.key, "name": a.purpose.name, "description": a.purpose.description, "basis": a.lawfulBasisCitation,
                    "subjects": a.subjectCategories.joined(separator: ", "), "data": a.dataCategories.joined(separator: ", "),
                    "datasets": a.datasets.joined(separator: ", "),
                    "recipients": HTMLPage.disclosure(a.recipients) { list in
                        list.map { ["name": $0.name, "role": $0.role, "purpose": $0.purpose, "country": $0.country] }
                    },
                    "crossBorder": a.crossBorder ? "yes" : "no",
                    "transfers": HTMLPage.disclosure(a.transfers) { list in
                        list.map { ["destination": $0.destination, "recipient": $0.recipient, "safeguard": $0.safeguard] }
                    },
                    "retention": a.retention,
                    "extraMeasures": a.securityMeasures,
                    "hasExtraMeasures": !a.securityMeasures.isEmpty,
                ]
            },
        ]
    }
}
