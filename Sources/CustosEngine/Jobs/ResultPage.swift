import CustosCharts
import Foundation
import Mustache

/// A job result as one self-contained, printable HTML page with inline SVG charts. Every value goes
/// through the Mustache template's escaping; nothing is concatenated into markup.
enum ResultPage {
    static func render(_ result: JobResult) throws -> String {
        let template = try MustacheTemplate(string: pageTemplate)
        var charts: [[String: Any]] = []
        for chart in result.charts {
            switch chart.kind {
            case .bar:
                charts.append(["title": chart.title, "isBar": true,
                               "bars": ChartGeometry.bars(zip(chart.labels, chart.values).map { ($0, $1, ChartGeometry.fmt($1)) }, maxRows: 20)])
            case .funnel:
                charts.append(["title": chart.title, "isFunnel": true, "funnel": ChartGeometry.funnel(zip(chart.labels, chart.values).map { ($0, $1) })])
            case .scatter:
                charts.append(["title": chart.title, "isScatter": true,
                               "scatter": ChartGeometry.scatter(x: chart.x ?? [], y: chart.y ?? [], group: chart.group ?? [])])
            }
        }
        let tables: [[String: Any]] = result.tables.enumerated().map { i, table in
            var t: [String: Any] = ["id": "t\(i)", "title": table.title, "columns": table.columns.enumerated().map { ["name": $1, "index": $0] },
                                    "rows": table.rows.map { ["cells": $0] }]
            if let note = table.note { t["note"] = note }
            return t
        }
        var context: [String: Any] = [
            "title": result.title, "jobID": result.jobID, "principal": result.principal, "purpose": result.purpose,
            "dataset": result.dataset, "outputMode": result.outputMode, "policyVersion": String(result.policyVersion.prefix(16)),
            "finishedAt": result.finishedAt, "digest": result.resultDigest,
            "charts": charts, "tables": tables, "notes": result.notes,
        ]
        if let cohort = result.cohort {
            // Pseudonymous output only: a DP page shows nothing that did not go through a mechanism.
            context["cohort"] = ["subjects": cohort.subjects, "rows": cohort.rows]
            context["exclusions"] = cohort.exclusions.sorted { $0.key < $1.key }.map { ["reason": $0.key, "count": $0.value] }
            if !cohort.exclusions.isEmpty { context["hasExclusions"] = true }
            if cohort.suppressedGroups > 0, let k = cohort.minGroupSize {
                context["suppressed"] = "\(cohort.suppressedGroups) groups with fewer than \(k) customers were suppressed"
            }
        }
        if let privacy = result.privacy {
            context["epsilon"] = String(privacy.epsilon)
            context["privacy"] = privacy.summary
        }
        return template.render(context)
    }

    static let pageTemplate = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}} · Custos</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2731;max-width:1000px;margin:24px auto;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #d7dde3;padding-bottom:4px}
        .meta{color:#5c6f7b;font-size:12px} .pill{display:inline-block;background:#eef3f7;border-radius:10px;padding:1px 8px;margin:2px 4px 2px 0}
        table{border-collapse:collapse;width:100%;font-size:13px} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff2}
        th{cursor:pointer;background:#f6f8fa;position:sticky;top:0} th:hover{background:#e8eef3} td{font-variant-numeric:tabular-nums}
        .note{color:#5c6f7b;font-size:12px;margin:6px 0} svg text{font:12px system-ui,sans-serif;fill:#1d2731}
        .privacy{background:#f3f8f1;border-left:4px solid #3a7d44;padding:8px 12px;margin:16px 0}
        @media print{th{position:static} .noprint{display:none}}
        </style></head><body>
        <h1>{{title}}</h1>
        <div class="meta">job {{jobID}} · finished {{finishedAt}} · policy {{policyVersion}}…</div>
        <div class="meta"><span class="pill">principal {{principal}}</span><span class="pill">purpose {{purpose}}</span><span class="pill">dataset {{dataset}}</span><span class="pill">output {{outputMode}}</span>{{#epsilon}}<span class="pill">ε {{epsilon}}</span>{{/epsilon}}</div>
        {{#cohort}}<div class="privacy">{{subjects}} pseudonymous customers and {{rows}} rows entered this job, after the consent filter.
        {{#hasExclusions}}Excluded by consent or rights: {{/hasExclusions}}{{#exclusions}}<span class="pill">{{reason}} {{count}}</span>{{/exclusions}}
        {{#suppressed}}<br>{{suppressed}}.{{/suppressed}}</div>{{/cohort}}
        {{#privacy}}<div class="privacy">Differentially private: {{privacy}}. Every number below went through a noise mechanism charged to this job (shown with its 95% interval) or is public by declaration; no exact count of customers or rows is released.</div>{{/privacy}}
        {{#charts}}<h2>{{title}}</h2>
        {{#isBar}}{{#bars}}<svg width="640" height="{{height}}" role="img" aria-label="{{title}}">{{#rows}}<text x="4" y="{{textY}}"><title>{{fullLabel}}</title>{{label}}</text><rect x="206" y="{{y}}" width="{{width}}" height="18" fill="{{color}}"/><text x="{{valueX}}" y="{{textY}}" dx="6">{{value}}</text>{{/rows}}</svg>{{#omitted}}<div class="note">{{omitted}}</div>{{/omitted}}{{/bars}}{{/isBar}}
        {{#isFunnel}}{{#funnel}}<svg width="{{width}}" height="{{height}}" role="img">{{#rows}}<text x="4" y="{{textY}}">{{label}}</text><rect x="{{x}}" y="{{y}}" width="{{width}}" height="30" rx="3" fill="{{color}}"/><text x="{{valueX}}" y="{{textY}}">{{value}}</text>{{/rows}}</svg>{{/funnel}}{{/isFunnel}}
        {{#isScatter}}{{#scatter}}<svg width="{{width}}" height="{{height}}" role="img"><line x1="{{left}}" y1="{{bottom}}" x2="{{right}}" y2="{{bottom}}" stroke="#9aa5ae"/><line x1="{{left}}" y1="{{top}}" x2="{{left}}" y2="{{bottom}}" stroke="#9aa5ae"/>{{#points}}<circle cx="{{cx}}" cy="{{cy}}" r="2.5" fill="{{color}}" fill-opacity="0.7"/>{{/points}}{{#legend}}<rect x="{{legendX}}" y="{{y}}" width="10" height="10" fill="{{color}}"/><text x="{{legendTextX}}" y="{{textY}}">{{label}}</text>{{/legend}}<text x="{{left}}" y="{{height}}" dy="-8">first principal component →</text></svg>{{/scatter}}{{/isScatter}}
        {{/charts}}
        {{#tables}}<h2>{{title}}</h2>{{#note}}<div class="note">{{note}}</div>{{/note}}
        <table id="{{id}}"><thead><tr>{{#columns}}<th onclick="sortTable('{{id}}',{{index}})">{{name}}</th>{{/columns}}</tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</tbody></table>
        {{/tables}}
        {{#notes}}<p class="note">{{.}}</p>{{/notes}}
        <p class="meta">Result digest {{digest}} (recorded in the audit log with this job's id).</p>
        <script>
        function sortTable(id, col) {
          var t = document.getElementById(id), body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);
          var dir = t.getAttribute('data-col') == col && t.getAttribute('data-dir') == 'desc' ? 1 : -1;
          rows.sort(function (a, b) {
            var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
            return (isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny) * dir;
          });
          rows.forEach(function (r) { body.appendChild(r); });
          t.setAttribute('data-col', col); t.setAttribute('data-dir', dir < 0 ? 'desc' : 'asc');
        }
        </script>
        </body></html>
        """
}

extension JobResult {
    /// One self-contained HTML page with inline SVG charts.
    public func html() throws -> String { try ResultPage.render(self) }
}
