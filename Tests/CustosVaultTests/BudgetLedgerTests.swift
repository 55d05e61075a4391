import CustosVault
import Foundation
import Synchronization
import XCTest

/// The vault's privacy-budget ledger, the one budget account concept: reservations are atomic, so
/// concurrent jobs never overspend an account. (These assertions moved here from CustosPrivacy's
/// former in-memory ledger, which nothing but its tests used.)
final class BudgetLedgerTests: XCTestCase {
    typealias Account = LedgerAccount

    static func admits(limit: Double) -> (LedgerCost, Account) -> Bool { { total, _ in total.epsilon <= limit + 1e-9 } }

    func testLedgerNeverOverspendsUnderSixtyFourConcurrentReservations() throws {
        let fixture = try VaultFixture()
        let store: any BudgetLedgerStore = fixture.store
        let account = Account(holder: .principal("analyst-1", dataset: "orders"), period: "2025-Q3")
        let granted = LockedCounter()
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            do {
                let refusal = try store.reserveBudget(jobID: "job-\(i)", accounts: [account], cost: .init(epsilon: 0.25), at: 0) { total, _ in
                    total.epsilon <= 10 + 1e-9
                }
                if refusal == nil { granted.add(1) }
            } catch {
                failures.add(1)
            }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(granted.value, 40, "exactly 10 / 0.25 reservations fit")
        let spent = try XCTUnwrap(try store.budgetLedger().first { $0.principal == "analyst-1" })
        XCTAssertEqual(spent.epsilon, 10, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(spent.epsilon, 10 + 1e-9)
    }

    func testARefusalNamesTheAccountAndWhatItHadSpentAndChargesNothing() throws {
        let store: any BudgetLedgerStore = try VaultFixture().store
        let account = Account(holder: .principal("p", dataset: "d"), period: "2025-07")
        XCTAssertNil(try store.reserveBudget(jobID: "a", accounts: [account], cost: .init(epsilon: 0.6), at: 0, admits: Self.admits(limit: 1)))
        let refusal = try XCTUnwrap(try store.reserveBudget(jobID: "b", accounts: [account], cost: .init(epsilon: 0.6), at: 0,
                                                            admits: Self.admits(limit: 1)))
        XCTAssertEqual(refusal.account, account)
        XCTAssertEqual(refusal.spent, .init(epsilon: 0.6))
        XCTAssertEqual(try store.budgetLedger().map(\.epsilon), [0.6], "the refused job charged nothing")
        // Another period is another account.
        let other = Account(holder: .principal("p", dataset: "d"), period: "2025-08")
        XCTAssertNil(try store.reserveBudget(jobID: "c", accounts: [other], cost: .init(epsilon: 1), at: 0, admits: Self.admits(limit: 1)))
    }
}

/// A counter shared by concurrent test workers.
final class LockedCounter: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int) { count.withLock { $0 += n } }
    var value: Int { count.withLock { $0 } }
}
