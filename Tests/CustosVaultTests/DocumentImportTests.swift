import CustosCrypto
import CustosSchema
@testable import CustosVault
import Foundation
import XCTest

/// Issue 19: a consent import was quadratic in records per customer (each record re-read the
/// customer's whole ledger to find the next id; 4,000 records for one customer took 32 s) and stored
/// identical records again. Counted in store operations, not time.
final class DocumentImportTests: XCTestCase {
    func fixture() throws -> (VaultFixture, CountingRecordStore, Vault, [SubjectID]) {
        let f = try VaultFixture()
        _ = try f.vault.ingest((0..<5).map { f.row($0 + 2, id: "c\($0)", email: nil, amount: 100, note: "n") },
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        let subjects = try (0..<5).map { try XCTUnwrap(try f.vault.subject(column: "customer_id", normalizedValue: "c\($0)")) }
        let counting = CountingRecordStore(f.store)
        return (f, counting, try Vault(store: counting, keys: f.keys, authority: f.authority), subjects)
    }

    func testFourThousandRecordsForOneCustomerReadTheLedgerOnceInOneTransaction() throws {
        let (f, store, vault, subjects) = try fixture()
        let one = subjects[0]
        let documents = (0..<4_000).map { (subject: one, bytes: Array("consent \($0)".utf8)) }
        let stored = try vault.appendDocuments(documents, kind: "consent")
        XCTAssertEqual(stored.appended, 4_000)
        XCTAssertEqual(stored.duplicates, 0)
        XCTAssertEqual(store.count("documents(subject:)"), 1, "the ledger is read once, not once per record")
        XCTAssertEqual(store.count("write"), 1, "one transaction: all or nothing")
        XCTAssertEqual(store.count("putDocument"), 4_000)
        let held = try XCTUnwrap(try f.vault.documents(kind: "consent", grant: f.grant())[one])
        XCTAssertEqual(held.count, 4_000)
        XCTAssertEqual(held.first.map { String(decoding: $0, as: UTF8.self) }, "consent 0")
        XCTAssertEqual(held.last.map { String(decoding: $0, as: UTF8.self) }, "consent 3999", "in file order, ids 1...4000")

        // Twice as many records costs the same number of reads: the work is linear in records.
        store.reset()
        let more = (4_000..<12_000).map { (subject: one, bytes: Array("consent \($0)".utf8)) }
        XCTAssertEqual(try vault.appendDocuments(more, kind: "consent").appended, 8_000)
        XCTAssertEqual(store.count("documents(subject:)"), 1)
        XCTAssertEqual(store.count("write"), 1)
        XCTAssertEqual(try f.store.documents(subject: one, kind: "consent").map(\.id), Array(1...12_000))
    }

    func testRecordsSpreadOverCustomersReadEachLedgerOnce() throws {
        let (_, store, vault, subjects) = try fixture()
        let documents = (0..<1_000).map { (subject: subjects[$0 % 5], bytes: Array("r\($0)".utf8)) }
        XCTAssertEqual(try vault.appendDocuments(documents, kind: "consent").appended, 1_000)
        XCTAssertEqual(store.count("documents(subject:)"), 5)
        XCTAssertEqual(store.count("write"), 1)
    }

    func testIdenticalRecordsAreStoredOnceAndCounted() throws {
        let (f, store, vault, subjects) = try fixture()
        let a = subjects[0], b = subjects[1]
        let first = try vault.appendDocuments([(a, Array("grant".utf8)), (a, Array("grant".utf8)), (b, Array("grant".utf8))], kind: "consent")
        XCTAssertEqual(first.appended, 2, "the same bytes for two customers are two records")
        XCTAssertEqual(first.duplicates, 1)
        // Importing the same export again stores nothing new.
        let again = try vault.appendDocuments([(a, Array("grant".utf8)), (b, Array("grant".utf8)), (b, Array("withdraw".utf8))], kind: "consent")
        XCTAssertEqual(again.appended, 1)
        XCTAssertEqual(again.duplicates, 2)
        let held = try f.vault.documents(kind: "consent", grant: f.grant())
        XCTAssertEqual(held[a]?.count, 1)
        XCTAssertEqual(held[b]?.map { String(decoding: $0, as: UTF8.self) }, ["grant", "withdraw"])
        XCTAssertEqual(store.count("putDocument"), 3)
    }

    func testAnImportWithAnErasedCustomerStoresNothing() throws {
        let (f, store, vault, subjects) = try fixture()
        try f.vault.erase(subject: subjects[1], requestDigest: "sha256:r")
        XCTAssertThrowsError(try vault.appendDocuments([(subjects[0], Array("a".utf8)), (subjects[1], Array("b".utf8))], kind: "consent")) { error in
            XCTAssertEqual(error as? VaultError, .dataKeyMissing)
        }
        XCTAssertEqual(store.count("putDocument"), 0)
        XCTAssertTrue(try f.store.documents(subject: subjects[0], kind: "consent").isEmpty)
    }
}
