import CustosAudit
import CustosEngine
import Foundation

extension CustosService {
    /// Reads what the gauges show from the engine at scrape time: audit entries written and, when the
    /// scraper's role may read the request register, data-subject requests open and overdue.
    func refreshGauges(as caller: Caller) async throws {
        let engine = engine
        let (auditSize, requests) = try await blocking {
            let register = try? engine.rights.requestRegister(actor: caller)
            let open = register?.filter { !["completed", "refused", "withdrawn"].contains($0.state) }
            return (engine.audit.size, open.map { ($0.count, $0.filter(\.overdue).count) })
        }
        metrics.set(gauge: "audit_entries", unit: "total", help: "Durable entries in the audit log", to: Double(auditSize))
        if let (open, overdue) = requests {
            metrics.set(gauge: "dsr_open", unit: "requests", help: "Data-subject requests not yet closed", to: Double(open))
            metrics.set(gauge: "dsr_overdue", unit: "requests", help: "Open data-subject requests past their due date", to: Double(overdue))
        }
    }
}
