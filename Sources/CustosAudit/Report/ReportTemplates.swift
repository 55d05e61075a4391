/// The Mustache templates of the HTML report. Every `{{value}}` is HTML-escaped by the renderer;
/// the templates never use triple braces, so no data reaches the markup unescaped.
enum ReportTemplates {
    static let bars = """
    {{#hasRows}}<svg class="chart" viewBox="0 0 640 {{height}}" width="640" height="{{height}}" role="img" aria-label="{{caption}}">
    {{#rows}}<g><title>{{fullLabel}}: {{value}}</title><text class="label" x="200" y="{{textY}}" text-anchor="end">{{label}}</text><rect x="208" y="{{y}}" width="{{width}}" height="17" rx="2" fill="{{color}}"></rect><text class="value" x="{{valueX}}" dx="6" y="{{textY}}">{{value}}</text></g>
    {{/rows}}</svg>{{#omitted}}<p class="muted">{{omitted}}</p>{{/omitted}}{{/hasRows}}{{^hasRows}}<p class="muted">None in this period.</p>{{/hasRows}}
    """

    static let series = """
    {{#hasData}}<svg class="chart" viewBox="0 0 {{width}} {{height}}" width="{{width}}" height="{{height}}" role="img" aria-label="{{caption}}">
    {{#grid}}<line class="grid" x1="{{left}}" x2="{{right}}" y1="{{y}}" y2="{{y}}"></line><text class="axis" x="{{left}}" dx="-6" y="{{labelY}}" text-anchor="end">{{label}}</text>
    {{/grid}}<line class="axisline" x1="{{left}}" x2="{{right}}" y1="{{axisY}}" y2="{{axisY}}"></line>
    {{#ticks}}<text class="axis" x="{{x}}" y="{{tickY}}" text-anchor="middle">{{label}}</text>
    {{/ticks}}{{#lines}}<polyline fill="none" stroke="{{color}}" stroke-width="2" points="{{points}}"><title>{{name}}</title></polyline>{{#dots}}<circle cx="{{cx}}" cy="{{cy}}" r="2.5" fill="{{color}}"></circle>{{/dots}}
    <rect x="{{legendX}}" y="{{legendY}}" width="10" height="10" fill="{{color}}"></rect><text class="legend" x="{{legendX}}" dx="14" y="{{legendY}}" dy="9">{{name}}</text>
    {{/lines}}</svg>{{/hasData}}{{^hasData}}<p class="muted">No privacy budget was spent in this period.</p>{{/hasData}}
    """

    static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}}</title>
    <style>
    :root { --ink: #1d2329; --muted: #5f6b76; --line: #d9dee3; --ok: #2e7d32; --bad: #b3261e; --band: #f4f6f8; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: #fff; }
    main { max-width: 980px; margin: 0 auto; padding: 28px 32px 48px; }
    header { border-bottom: 3px solid var(--ink); padding-bottom: 12px; margin-bottom: 20px; }
    h1 { font-size: 24px; margin: 0 0 4px; }
    h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
    .muted { color: var(--muted); }
    .facts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 14px 0; }
    .fact { background: var(--band); border-radius: 6px; padding: 10px 12px; }
    .fact b { display: block; font-size: 20px; }
    .status { border-left: 6px solid var(--ok); background: #eef6ee; padding: 10px 14px; border-radius: 4px; }
    .status.failed { border-color: var(--bad); background: #fbeeed; }
    .status.unknown { border-color: var(--muted); background: var(--band); }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: var(--band); font-weight: 600; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
    .badge.overdue { background: var(--bad); color: #fff; }
    .badge.open { background: #e8eef5; color: #1f5f8b; }
    .badge.closed { background: #e9f3ea; color: var(--ok); }
    tr.overdue td { background: #fdf3f2; }
    svg.chart { max-width: 100%; height: auto; display: block; margin: 4px 0 8px; }
    svg text { font-size: 12px; fill: var(--ink); }
    svg text.axis, svg text.legend { fill: var(--muted); font-size: 11px; }
    svg line.grid { stroke: var(--line); stroke-width: 1; }
    svg line.axisline { stroke: var(--ink); stroke-width: 1; }
    td.time { white-space: nowrap; }
    code { font: 12px/1.3 ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
    footer { margin-top: 32px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
    @media print {
      main { max-width: none; padding: 0; }
      body { font-size: 11pt; }
      h2 { break-after: avoid; }
      table, svg.chart, .fact, .status, tr { break-inside: avoid; }
      .facts { grid-template-columns: repeat(4, 1fr); }
      a { color: inherit; text-decoration: none; }
      @page { size: A4; margin: 16mm 14mm; }
    }
    </style>
    </head>
    <body>
    <main>
    <header>
    <h1>{{title}}</h1>
    <div class="muted">As of {{asOf}} · entries from {{firstEntry}} to {{lastEntry}}</div>
    </header>

    <section class="facts">
    <div class="fact"><span class="muted">Audit entries</span><b>{{entryCount}}</b></div>
    <div class="fact"><span class="muted">Data accesses</span><b>{{accessCount}}</b></div>
    <div class="fact"><span class="muted">Denials</span><b>{{denialCount}}</b></div>
    <div class="fact"><span class="muted">Overdue requests</span><b>{{overdueCount}}</b></div>
    </section>

    <h2>Log integrity</h2>
    {{#verification}}
    <div class="status{{^valid}} failed{{/valid}}">
    <strong>{{#valid}}Verified{{/valid}}{{^valid}}Verification failed{{/valid}}</strong>:
    {{entries}} entries re-hashed in {{segments}} segment file(s); {{checkpointsMatching}} of {{checkpoints}} signed checkpoints match the entries; {{consistency}} consistency proofs verified.
    {{#latestSize}}<br>Latest checkpoint: {{latestSize}} entries{{#latestTime}}, signed {{latestTime}}{{/latestTime}}.{{/latestSize}}
    {{#hasUncovered}}<br>{{notCheckpointed}} entries are not yet covered by a checkpoint.{{/hasUncovered}}
    <br>Root hash: <code>{{root}}</code>
    </div>
    {{#hasProblems}}<table><thead><tr><th>Where</th><th>Problem</th><th>What to do</th></tr></thead><tbody>
    {{#problems}}<tr><td><code>{{location}}</code></td><td>{{message}}</td><td>{{remedy}}</td></tr>
    {{/problems}}</tbody></table>{{/hasProblems}}
    {{/verification}}
    {{^verification}}<div class="status unknown">The log was not verified for this report. Run <code>custos audit verify</code>.</div>{{/verification}}

    <h2>Data-subject requests</h2>
    {{#hasRequests}}<table><thead><tr><th>Request</th><th>Type</th><th>Jurisdiction</th><th>State</th><th>Due</th><th>Last change (UTC)</th><th>Status</th></tr></thead><tbody>
    {{#requests}}<tr{{#overdue}} class="overdue"{{/overdue}}><td><code>{{requestID}}</code></td><td>{{type}}</td><td>{{jurisdiction}}</td><td>{{state}}</td><td class="time">{{due}}</td><td class="time">{{lastChange}}</td><td>{{#overdue}}<span class="badge overdue">Overdue {{daysOverdue}} d</span>{{/overdue}}{{^overdue}}{{#closed}}<span class="badge closed">Closed</span>{{/closed}}{{^closed}}<span class="badge open">Open</span>{{/closed}}{{/overdue}}</td></tr>
    {{/requests}}</tbody></table>{{/hasRequests}}{{^hasRequests}}<p class="muted">No data-subject requests in this period.</p>{{/hasRequests}}

    <h2>Data accesses</h2>
    <p class="muted">Counted actions: {{accessActions}}. Allowed accesses only; denials are listed below.</p>
    <h3>By principal</h3>
    {{#chartPrincipal}}{{> bars}}{{/chartPrincipal}}
    <h3>By purpose</h3>
    {{#chartPurpose}}{{> bars}}{{/chartPurpose}}
    <h3>By data set</h3>
    {{#chartDataset}}{{> bars}}{{/chartDataset}}

    <h2>Denials</h2>
    <h3>By reason</h3>
    {{#chartReasons}}{{> bars}}{{/chartReasons}}
    {{#hasDenials}}<table><thead><tr><th>Time (UTC)</th><th>Principal</th><th>Role</th><th>Action</th><th>Purpose</th><th>Data set</th><th>Reason</th><th>Policy</th></tr></thead><tbody>
    {{#denials}}<tr><td class="time">{{time}}</td><td>{{actor}}</td><td>{{role}}</td><td>{{action}}</td><td>{{purpose}}</td><td>{{dataset}}</td><td>{{reason}}</td><td>{{policyVersion}}</td></tr>
    {{/denials}}</tbody></table>{{#denialsOmitted}}<p class="muted">{{denialsOmitted}}</p>{{/denialsOmitted}}{{/hasDenials}}

    <h2>Privacy budget</h2>
    <h3>Cumulative epsilon spent, by principal</h3>
    {{#chartBudget}}{{> series}}{{/chartBudget}}
    {{#hasBudget}}<table><thead><tr><th>Principal</th><th>Data set</th><th class="num">Jobs</th><th class="num">Epsilon</th><th class="num">Rho</th></tr></thead><tbody>
    {{#budgetTotals}}<tr><td>{{actor}}</td><td>{{dataset}}</td><td class="num">{{jobs}}</td><td class="num">{{epsilon}}</td><td class="num">{{rho}}</td></tr>
    {{/budgetTotals}}</tbody></table>
    <h3>Per day</h3>
    <table><thead><tr><th>Day (UTC)</th><th>Principal</th><th>Data set</th><th class="num">Jobs</th><th class="num">Epsilon</th><th class="num">Rho</th></tr></thead><tbody>
    {{#budgetDaily}}<tr><td class="time">{{day}}</td><td>{{actor}}</td><td>{{dataset}}</td><td class="num">{{jobs}}</td><td class="num">{{epsilon}}</td><td class="num">{{rho}}</td></tr>
    {{/budgetDaily}}</tbody></table>{{/hasBudget}}

    <footer>Generated by Custos from the tamper-evident audit log. Entries hold no personal data: data subjects appear only as keyed pseudonyms. Verify independently with <code>tools/audit-verify/verify.py</code>.</footer>
    </main>
    </body>
    </html>

    """
}
