import CustosAudit
import CustosVault
import Foundation

/// The privacy budget as the signed audit log records it: every reservation is a `budget.reserve`
/// entry, and their sums per account are what the ledger in `data/vault.sqlite` must at least hold.
///
/// Why: the ledger is a table anyone with file access can edit (`UPDATE budget_ledger SET epsilon=0`),
/// truncate or replace with an older copy, while the log is append-only, signed and anchored. A
/// ledger that holds less than the log records was reset; one whose totals disagree with its own
/// charges was edited. Either refuses DP jobs. A ledger that holds more is accepted: a crash between
/// the store's commit and the log entry leaves exactly that, and it only errs on the safe side.
///
/// The log is read once per engine (lazily, at the first reservation); the engine holds the log's
/// writer lock, so afterwards every new reservation passes through `add`. Charges are keyed by job id,
/// so a reservation seen both by the scan and by `add` counts once.
final class AuditedBudget: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private let lock = NSLock()
    private var loaded = false
    private var charges: [String: Charge] = [:]
    private var released: Set<String> = []
    private var totals: [LedgerAccount: LedgerCost] = [:]
    /// DP jobs of this engine between their reservation and their end: never released.
    private var inFlight: Set<String> = []

    /// One reservation as recorded in the log.
    struct Charge: Equatable {
        let jobID: String
        let accounts: [LedgerAccount]
        let cost: LedgerCost
    }

    /// Per-account sums of every reservation in the log, reading the log the first time.
    func totals(log: AuditLog) throws -> [LedgerAccount: LedgerCost] {
        lock.lock()
        defer { lock.unlock() }
        if !loaded {
            let needle = Array(#""action":"budget.re"#.utf8)  // budget.reserve and budget.release
            try AuditLogReader(directory: log.directory).forEachLine(limit: log.size) { (location, line) throws(AuditError) in
                guard Self.contains(line, needle) else { return true }
                let entry = try AuditEntry(line: line.assumingMemoryBound(to: UInt8.self), location: location.description)
                if let charge = Charge(entry) { addLocked(charge) }
                if entry.action == .budgetRelease, let jobID = entry.jobID { releaseLocked(jobID) }
                return true
            }
            loaded = true
        }
        return totals
    }

    /// Whether `line` contains `needle` (a cheap filter before decoding an entry).
    static func contains(_ line: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard line.count >= needle.count, let first = needle.first else { return false }
        var i = 0
        while i <= line.count - needle.count {
            if line[i] == first {
                var j = 1
                while j < needle.count, line[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// Counts a reservation just written to the log.
    func add(_ charge: Charge) {
        lock.lock()
        defer { lock.unlock() }
        addLocked(charge)
    }

    private func addLocked(_ charge: Charge) {
        guard charges[charge.jobID] == nil else { return }
        charges[charge.jobID] = charge
        for account in charge.accounts { totals[account] = (totals[account] ?? LedgerCost()) + charge.cost }
    }

    /// Counts a release just written to the log (a job the log never saw reserve is ignored: its
    /// reservation never reached the log, so the logged totals never held it).
    func release(_ jobID: String) {
        lock.lock()
        defer { lock.unlock() }
        releaseLocked(jobID)
    }

    private func releaseLocked(_ jobID: String) {
        guard let charge = charges[jobID], released.insert(jobID).inserted else { return }
        let negative = LedgerCost(epsilon: -charge.cost.epsilon, delta: -charge.cost.delta, rho: -charge.cost.rho)
        for account in charge.accounts { totals[account] = (totals[account] ?? LedgerCost()) + negative }
    }

    /// Marks a DP job as running in this engine (before its reservation) until `end`.
    func begin(_ jobID: String) {
        lock.lock()
        defer { lock.unlock() }
        inFlight.insert(jobID)
    }

    func end(_ jobID: String) {
        lock.lock()
        defer { lock.unlock() }
        inFlight.remove(jobID)
    }

    /// Runs `body` with the jobs in flight while no other job can begin, so none can reserve
    /// between the snapshot and what `body` does with it.
    func withJobsInFlight<T>(_ body: (Set<String>) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(inFlight)
    }

    /// What is wrong with the stored ledger, or nil when it holds at least what the log records and
    /// its totals agree with its charges.
    static func inconsistency(stored: LedgerState, logged: [LedgerAccount: LedgerCost]) -> String? {
        var problems: [String] = []
        for (account, recorded) in logged.sorted(by: { describe($0.key) < describe($1.key) }) {
            let total = stored.totals[account] ?? LedgerCost()
            let charged = stored.charges[account] ?? LedgerCost()
            if isBelow(total, recorded) {
                problems.append("\(describe(account)) holds \(show(total)) but the audit log records \(show(recorded)) reserved")
            } else if isBelow(charged, recorded) {
                problems.append("the charges of \(describe(account)) add up to \(show(charged)) but the audit log records \(show(recorded)) reserved")
            }
        }
        let accounts = Set(stored.totals.keys).union(stored.charges.keys)
        for account in accounts.sorted(by: { describe($0) < describe($1) }) {
            let total = stored.totals[account] ?? LedgerCost(), charged = stored.charges[account] ?? LedgerCost()
            if isBelow(total, charged) || isBelow(charged, total), !problems.contains(where: { $0.contains(describe(account)) }) {
                problems.append("\(describe(account)) holds \(show(total)) but its charges add up to \(show(charged))")
            }
        }
        guard !problems.isEmpty else { return nil }
        let listed = problems.prefix(4).joined(separator: "; ") + (problems.count > 4 ? "; and \(problems.count - 4) more" : "")
        return "the privacy-budget ledger in data/vault.sqlite does not match the signed audit log (\(listed)); "
            + "it was edited, rows were deleted or an older copy of the store was restored, so no DP job runs. "
            + "Restore data/vault.sqlite from a copy that matches the audit log, or have a compliance officer run "
            + "`custos budget reconcile`, which raises the ledger back to what the log records (nothing is refunded)"
    }

    /// Whether `a` is below `b` in any component, beyond floating-point rounding of sums.
    static func isBelow(_ a: LedgerCost, _ b: LedgerCost) -> Bool {
        func below(_ x: Double, _ y: Double) -> Bool { x < y - (abs(y) * 1e-9 + 1e-12) }
        return below(a.epsilon, b.epsilon) || below(a.delta, b.delta) || below(a.rho, b.rho)
    }

    static func describe(_ account: LedgerAccount) -> String {
        switch account.holder {
        case let .principal(name, dataset): return "\(name)'s account on '\(dataset)' for \(account.period)"
        case .population: return "the population account for \(account.period)"
        }
    }

    static func show(_ cost: LedgerCost) -> String {
        "ε \(cost.epsilon)" + (cost.delta > 0 ? ", δ \(cost.delta)" : "") + (cost.rho > 0 ? ", ρ \(cost.rho)" : "")
    }
}

extension AuditedBudget.Charge {
    /// The `budget.reserve` entry recording this charge (exact costs as round-trip decimal text).
    func entry(time: Date, role: String, purpose: String, policyVersion: String) -> AuditEntry {
        var principal = "", dataset = ""
        var periods: [String] = [], population: [String] = []
        for account in accounts {
            switch account.holder {
            case let .principal(name, set):
                (principal, dataset) = (name, set)
                periods.append(account.period)
            case .population:
                population.append(account.period)
            }
        }
        return AuditEntry(time: time, actor: principal, role: role, action: .budgetReserve, purpose: purpose, dataset: dataset,
                          decision: .allow, reason: "cost reserved before any row is read", policyVersion: policyVersion,
                          epsilon: cost.epsilon, rho: cost.rho > 0 ? cost.rho : nil, jobID: jobID,
                          details: ["epsilon": String(cost.epsilon), "delta": String(cost.delta), "rho": String(cost.rho),
                                    "periods": periods.joined(separator: ","), "population_periods": population.joined(separator: ",")])
    }

    /// The `budget.release` entry for this charge, by `actor`.
    func releaseEntry(time: Date, actor: String, role: String, policyVersion: String) -> AuditEntry {
        AuditEntry(time: time, actor: actor, role: role, action: .budgetRelease, decision: .allow,
                   reason: "the job never started reading rows, so its reservation was taken back", policyVersion: policyVersion,
                   epsilon: cost.epsilon, rho: cost.rho > 0 ? cost.rho : nil, jobID: jobID,
                   details: ["epsilon": String(cost.epsilon), "delta": String(cost.delta), "rho": String(cost.rho),
                             "accounts": accounts.map(AuditedBudget.describe).joined(separator: "; ")])
    }

    /// Reads a charge back from its `budget.reserve` entry; nil for any other entry.
    init?(_ entry: AuditEntry) {
        guard entry.action == .budgetReserve, let jobID = entry.jobID,
              let epsilon = entry.details["epsilon"].flatMap(Double.init), let delta = entry.details["delta"].flatMap(Double.init),
              let rho = entry.details["rho"].flatMap(Double.init)
        else { return nil }
        func periods(_ key: String) -> [String] { (entry.details[key] ?? "").split(separator: ",").map(String.init) }
        let dataset = entry.dataset ?? ""
        self.init(jobID: jobID,
                  accounts: periods("periods").map { LedgerAccount(holder: .principal(entry.actor, dataset: dataset), period: $0) }
                      + periods("population_periods").map { LedgerAccount(holder: .population, period: $0) },
                  cost: LedgerCost(epsilon: epsilon, delta: delta, rho: rho))
    }
}
