import Foundation

/// Short text summaries of the compliance reports, for a terminal or a `text/plain` API answer. The engine renders reports as
/// JSON or HTML; the summary reads the JSON form, so it shows exactly what the full report holds.
public enum ReportSummary {
    /// The audit report in a dozen lines: period, verification, accesses, denials, budget, requests.
    public static func audit(json text: String, footer: String = "full report: --format html (or --output report.html); --format json for machines") throws -> String {
        let report = try decode(AuditReportDocument.self, from: text)
        var lines = ["\(report.title)",
                     "  period: \(report.firstEntryTime ?? "no entries") .. \(report.lastEntryTime ?? "-") (\(report.entryCount) entries)"]
        if let v = report.verification {
            lines.append("  log: " + (v.valid ? "verified" : "VERIFICATION FAILED")
                + " (\(v.entryCount) entries, \(v.checkpointCount) signed checkpoints)")
            lines += v.problems.map { "    problem: \($0)" }
        }
        lines.append("  accesses: \(report.accesses.total)" + counts(report.accesses.byPrincipal, "by principal"))
        lines.append("  denials: \(report.denials.total)")
        lines += report.denials.byReason.prefix(5).map { "    \($0.count)× \($0.key)" }
        if report.denials.byReason.count > 5 { lines.append("    … \(report.denials.byReason.count - 5) more reasons") }
        let budget = report.privacyBudget.totals
        lines.append("  privacy budget: " + (budget.isEmpty ? "none spent"
            : budget.map { "\($0.actor) on \($0.dataset) ε \($0.epsilon) (\($0.jobs) jobs)" }.joined(separator: ", ")))
        let overdue = report.subjectRequests.filter(\.overdue)
        lines.append("  data-subject requests: \(report.subjectRequests.count)" + (overdue.isEmpty ? "" : ", \(overdue.count) OVERDUE"))
        lines += overdue.map { "    \($0.requestID) \($0.type) due \($0.due ?? "-"), \($0.daysOverdue) days overdue" }
        lines.append(footer)
        return lines.joined(separator: "\n")
    }

    /// The record of processing activities: controller and one line per activity.
    public static func processing(json text: String, footer: String = "full record: --format html (or --output ropa.html); --format json for machines") throws -> String {
        let record = try decode(ProcessingRecordDocument.self, from: text)
        var lines = ["Record of processing activities (\(record.legalBasis)), generated \(record.generatedAt)",
                     "  controller: \(record.controller.name)",
                     "  activities: \(record.activities.count)"]
        lines += record.activities.map { "    \($0.purpose.key): \($0.purpose.name), \($0.purpose.lawfulBasis)" + ($0.crossBorder ? "  (cross-border)" : "") }
        lines.append(footer)
        return lines.joined(separator: "\n")
    }

    private static func counts(_ list: [AuditReportDocument.Count], _ label: String) -> String {
        list.isEmpty ? "" : " (\(label): " + list.prefix(5).map { "\($0.key) \($0.count)" }.joined(separator: ", ") + ")"
    }

    private static func kind(_ error: any Error) -> String { String(describing: type(of: error)) }

    private static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw EngineError.invalidRequest("could not summarise the report (\(Self.kind(error))); ask for the full report as JSON or HTML")
        }
    }
}

/// The fields of the audit report's JSON form the summary shows.
private struct AuditReportDocument: Decodable {
    struct Count: Decodable {
        let key: String
        let count: Int
    }
    struct Accesses: Decodable {
        let total: Int
        let byPrincipal: [Count]
    }
    struct Denials: Decodable {
        let total: Int
        let byReason: [Count]
    }
    struct Budget: Decodable {
        let actor: String
        let dataset: String
        let epsilon: String
        let jobs: Int
    }
    struct PrivacyBudget: Decodable { let totals: [Budget] }
    struct Request: Decodable {
        let requestID: String
        let type: String
        let due: String?
        let overdue: Bool
        let daysOverdue: Int
    }
    struct Verification: Decodable {
        let valid: Bool
        let entryCount: Int
        let checkpointCount: Int
        let problems: [String]
    }
    let title: String
    let entryCount: Int
    let firstEntryTime: String?
    let lastEntryTime: String?
    let accesses: Accesses
    let denials: Denials
    let privacyBudget: PrivacyBudget
    let subjectRequests: [Request]
    let verification: Verification?
}

/// The fields of the record of processing activities' JSON form the summary shows.
private struct ProcessingRecordDocument: Decodable {
    struct Controller: Decodable { let name: String }
    struct Purpose: Decodable {
        let key: String
        let name: String
        let lawfulBasis: String
        enum CodingKeys: String, CodingKey {
            case key, name
            case lawfulBasis = "lawful_basis"
        }
    }
    struct Activity: Decodable {
        let purpose: Purpose
        let crossBorder: Bool
        enum CodingKeys: String, CodingKey {
            case purpose
            case crossBorder = "cross_border"
        }
    }
    let controller: Controller
    let activities: [Activity]
    let legalBasis: String
    let generatedAt: String
    enum CodingKeys: String, CodingKey {
        case controller, activities
        case legalBasis = "legal_basis"
        case generatedAt = "generated_at"
    }
}
