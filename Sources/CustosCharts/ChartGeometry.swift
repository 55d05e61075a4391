import Foundation

/// Geometry for inline SVG charts in reports (audit, job results, access reports). It produces
/// only numbers and labels; the markup lives in Mustache templates, which escape every label.
public enum ChartGeometry {
    public static let palette = ["#1f5f8b", "#c8553d", "#3a7d44", "#8e5ea2", "#d4a017", "#5c6f7b", "#b03a6f"]

    /// A horizontal bar chart: one row per item, bars scaled to the largest value.
    public static func bars(_ items: [(label: String, value: Double, text: String)], maxRows: Int = 12) -> [String: Any] {
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
    public static func series(days: [String], series: [(name: String, values: [Double])],
                              label: (Double) -> String = { fmt($0) }) -> [String: Any] {
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
            return ["y": fmt(y(v)), "labelY": fmt(y(v) + 4), "label": label(v)]
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
    public static func niceMaximum(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let rough = value / 4
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= rough * (1 - 1e-12) {
            return 4 * factor * magnitude
        }
        return 4 * 10 * magnitude
    }

    public static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    public static func shorten(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }

    /// A scatter plot of points coloured by group, scaled into a 560 x 360 box with axes.
    public static func scatter(x: [Double], y: [Double], group: [Int], maxPoints: Int = 3000) -> [String: Any] {
        let width = 560.0, height = 360.0, pad = 36.0
        let n = min(x.count, y.count, group.count)
        let step = max(1, n / maxPoints)
        let xs = x.prefix(n), ys = y.prefix(n)
        let (minX, maxX) = (xs.min() ?? 0, xs.max() ?? 1), (minY, maxY) = (ys.min() ?? 0, ys.max() ?? 1)
        func sx(_ v: Double) -> Double { pad + (width - 2 * pad) * (maxX > minX ? (v - minX) / (maxX - minX) : 0.5) }
        func sy(_ v: Double) -> Double { height - pad - (height - 2 * pad) * (maxY > minY ? (v - minY) / (maxY - minY) : 0.5) }
        var points = [[String: Any]]()
        for i in stride(from: 0, to: n, by: step) {
            points.append(["cx": fmt(sx(x[i])), "cy": fmt(sy(y[i])), "color": palette[abs(group[i]) % palette.count]])
        }
        let groups = Array(Set(group.prefix(n))).sorted().enumerated().map { i, g in
            ["label": "cluster \(g + 1)", "color": palette[abs(g) % palette.count], "y": fmt(16 + Double(i) * 16), "textY": fmt(20 + Double(i) * 16)]
        }
        return ["points": points, "legend": groups, "width": fmt(width), "height": fmt(height), "left": fmt(pad),
                "right": fmt(width - pad), "bottom": fmt(height - pad), "top": fmt(pad), "hasPoints": !points.isEmpty,
                "legendX": fmt(width - 110), "legendTextX": fmt(width - 96)]
    }

    /// A funnel: centred bars narrowing with each step, labelled with counts and step conversion.
    public static func funnel(_ steps: [(label: String, value: Double)]) -> [String: Any] {
        let width = 560.0, rowHeight = 40.0
        let largest = max(steps.map(\.value).max() ?? 0, 1e-12)
        var rows = [[String: Any]]()
        for (i, step) in steps.enumerated() {
            let w = max(step.value / largest * (width - 200), 2)
            let conversion = i == 0 || steps[i - 1].value == 0 ? "" : String(format: " (%.0f%%)", step.value / steps[i - 1].value * 100)
            rows.append(["label": shorten(step.label, 24), "x": fmt(130 + (width - 200 - w) / 2), "y": fmt(8 + Double(i) * rowHeight),
                         "width": fmt(w), "textY": fmt(8 + Double(i) * rowHeight + 24), "value": fmt(step.value) + conversion,
                         "color": palette[i % palette.count], "valueX": fmt(width - 60)])
        }
        return ["rows": rows, "height": fmt(16 + Double(steps.count) * rowHeight), "width": fmt(width), "hasRows": !rows.isEmpty]
    }
}
