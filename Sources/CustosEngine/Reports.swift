import CustosAudit
import CustosGovernance
import CustosSchema
import Foundation

extension Engine {
    /// The compliance report over a period (days inclusive), as HTML or JSON, with the verification status.
    public func auditReport(from: String?, to: String?, format: String) throws -> String {
        try Engine.auditReport(workspace, from: from, to: to, format: format, now: clock())
    }

    /// The compliance report, read-only: opens no writer, appends and signs nothing.
    public static func auditReport(_ workspace: Workspace, from: String?, to: String?, format: String,
                                   now: Date = Date()) throws -> String {
        func day(_ text: String?, end: Bool) throws -> Date? {
            guard let text else { return nil }
            guard let days = ValueParser.parseDate(text) else {
                throw EngineError.invalidRequest("'\(text)' is not a date; use YYYY-MM-DD")
            }
            return Date(timeIntervalSince1970: Double(days + (end ? 1 : 0)) * 86_400 - (end ? 0.001 : 0))
        }
        let start = try day(from, end: false) ?? Date(timeIntervalSince1970: 0)
        let end = try day(to, end: true) ?? Date(timeIntervalSince1970: 32_503_680_000)
        guard start <= end else { throw EngineError.invalidRequest("--from is after --to") }
        let log = try readOnlyAudit(workspace)
        let verification = try log.verify()
        let entries = try log.entries(in: DateInterval(start: start, end: end))
        let report = AuditReport(entries: entries, asOf: now, verification: verification)
        switch format {
        case "json": return report.json()
        case "html": return try report.html()
        default: throw EngineError.invalidRequest("unknown format '\(format)'; use html or json")
        }
    }

    /// Epsilon spent per principal, dataset and period, beside the period limit the policies set.
    public func budgetStatement() throws -> String {
        let ledger = try workspace.store.budgetLedger()
        guard !ledger.isEmpty else { return "no privacy budget spent yet" }
        var rows: [[String]] = []
        for entry in ledger {
            let roles = policies.principals.principal(entry.principal)?.roles ?? []
            let limits = policies.rules.filter { rule in
                rule.effect == .permit && roles.contains(where: rule.coversRole) && rule.coversDataset(entry.dataset)
                    && rule.budget?.period.rawValue == entry.period.split(separator: ":").first.map(String.init)
            }.compactMap { $0.budget?.epsilonPerPeriod }
            let limit = limits.min()
            rows.append([entry.principal, entry.dataset, entry.period, String(format: "%.3f", entry.epsilon),
                         limit.map { String(format: "%.3f", $0) } ?? "-", limit.map { String(format: "%.3f", max(0, $0 - entry.epsilon)) } ?? "-"])
        }
        return TextTable.render(columns: ["principal", "dataset", "period", "epsilon spent", "limit", "remaining"], rows: rows, limit: 1000)
    }
}
