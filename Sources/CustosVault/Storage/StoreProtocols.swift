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
public struct LedgerAccount: Sendable, Equatable {
    public enum Holder: Sendable, Equatable {
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

/// Why a reservation was refused: the first account it would have taken past its limit.
public struct LedgerRefusal: Sendable {
    public let account: LedgerAccount
    /// What the account had spent before this job.
    public let spent: LedgerCost
}


/// The privacy-budget ledger: per-principal and population accounts, charged all or nothing.
public protocol BudgetLedgerStore: Sendable {
    /// Atomically charges `cost` to every account unless `admits` refuses the total any account
    /// would reach; then nothing is charged and the first refusing account is returned.
    func reserveBudget(jobID: String, accounts: [LedgerAccount], cost: LedgerCost, at: Int64,
                       admits: (_ total: LedgerCost, _ account: LedgerAccount) -> Bool) throws -> LedgerRefusal?
    /// Marks a job's reservation as spent (never refunded).
    func settleBudget(jobID: String) throws
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
