import CustosEngine
import Foundation
import Hummingbird

/// The privacy budget: the statement (every principal, dataset and period), releasing reservations
/// of jobs that died before reading, and reconciling a ledger with the audit log.
struct BudgetRoutes: RouteGroup {
    let service: CustosService

    struct Lines: Codable { let lines: [String] }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get("budget") { request, context in
            _ = try context.requireIdentity()
            let engine = service.engine
            let statement = try await service.blocking { try engine.reports.budgetStatement() }
            if Reply.representation(request.headers[.accept]) == .text { return Reply.text(statement + "\n") }
            return try Reply.json(Lines(lines: statement.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)))
        }
        group.post("budget/release") { _, context in
            let caller = try context.requireIdentity().caller
            let engine = service.engine
            return try Reply.json(Lines(lines: try await service.blocking { try engine.jobs.releaseUnreadReservations(actor: caller) }))
        }
        group.post("budget/reconcile") { _, context in
            let caller = try context.requireIdentity().caller
            let engine = service.engine
            return try Reply.json(Lines(lines: try await service.blocking { try engine.jobs.reconcileLedger(actor: caller) }))
        }
    }
}
