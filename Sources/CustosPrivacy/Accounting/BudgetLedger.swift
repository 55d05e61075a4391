import Foundation

/// Whose budget: a principal's spending on one dataset in one accounting period.
public struct BudgetAccount: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The analyst or service account.
    public let principal: String
    /// The dataset the budget protects.
    public let dataset: String
    /// The accounting period, for example "2025-Q3".
    public let period: String

    /// An account key.
    public init(principal: String, dataset: String, period: String) {
        self.principal = principal
        self.dataset = dataset
        self.period = period
    }

    /// "principal/dataset/period".
    public var description: String { "\(principal)/\(dataset)/\(period)" }
}

/// A held reservation: budget set aside for one job before it reads a row.
public struct BudgetReservation: Sendable, Hashable, Codable {
    /// Unique id of the reservation.
    public let id: UUID
    /// The account charged.
    public let account: BudgetAccount
    /// The job's whole declared cost.
    public let cost: PrivacyCost

    /// A reservation record (ledgers create these).
    public init(id: UUID = UUID(), account: BudgetAccount, cost: PrivacyCost) {
        self.id = id
        self.account = account
        self.cost = cost
    }
}

/// What an account has used: committed spending and reservations still held.
public struct BudgetUsage: Sendable, Hashable, Codable {
    /// Spending of finished jobs.
    public let committed: PrivacyCost
    /// Reservations of running jobs.
    public let outstanding: PrivacyCost
    /// Both together: what counts against the limit.
    public var total: PrivacyCost { committed + outstanding }
}

/// The privacy budget accountant. Reservation is atomic: two jobs racing for the last of a budget
/// can never both get it. The engine implements a store-backed ledger; ``InMemoryBudgetLedger``
/// is the reference implementation.
public protocol BudgetLedger: Sendable {
    /// Atomically sets aside `cost` for `account` if committed + outstanding + cost stays within `limit`.
    /// - Throws: ``PrivacyError/limitReached(account:requested:alreadyCharged:)`` otherwise.
    func reserve(_ cost: PrivacyCost, for account: BudgetAccount, limit: PrivacyBudget) throws -> BudgetReservation
    /// Turns a reservation into committed spending (the whole reserved cost is charged).
    func commit(_ reservation: BudgetReservation) throws
    /// Returns a reservation unused (only for a job that read no data).
    func release(_ reservation: BudgetReservation) throws
    /// The account's usage.
    func usage(for account: BudgetAccount) throws -> BudgetUsage
}

/// A thread-safe, in-memory ``BudgetLedger``.
public final class InMemoryBudgetLedger: BudgetLedger, @unchecked Sendable {
    private struct Entry {
        var committed: [PrivacyCost] = []
        var outstanding: [UUID: PrivacyCost] = [:]
        var usage: BudgetUsage {
            BudgetUsage(
                committed: PrivacyCost.composed(committed),
                outstanding: PrivacyCost.composed(outstanding.keys.sorted { $0.uuidString < $1.uuidString }
                    .compactMap { outstanding[$0] }))
        }
    }
    private var entries: [BudgetAccount: Entry] = [:]
    private let lock = NSLock()

    /// An empty ledger.
    public init() {}

    public func reserve(_ cost: PrivacyCost, for account: BudgetAccount, limit: PrivacyBudget) throws -> BudgetReservation {
        guard cost.isValid else { throw PrivacyError.invalidParameter("a reservation needs a finite, non-negative cost") }
        return try lock.withLock {
            var entry = entries[account] ?? Entry()
            let current = entry.usage.total
            guard limit.admits(current + cost) else {
                throw PrivacyError.limitReached(account: account.description, requested: cost, alreadyCharged: current)
            }
            let reservation = BudgetReservation(account: account, cost: cost)
            entry.outstanding[reservation.id] = cost
            entries[account] = entry
            return reservation
        }
    }

    public func commit(_ reservation: BudgetReservation) throws {
        try lock.withLock {
            guard var entry = entries[reservation.account], let cost = entry.outstanding.removeValue(forKey: reservation.id)
            else { throw PrivacyError.unknownReservation }
            entry.committed.append(cost)
            entries[reservation.account] = entry
        }
    }

    public func release(_ reservation: BudgetReservation) throws {
        try lock.withLock {
            guard var entry = entries[reservation.account], entry.outstanding.removeValue(forKey: reservation.id) != nil
            else { throw PrivacyError.unknownReservation }
            entries[reservation.account] = entry
        }
    }

    public func usage(for account: BudgetAccount) throws -> BudgetUsage {
        lock.withLock { (entries[account] ?? Entry()).usage }
    }
}
