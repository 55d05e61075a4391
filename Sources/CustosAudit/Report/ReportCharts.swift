import Foundation

/// Geometry for the inline SVG charts. Produces only numbers and labels; the markup lives in the
/// Mustache templates, which escape every label.
enum ReportCharts {
    static let palette = ["#1f5f8b", "#c8553d", "#3a7d44", "#8e5ea2", "#d4a017", "#5c6f7b", "#b03a6f"]

    /// A horizontal bar chart: one row per item, bars scaled to the largest value.
    static func bars(_ items: [(label: String, value: Double, text: String)], maxRows: Int = 12) -> [String: Any] {
        let shown = Array(items.prefix(maxRows))
        let largest = max(shown.map(\.value).max() ?? 0, 1e-12)
        let rowHeight = 24.0
        let plotWidth = 360.0
        var rows = [[String: Any]]()
        for (i, item) in shown.enumerated() {
            let y = 8 + Double(i) * rowHeight
            let width = max(item.value / largest * plotWidth, item.value > 0 ? 1 : 0)
            rows.append([
                "label": shorten(item.label, 30), "fullLabel": item.label, "y": fmt(y), "textY": fmt(y + 13),
                "width": fmt(width), "valueX": fmt(212 + width), "value": item.text,
                "color": palette[i % palette.count],
            ])
        }
        let height = 16 + Double(shown.count) * rowHeight
        var chart: [String: Any] = ["rows": rows, "height": fmt(height), "hasRows": !rows.isEmpty]
        // Mustache treats any string as true, so optional text is left out rather than set to "".
        if items.count > maxRows { chart["omitted"] = "\(items.count - maxRows) more not shown" }
        return chart
    }

    /// A time series chart: one polyline per series over the sorted days.
    static func series(days: [String], series: [(name: String, values: [Double])]) -> [String: Any] {
        let width = 760.0, height = 260.0, left = 56.0, right = 150.0, top = 16.0, bottom = 40.0
        let plotW = width - left - right, plotH = height - top - bottom
        let largest = niceMaximum(series.flatMap(\.values).max() ?? 0)
        func x(_ i: Int) -> Double { days.count <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(days.count - 1) }
        func y(_ v: Double) -> Double { top + plotH * (1 - v / largest) }
        var lines = [[String: Any]]()
        for (k, s) in series.enumerated() {
            let points = s.values.enumerated().map { "\(fmt(x($0.offset))),\(fmt(y($0.element)))" }.joined(separator: " ")
            let dots = s.values.enumerated().map { ["cx": fmt(x($0.offset)), "cy": fmt(y($0.element))] }
            lines.append(["name": s.name, "points": points, "dots": dots, "color": palette[k % palette.count],
                          "legendY": fmt(top + 14 * Double(k))])
        }
        let grid = (0...4).map { step -> [String: Any] in
            let v = largest * Double(step) / 4
            return ["y": fmt(y(v)), "labelY": fmt(y(v) + 4), "label": AuditReport.amount(v)]
        }
        var ticks = [[String: Any]]()
        let every = max(1, days.count / 8)
        for (i, day) in days.enumerated() where i % every == 0 || i == days.count - 1 {
            ticks.append(["x": fmt(x(i)), "label": String(day.dropFirst(5))])
        }
        return ["lines": lines, "grid": grid, "ticks": ticks, "hasData": !days.isEmpty,
                "width": fmt(width), "height": fmt(height), "left": fmt(left), "right": fmt(width - right),
                "axisY": fmt(top + plotH), "tickY": fmt(top + plotH + 16), "legendX": fmt(width - right + 16)]
    }

    /// The smallest 4 × (1, 2, 2.5 or 5) × 10^k that is at least `value`, so grid labels are round.
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let rough = value / 4
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= rough * (1 - 1e-12) {
            return 4 * factor * magnitude
        }
        return 4 * 10 * magnitude
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func shorten(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }
}
