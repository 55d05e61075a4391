import CustosAudit
import CustosGovernance
import CustosSchema
import CustosVault
import Foundation

/// Reports for compliance officers: the audit report, the budget statement, the record of processing.
public struct ReportService: EngineService {
    package let context: EngineContext

    /// The record of processing is built from the same processing information as an access report.
    var rights: RightsService { RightsService(context: context) }
}

extension ReportService {
    /// The compliance report over a period (days inclusive), as HTML or JSON, with the verification status.
    public func auditReport(from: String?, to: String?, format: String) throws -> String {
        try Self.auditReport(workspace, from: from, to: to, format: format, now: clock())
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
        let log = try Engine.readOnlyAudit(workspace)
        let verification = try log.verify()
        let entries = try log.entries(in: DateInterval(start: start, end: end))
        let report = AuditReport(entries: entries, asOf: now, verification: verification)
        switch format {
        case "json": return report.json()
        case "html": return try report.html()
        default: throw EngineError.invalidRequest("unknown format '\(format)'; use html or json")
        }
    }

    /// Privacy loss spent per principal, dataset and period beside the limits the policies set, and
    /// the population account: what every customer's total loss is, per period and over the
    /// workspace's lifetime, against `policies/privacy.yaml`.
    public func budgetStatement() throws -> String {
        let ledger = try workspace.ledger.budgetLedger()
        // Reserved: charged to jobs that have not finished (or died); spent: settled by a released result.
        let unsettled = try workspace.ledger.ledgerState().unsettled
        var lines: [String] = []
        if let population = policies.population {
            let spent = Dictionary(try workspace.ledger.populationLedger().map { ($0.period, $0.cost) }) { a, _ in a }
            let current = JobRunner.periodKey(population.period, clock())
            var rows: [[String]] = []
            for (period, epsilon, delta) in [(current, population.epsilonPerPeriod, population.deltaPerPeriod),
                                             ("lifetime", population.epsilonLifetime, population.deltaLifetime)] {
                let cost = spent[period] ?? LedgerCost()
                let reserved = unsettled[LedgerAccount(holder: .population, period: period)]?.epsilon ?? 0
                rows.append([period, String(format: "%.3f", cost.epsilon - reserved), String(format: "%.3f", reserved),
                             String(format: "%.3g", cost.delta), String(format: "%.3f", epsilon),
                             String(format: "%.3g", delta), String(format: "%.3f", max(0, epsilon - cost.epsilon)),
                             String(format: "%.3g", max(0, delta - cost.delta))])
            }
            lines.append("Population account (every customer, all principals and datasets together):")
            lines.append(TextTable.render(columns: ["period", "epsilon spent", "epsilon reserved", "delta spent", "epsilon limit", "delta limit", "epsilon left", "delta left"],
                                          rows: rows, limit: 1000))
            lines.append("Each customer's guarantee: \(population.summary).")
        } else {
            lines.append("No population budget is set (policies/privacy.yaml): no differentially private job can run.")
        }
        lines.append("")
        guard !ledger.isEmpty else { return (lines + ["no privacy budget spent by any principal yet"]).joined(separator: "\n") }
        var rows: [[String]] = []
        for entry in ledger {
            let roles = policies.principals[entry.principal]?.roles ?? []
            let budgets = policies.rules.filter { rule in
                rule.effect == .permit && roles.contains(where: rule.coversRole) && rule.coversDataset(entry.dataset)
                    && rule.budget?.period.rawValue == entry.period.split(separator: ":").first.map(String.init)
            }.compactMap(\.budget)
            let limit = budgets.compactMap(\.epsilonPerPeriod).min()
            let deltaLimit = budgets.contains { $0.deltaPerPeriod == nil } ? nil : budgets.compactMap(\.deltaPerPeriod).min()
            let reserved = unsettled[LedgerAccount(holder: .principal(entry.principal, dataset: entry.dataset), period: entry.period)]?.epsilon ?? 0
            rows.append([entry.principal, entry.dataset, entry.period, String(format: "%.3f", entry.epsilon - reserved), String(format: "%.3f", reserved),
                         limit.map { String(format: "%.3f", $0) } ?? "-", limit.map { String(format: "%.3f", max(0, $0 - entry.epsilon)) } ?? "-",
                         String(format: "%.3g", entry.delta), deltaLimit.map { String(format: "%.3g", $0) } ?? "none allowed"])
        }
        lines.append("Per principal and dataset:")
        lines.append(TextTable.render(columns: ["principal", "dataset", "period", "epsilon spent", "epsilon reserved", "limit", "remaining", "delta spent", "delta limit"],
                                      rows: rows, limit: 1000))
        lines.append("Reserved: charged to jobs that have not finished; a job that died before reading is released by `custos budget release`.")
        return lines.joined(separator: "\n")
    }
}
