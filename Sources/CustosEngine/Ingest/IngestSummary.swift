import CustosVault
/// Human-readable lines for an ingest report (counts and reasons only, never values).
public enum IngestSummary {
    public static func text(_ report: IngestReport) -> String {
        let o = report.outcome
        var lines = [
            "\(report.dataset) <- \(report.file): \(o.rowsRead) rows read, \(o.rowsAdded) stored, \(o.duplicates) duplicates skipped, "
                + "\(o.newSubjects) new subjects, \(o.subjectsTouched) subjects touched"
                + (o.mergedSubjects > 0 ? ", \(o.mergedSubjects) subjects merged by identity resolution" : ""),
        ]
        for (column, count) in report.outOfBounds.sorted(by: { $0.key < $1.key }) {
            lines.append("  flagged: \(count) values of '\(column)' outside the declared bounds (kept; clamped in DP jobs)")
        }
        if !report.skipped.isEmpty {
            lines.append("  skipped \(report.skipped.count) invalid rows:")
            lines += report.skipped.prefix(20).map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
