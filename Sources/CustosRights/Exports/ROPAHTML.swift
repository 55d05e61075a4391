/// The record of processing activities as one HTML page (see `HTMLPage` for the escaping rules).
enum ROPAHTML {
    static func render(_ document: ROPAReport.Document) throws -> String {
        try HTMLPage.render(template: template, context: context(document))
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

    static let template = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <title>Record of processing activities</title>
        """ + HTMLPage.head + """
        </head>
        <body>
        <header>
        <h1>Record of processing activities</h1>
        <p class="meta">GDPR art. 30(1) &middot; generated {{generatedAt}}</p>
        </header>
        <section id="art30-1a-controller">
        <h2>Controller <span class="provision">art. 30(1)(a)</span></h2>
        {{#controller}}
        <dl>
        <dt>Name</dt><dd>{{name}}</dd>
        <dt>Address</dt><dd>{{address}}</dd>
        <dt>Contact</dt><dd>{{contact}}</dd>
        <dt>Data protection officer</dt><dd>{{dpo}}</dd>
        <dt>Representative</dt><dd>{{representative}}</dd>
        </dl>
        {{/controller}}
        </section>
        {{#activities}}
        <section class="activity" id="activity-{{key}}">
        <h2>{{name}} <span class="provision">{{key}}</span></h2>
        <dl>
        <dt>Purpose <small>(b)</small></dt><dd>{{description}}</dd>
        <dt>Lawful basis</dt><dd>{{basis}}</dd>
        <dt>Data subjects <small>(c)</small></dt><dd>{{subjects}}</dd>
        <dt>Personal data <small>(c)</small></dt><dd>{{data}}</dd>
        <dt>Datasets</dt><dd>{{datasets}}</dd>
        <dt>Erasure time limit <small>(f)</small></dt><dd>{{retention}}</dd>
        <dt>Cross-border transfer</dt><dd>{{crossBorder}}</dd>
        </dl>
        <h3>Recipients <span class="provision">(d)</span></h3>
        {{#recipients}}
        {{#items}}{{#first()}}<table><thead><tr><th>Recipient</th><th>Role</th><th>Purpose</th><th>Country</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{name}}</td><td>{{role}}</td><td>{{purpose}}</td><td>{{country}}</td></tr>
        {{#last()}}</tbody></table>{{/last()}}{{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/recipients}}
        <h3>Transfers to third countries <span class="provision">(e)</span></h3>
        {{#transfers}}
        {{#items}}{{#first()}}<table><thead><tr><th>Destination</th><th>Recipient</th><th>Safeguard</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{destination}}</td><td>{{recipient}}</td><td>{{safeguard}}</td></tr>
        {{#last()}}</tbody></table>{{/last()}}{{/items}}
        {{#notApplicable}}<p class="na">Not applicable: {{.}}</p>{{/notApplicable}}
        {{/transfers}}
        {{#hasExtraMeasures}}<h3>Measures for this activity</h3>
        <ul>{{#extraMeasures}}<li>{{.}}</li>{{/extraMeasures}}</ul>{{/hasExtraMeasures}}
        </section>
        {{/activities}}
        <section id="art30-1g-security">
        <h2>Technical and organisational security measures <span class="provision">art. 30(1)(g), art. 32(1)</span></h2>
        <ul>
        {{#measures}}<li>{{.}}</li>
        {{/measures}}
        </ul>
        </section>
        </body>
        </html>

        """
}
