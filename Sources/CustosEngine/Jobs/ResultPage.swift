import CustosCharts
import Foundation

/// A job result as one self-contained, printable HTML page with inline SVG charts, in the shared
/// page layout (`Page.jobResult`). Every value goes through the template's escaping; nothing is
/// concatenated into markup.
enum ResultPage {
    static func render(_ result: JobResult) throws -> String {
        var charts: [[String: Any]] = []
        for chart in result.charts {
            var entry: [String: Any] = ["title": chart.title, "caption": chart.title, "empty": "Nothing to show."]
            switch chart.kind {
            case .bar:
                entry["isBar"] = true
                entry["bars"] = ChartGeometry.bars(zip(chart.labels, chart.values).map { ($0, $1, ChartGeometry.fmt($1)) }, maxRows: 20)
            case .funnel:
                entry["isFunnel"] = true
                entry["funnel"] = ChartGeometry.funnel(zip(chart.labels, chart.values).map { ($0, $1) })
            case .scatter:
                entry["isScatter"] = true
                entry["scatter"] = ChartGeometry.scatter(x: chart.x ?? [], y: chart.y ?? [], group: chart.group ?? [])
            }
            charts.append(entry)
        }
        let tables: [[String: Any]] = result.tables.enumerated().map { i, table in
            var t: [String: Any] = ["id": "t\(i)", "title": table.title, "columns": table.columns.map { ["name": $0] },
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
        return try Page.jobResult.render(context)
    }
}

extension JobResult {
    /// One self-contained HTML page with inline SVG charts.
    public func html() throws -> String { try ResultPage.render(self) }
}
