import Foundation

// The store's concerns, each behind its own protocol (records: `RecordStore`). `SQLiteRecordStore` implements all of them;
// the engine sees only these protocols (through `Workspace`), which is the seam another backend
// (PostgreSQL) plugs into.

/// A privacy cost as the ledger keeps it: pure epsilon, delta and zCDP rho, each summed.
public struct LedgerCost: Sendable, Equatable {
    public var epsilon: Double
    public var delta: Double
    public var rho: Double
    public init(epsilon: Double = 0, delta: Double = 0, rho: Double = 0) {
        self.epsilon = epsilon
        self.delta = delta
        self.rho = rho
    }
    public static func + (a: LedgerCost, b: LedgerCost) -> LedgerCost {
        LedgerCost(epsilon: a.epsilon + b.epsilon, delta: a.delta + b.delta, rho: a.rho + b.rho)
    }
}

/// One budget account a job is charged to: whose (a principal on one dataset, or the whole
/// population of the workspace) and which period (`month:2026-11`, or `lifetime`).
public struct LedgerAccount: Sendable, Hashable {
    public enum Holder: Sendable, Hashable {
        case principal(String, dataset: String)
        case population
    }
    public let holder: Holder
    public let period: String
    public init(holder: Holder, period: String) {
        self.holder = holder
        self.period = period
    }
}

/// Why a reservation was refused: the first account it would have taken past its limit, or a
/// ledger that failed the caller's consistency check (then `inconsistency` says what was found).
public struct LedgerRefusal: Sendable {
    public let account: LedgerAccount
    /// What the account had spent before this job.
    public let spent: LedgerCost
    /// Set when the ledger itself failed the check before any limit was looked at.
    public let inconsistency: String?

    public init(account: LedgerAccount, spent: LedgerCost, inconsistency: String? = nil) {
        self.account = account
        self.spent = spent
        self.inconsistency = inconsistency
    }
}

/// The ledger as stored, per account: the running totals the limits are checked against, and the
/// sums of the individual charges behind them. Both only grow, and they agree unless someone edited
/// the store.
public struct LedgerState: Sendable {
    public var totals: [LedgerAccount: LedgerCost]
    /// Sums of the charges that count (every state but `released`).
    public var charges: [LedgerAccount: LedgerCost]
    /// The part of `charges` whose job has not settled yet (reserved, or reading rows).
    public var unsettled: [LedgerAccount: LedgerCost]

    public init(totals: [LedgerAccount: LedgerCost] = [:], charges: [LedgerAccount: LedgerCost] = [:],
                unsettled: [LedgerAccount: LedgerCost] = [:]) {
        self.totals = totals
        self.charges = charges
        self.unsettled = unsettled
    }
}

/// A reservation taken back: the job that held it never started reading.
public struct ReleasedReservation: Sendable, Equatable {
    public let jobID: String
    public let accounts: [LedgerAccount]
    public let cost: LedgerCost
    public init(jobID: String, accounts: [LedgerAccount], cost: LedgerCost) {
        self.jobID = jobID
        self.accounts = accounts
        self.cost = cost
    }
}


/// The privacy-budget ledger: per-principal and population accounts, charged all or nothing.
public protocol BudgetLedgerStore: Sendable {
    /// Atomically charges `cost` to every account unless `verify` finds the stored ledger inconsistent
    /// (it sees the state inside the same transaction and returns what it found) or `admits` refuses
    /// the total any account would reach; then nothing is charged and the refusal is returned.
    func reserveBudget(jobID: String, accounts: [LedgerAccount], cost: LedgerCost, at: Int64,
                       verify: ((LedgerState) -> String?)?,
                       admits: (_ total: LedgerCost, _ account: LedgerAccount) -> Bool) throws -> LedgerRefusal?
    /// The stored ledger: totals and charge sums per account.
    func ledgerState() throws -> LedgerState
    /// Raises each account to at least `targets[account]` (per component; never lowers anything) and
    /// adds a charge `reference/<period>` so that its charges add up to its total again. Returns the
    /// accounts changed, with their totals before and after.
    func raiseLedger(to targets: [LedgerAccount: LedgerCost], reference: String, at: Int64) throws
        -> [(account: LedgerAccount, before: LedgerCost, after: LedgerCost)]
    /// Marks a job's reservation as spent (never refunded).
    func settleBudget(jobID: String) throws
    /// Marks a job's reservation as reading rows: from then on it can never be released.
    func markReading(jobID: String) throws
    /// Takes back every reservation still only reserved (its job never started reading), except
    /// those of `inFlight` jobs, subtracting each from its accounts. Returns what was released.
    func releaseUnreadReservations(excluding inFlight: Set<String>) throws -> [ReleasedReservation]
    /// Spend per principal, dataset and period.
    func budgetLedger() throws -> [(principal: String, dataset: String, period: String, epsilon: Double, delta: Double, rho: Double)]
    /// Spend of the population account per period (and `lifetime`).
    func populationLedger() throws -> [(period: String, cost: LedgerCost)]
}

/// Workspace settings (workspace id, policy version, audit anchor).
public protocol SettingsStore: Sendable {
    func setting(_ name: String) throws -> String?
    func setSetting(_ name: String, _ value: String) throws
}

/// Registers of sealed records (data-subject requests, verification ledgers, artefacts): a public
/// summary beside a sealed body.
public protocol RegisterStore: Sendable {
    func putRegisterRecord(kind: String, id: String, summary: String, sealed: [UInt8]) throws
    func registerRecord(kind: String, id: String) throws -> [UInt8]?
    func registerRecords(kind: String) throws -> [(id: String, summary: String, sealed: [UInt8])]
}

extension SQLiteRecordStore: BudgetLedgerStore, SettingsStore, RegisterStore {}

extension BudgetLedgerStore {
    /// Reserves without a consistency check (tools and tests that seed a ledger).
    public func reserveBudget(jobID: String, accounts: [LedgerAccount], cost: LedgerCost, at: Int64,
                              admits: (_ total: LedgerCost, _ account: LedgerAccount) -> Bool) throws -> LedgerRefusal? {
        try reserveBudget(jobID: jobID, accounts: accounts, cost: cost, at: at, verify: nil, admits: admits)
    }
}
