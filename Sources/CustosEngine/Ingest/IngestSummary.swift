import CustosVault
/// Human-readable lines for an ingest report (counts and reasons only, never values): what `custos ingest`
/// prints, in this process or from the service's report.
public enum IngestSummary {
    public static func text(_ report: IngestReport) -> String {
        let o = report.outcome
        return text(dataset: report.dataset, file: report.file, rowsRead: o.rowsRead, rowsAdded: o.rowsAdded, duplicates: o.duplicates,
                    newSubjects: o.newSubjects, subjectsTouched: o.subjectsTouched, mergedSubjects: o.mergedSubjects,
                    outOfBounds: report.outOfBounds, skipped: report.skipped.map(\.description))
    }

    /// The same lines from the report's counts (the CLI renders the service's JSON report with them,
    /// naming the file as the user gave it rather than the service's spool file).
    public static func text(dataset: String, file: String, rowsRead: Int, rowsAdded: Int, duplicates: Int, newSubjects: Int,
                            subjectsTouched: Int, mergedSubjects: Int, outOfBounds: [String: Int], skipped: [String]) -> String {
        var lines = [
            "\(dataset) <- \(file): \(rowsRead) rows read, \(rowsAdded) stored, \(duplicates) duplicates skipped, "
                + "\(newSubjects) new subjects, \(subjectsTouched) subjects touched"
                + (mergedSubjects > 0 ? ", \(mergedSubjects) subjects merged by identity resolution" : ""),
        ]
        for (column, count) in outOfBounds.sorted(by: { $0.key < $1.key }) {
            lines.append("  flagged: \(count) values of '\(column)' outside the declared bounds (kept; clamped in DP jobs)")
        }
        if !skipped.isEmpty {
            lines.append("  skipped \(skipped.count) invalid rows:")
            lines += skipped.prefix(20).map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
