import CustosCrypto
import CustosSchema
@testable import CustosVault
import Foundation
import GRDB
import XCTest

final class SubjectOperationTests: XCTestCase {
    func ingestTwo(_ f: VaultFixture) throws -> (SubjectID, SubjectID) {
        _ = try f.vault.ingest([f.row(2, id: "c1", email: "one@example.se", amount: 100, note: "old value"),
                                f.row(3, id: "c2", email: nil, amount: 200, note: "bystander")],
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        return (try XCTUnwrap(try f.vault.subject(column: "customer_id", normalizedValue: "c1")),
                try XCTUnwrap(try f.vault.subject(column: "customer_id", normalizedValue: "c2")))
    }

    func testDocumentsAreAppendOnlyAndSealedPerSubject() throws {
        let f = try VaultFixture()
        let (a, b) = try ingestTwo(f)
        try f.vault.appendDocument(Array("grant v1".utf8), kind: "consent", subject: a)
        try f.vault.appendDocument(Array("withdraw v1".utf8), kind: "consent", subject: a)
        try f.vault.appendDocument(Array("grant b".utf8), kind: "consent", subject: b)
        let all = try f.vault.documents(kind: "consent", grant: f.grant())
        XCTAssertEqual(all[a]?.map { String(decoding: $0, as: UTF8.self) }, ["grant v1", "withdraw v1"])
        XCTAssertEqual(all[b]?.count, 1)
        XCTAssertEqual(try f.vault.documents(kind: "consent", grant: f.grant(subject: b)).keys.sorted(), [b])
        XCTAssertThrowsError(try f.vault.documents(kind: "consent", grant: f.grant(authority: GrantAuthority())))
        // A document moved to another subject fails to open.
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE documents SET subject = ? WHERE subject = ? AND doc_id = 2", arguments: [Data(b.bytes), Data(a.bytes)])
        }
        XCTAssertThrowsError(try f.vault.documents(kind: "consent", grant: f.grant()))
    }

    func testErasureShredsRemovesAndLeavesATombstone() throws {
        let f = try VaultFixture()
        let (a, b) = try ingestTwo(f)
        try f.vault.appendDocument(Array("consent".utf8), kind: "consent", subject: a)
        let tombstone = try f.vault.erase(subject: a, requestDigest: "sha256:req-1")
        XCTAssertEqual(tombstone.blocks, 1)
        XCTAssertEqual(tombstone.datasets, ["orders"])
        XCTAssertNil(try f.vault.subject(column: "email", normalizedValue: "one@example.se"), "blind indexes removed")
        XCTAssertNil(try f.vault.subject(column: "customer_id", normalizedValue: "c1"))
        XCTAssertEqual(try f.readNotes().keys.sorted(), [b])
        XCTAssertEqual(try f.vault.documents(kind: "consent", grant: f.grant())[a], nil)
        XCTAssertEqual(try f.store.tombstones(), [tombstone])
        XCTAssertEqual(try f.store.allSubjects(), [b])
    }

    func testRectificationResealsUnderAFreshKeySoOldCopiesStayClosed() throws {
        let f = try VaultFixture()
        let (a, _) = try ingestTwo(f)
        try f.vault.appendDocument(Array("consent".utf8), kind: "consent", subject: a)
        try f.store.checkpoint()
        let backup = f.root.appendingPathComponent("before.sqlite")
        try FileManager.default.copyItem(at: f.root.appendingPathComponent("data/vault.sqlite"), to: backup)

        let rows = try f.vault.rectify(subject: a, dataset: VaultFixture.dataset, grant: f.grant(columns: ["note"], subject: a)) { rows in
            rows.map { row in var r = row; r[3] = .string("corrected value"); return r }
        }
        XCTAssertEqual(rows, 1)
        XCTAssertEqual(Set(try f.readNotes().values.flatMap { $0 }), ["corrected value", "bystander"])
        XCTAssertEqual(try f.vault.documents(kind: "consent", grant: f.grant(subject: a))[a]?.count, 1, "documents re-sealed too")
        XCTAssertEqual(try f.keys.pendingKeys().count, 0)

        // The pre-rectification backup next to today's keys: the old value does not open.
        let old = try Vault(store: try SQLiteRecordStore(path: backup.path), keys: f.keys, authority: f.authority)
        var notes: [String] = []
        XCTAssertThrowsError(try old.read(f.grant(), dataset: VaultFixture.dataset, columns: ["note"], subjects: [a]) { _, v in
            if case let .string(s) = v[0] { notes.append(s) }
        }) { XCTAssertTrue("\($0)".contains("failed authentication")) }
        XCTAssertEqual(notes, [], "the old value never comes out")
        XCTAssertThrowsError(try old.documents(kind: "consent", grant: f.grant(subject: a)), "old key gone: the old document fails to open")
    }

    func testRectificationNeedsASubjectScopedGrant() throws {
        let f = try VaultFixture()
        let (a, b) = try ingestTwo(f)
        XCTAssertThrowsError(try f.vault.rectify(subject: a, dataset: VaultFixture.dataset, grant: f.grant(subject: b)) { $0 })
        XCTAssertThrowsError(try f.vault.rectify(subject: a, dataset: VaultFixture.dataset, grant: f.grant()) { $0 })
    }

    func testInterruptedRectificationIsResolved() throws {
        let f = try VaultFixture()
        let (a, _) = try ingestTwo(f)
        // Crash after staging, before any record was re-sealed: the staged key is dropped.
        _ = try f.keys.stageReplacementKey(for: a)
        XCTAssertEqual(try f.vault.resolveInterruptedRectifications(), 1)
        XCTAssertEqual(try f.keys.pendingKeys().count, 0)
        XCTAssertEqual(try f.readNotes().count, 2)
    }
}
