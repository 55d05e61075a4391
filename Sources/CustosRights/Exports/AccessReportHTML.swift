import Foundation

/// The access report as one HTML page (see `HTMLPage` for the escaping rules).
enum AccessReportHTML {
    static func render(_ document: AccessReportDocument) throws -> String {
        try HTMLPage.render(template: template, context: context(document))
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

    static let template = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <title>{{title}} {{requestID}}</title>
        """ + HTMLPage.head + """
        </head>
        <body>
        <header>
        <h1>{{title}}</h1>
        <p class="meta">Reference {{requestID}} &middot; {{legalBasis}} &middot; generated {{generatedAt}}</p>
        <p>{{summary}}</p>
        </header>

        <section id="controller">
        <h2>Who we are</h2>
        {{#controller}}
        <dl>
        <dt>Controller</dt><dd>{{name}}</dd>
        <dt>Address</dt><dd>{{address}}</dd>
        <dt>Contact</dt><dd>{{contact}}</dd>
        {{#hasDPO}}<dt>Data protection officer</dt><dd>{{dpo}}</dd>{{/hasDPO}}
        {{#hasRepresentative}}<dt>Representative</dt><dd>{{representative}}</dd>{{/hasRepresentative}}
        </dl>
        {{/controller}}
        </section>

        {{#h.purposes}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.purposes}}
        <table>
        <thead><tr><th>Purpose</th><th>What we do</th><th>Legal basis</th><th>Datasets</th></tr></thead>
        <tbody>
        {{#purposes}}<tr><td>{{name}}<br><small>{{key}}</small></td><td>{{description}}</td><td>{{citation}}{{#detail}}<br><small>{{.}}</small>{{/detail}}</td><td>{{datasets}}</td></tr>
        {{/purposes}}
        </tbody>
        </table>
        </section>

        {{#h.categories_of_personal_data}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.categories_of_personal_data}}
        {{#categories}}
        {{#items}}{{#first()}}<table><thead><tr><th>Category</th><th>Datasets</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{label}}{{#keyNote}}<br><small>{{.}}</small>{{/keyNote}}</td><td>{{datasets}}</td></tr>
        {{#last()}}</tbody></table>{{/last()}}{{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/categories}}
        </section>

        {{#h.recipients}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.recipients}}
        {{#recipients}}
        {{#items}}{{#first()}}<table><thead><tr><th>Recipient</th><th>Role</th><th>Purpose</th><th>Country</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{name}}</td><td>{{role}}</td><td>{{purpose}}</td><td>{{country}}</td></tr>
        {{#last()}}</tbody></table>{{/last()}}{{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/recipients}}
        </section>

        {{#h.retention}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.retention}}
        <table>
        <thead><tr><th>Applies to</th><th>Period</th><th>Criteria</th></tr></thead>
        <tbody>
        {{#retention}}<tr><td>{{appliesTo}}</td><td>{{period}}</td><td>{{criteria}}</td></tr>
        {{/retention}}
        </tbody>
        </table>
        </section>

        {{#h.rights}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.rights}}
        <ul>
        {{#rights}}<li>{{.}}</li>
        {{/rights}}
        </ul>
        <p>{{howToExercise}}</p>
        </section>

        {{#h.right_to_complain}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.right_to_complain}}
        {{#complaint}}
        <p>{{statement}}</p>
        <dl>
        <dt>Supervisory authority</dt><dd>{{name}}</dd>
        <dt>Contact</dt><dd>{{contact}}</dd>
        {{#hasWebsite}}<dt>Website</dt><dd>{{website}}</dd>{{/hasWebsite}}
        </dl>
        {{/complaint}}
        </section>

        {{#h.sources}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.sources}}
        {{#sources}}
        {{#items}}{{#first()}}<table><thead><tr><th>Dataset</th><th>Source</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{dataset}}</td><td>{{source}}</td></tr>
        {{#last()}}</tbody></table>{{/last()}}{{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/sources}}
        </section>

        {{#h.automated_decision_making}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.automated_decision_making}}
        {{#automated}}
        {{#items}}
        <dl>
        <dt>Logic involved</dt><dd>{{logic}}</dd>
        <dt>Significance</dt><dd>{{significance}}</dd>
        <dt>Envisaged consequences</dt><dd>{{consequences}}</dd>
        </dl>
        {{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/automated}}
        </section>

        {{#h.international_transfers}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.international_transfers}}
        {{#transfers}}
        {{#items}}{{#first()}}<table><thead><tr><th>Destination</th><th>Recipient</th><th>Safeguard</th><th>How to obtain a copy</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{destination}}</td><td>{{recipient}}</td><td>{{safeguard}}</td><td>{{copy}}</td></tr>
        {{#last()}}</tbody></table>{{/last()}}{{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/transfers}}
        </section>

        {{#h.personal_data}}<section id="{{id}}"><h2>{{title}} <span class="provision">{{provision}}</span></h2>{{/h.personal_data}}
        {{^hasData}}<p class="na">Not applicable: {{noDataText}}</p>{{/hasData}}
        {{#datasets}}
        <h3>{{dataset}} <span class="provision">{{records}}</span></h3>
        <p class="note">{{description}}</p>
        <table class="data">
        <thead><tr>{{#columns}}<th>{{column}}<small>{{label}}</small></th>{{/columns}}</tr></thead>
        <tbody>
        {{#rows}}<tr>{{#cells}}<td>{{v}}</td>{{/cells}}</tr>
        {{/rows}}
        </tbody>
        </table>
        {{/datasets}}
        </section>
        </body>
        </html>

        """
}
