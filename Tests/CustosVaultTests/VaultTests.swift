import CustosCrypto
import CustosSchema
@testable import CustosVault
import Foundation
import GRDB
import XCTest
import Synchronization

final class VaultTests: XCTestCase {
    func testIngestResolvesIdentitiesAndDeduplicates() throws {
        let f = try VaultFixture()
        let rows = [
            f.row(2, id: "c1", email: "a@example.se", amount: 100, note: "first"),
            f.row(3, id: "c1", email: nil, amount: 250, note: "second"),        // same id -> same subject
            f.row(4, id: nil, email: "a@example.se", amount: 300, note: "third"), // same email -> same subject
            f.row(5, id: "c2", email: "b@example.se", amount: 50, note: "other"),
            f.row(6, id: "c2", email: "b@example.se", amount: 50, note: "other"), // exact duplicate
        ]
        let outcome = try f.vault.ingest(rows, dataset: VaultFixture.dataset, sourceDigest: [1])
        XCTAssertEqual(outcome.rowsRead, 5)
        XCTAssertEqual(outcome.rowsAdded, 4)
        XCTAssertEqual(outcome.duplicates, 1)
        XCTAssertEqual(outcome.newSubjects, 2)
        let notes = try f.readNotes()
        XCTAssertEqual(notes.count, 2)
        XCTAssertEqual(Set(notes.values.map { Set($0) }), [Set(["first", "second", "third"]), Set(["other"])])

        // The same batch again adds nothing.
        let again = try f.vault.ingest(rows, dataset: VaultFixture.dataset, sourceDigest: [1])
        XCTAssertEqual(again.rowsAdded, 0)
        XCTAssertEqual(again.duplicates, 5)
        // A later row for a known identifier joins the existing subject.
        let later = try f.vault.ingest([f.row(9, id: "c1", email: nil, amount: 1, note: "later")], dataset: VaultFixture.dataset, sourceDigest: [2])
        XCTAssertEqual(later.newSubjects, 0)
        XCTAssertEqual(try f.readNotes().values.first { $0.contains("first") }?.count, 4)
        XCTAssertEqual(try f.vault.subject(column: "email", normalizedValue: "a@example.se"),
                       try f.vault.subject(column: "customer_id", normalizedValue: "c1"))
    }

    func testRowLinkingTwoKnownSubjectsMergesThem() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "x"),
                                f.row(3, id: nil, email: "z@example.se", amount: 2, note: "y")],
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        XCTAssertEqual(try f.readNotes().count, 2)
        XCTAssertEqual(try f.keys.dataKeyCount(), 2)
        let outcome = try f.vault.ingest([f.row(2, id: "c1", email: "z@example.se", amount: 3, note: "link")],
                                         dataset: VaultFixture.dataset, sourceDigest: [2])
        XCTAssertEqual(outcome.mergedSubjects, 1)
        let notes = try f.readNotes()
        XCTAssertEqual(notes.count, 1)
        XCTAssertEqual(Set(notes.values.first ?? []), ["x", "y", "link"])
        XCTAssertEqual(try f.keys.dataKeyCount(), 1, "the merged subject's key is destroyed")
    }

    func testCiphertextMovedToAnotherSubjectOrRowFailsToOpen() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "one"),
                                f.row(3, id: "c2", email: nil, amount: 2, note: "two")],
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        // Swap the sealed payloads of the two blocks: each now sits under the other's subject and id.
        try f.store.pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT block_id, sealed FROM blocks ORDER BY block_id")
            try db.execute(sql: "UPDATE blocks SET sealed = ? WHERE block_id = ?", arguments: [rows[1]["sealed"] as Data, rows[0]["block_id"] as Int64])
            try db.execute(sql: "UPDATE blocks SET sealed = ? WHERE block_id = ?", arguments: [rows[0]["sealed"] as Data, rows[1]["block_id"] as Int64])
        }
        XCTAssertThrowsError(try f.readNotes()) { error in
            guard case .integrityFailure = error as? VaultError else { return XCTFail("\(error)") }
            XCTAssertFalse("\(error)".contains("one") || "\(error)".contains("two"))
        }
    }

    func testMovedToSameSubjectOtherBlockIDFailsToo() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "one")], dataset: VaultFixture.dataset, sourceDigest: [1])
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 2, note: "two")], dataset: VaultFixture.dataset, sourceDigest: [2])
        try f.store.pool.write { db in
            let first = try Data.fetchOne(db, sql: "SELECT sealed FROM blocks ORDER BY block_id LIMIT 1")
            try db.execute(sql: "UPDATE blocks SET sealed = ? WHERE block_id = (SELECT MAX(block_id) FROM blocks)", arguments: [first])
        }
        XCTAssertThrowsError(try f.readNotes())
    }

    func testTamperedCiphertextIsDetected() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "one")], dataset: VaultFixture.dataset, sourceDigest: [1])
        try f.store.pool.write { db in
            var sealed = [UInt8](try Data.fetchOne(db, sql: "SELECT sealed FROM blocks") ?? Data())
            sealed[14] ^= 0x01
            try db.execute(sql: "UPDATE blocks SET sealed = ?", arguments: [Data(sealed)])
        }
        XCTAssertThrowsError(try f.readNotes()) { XCTAssertTrue("\($0)".contains("failed authentication")) }
    }

    func testReadsNeedAnAuthenticGrantCoveringEveryColumn() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "one")], dataset: VaultFixture.dataset, sourceDigest: [1])
        let forged = f.grant(authority: GrantAuthority())
        XCTAssertThrowsError(try f.vault.read(forged, dataset: VaultFixture.dataset, columns: ["note"]) { _, _ in }) {
            XCTAssertTrue("\($0)".contains("not authentic"))
        }
        XCTAssertThrowsError(try f.vault.read(f.grant(columns: ["amount"]), dataset: VaultFixture.dataset, columns: ["email"]) { _, _ in }) {
            XCTAssertTrue("\($0)".contains("column 'email' is not covered"))
        }
        let g = f.grant()
        let altered = AccessGrant(decisionID: g.decisionID, principal: g.principal, role: g.role, purpose: g.purpose, dataset: g.dataset,
                                  treatments: ["email": .allow, "note": .allow], outputMode: g.outputMode, policyVersion: g.policyVersion,
                                  subjectScope: nil, tag: g.tag)
        XCTAssertThrowsError(try f.vault.read(altered, dataset: VaultFixture.dataset, columns: ["email"]) { _, _ in })
    }

    func testSubjectScopedGrantReadsOnlyThatSubject() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "mine"),
                                f.row(3, id: "c2", email: nil, amount: 2, note: "theirs")],
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        let me = try XCTUnwrap(try f.vault.subject(column: "customer_id", normalizedValue: "c1"))
        var notes: [String] = []
        try f.vault.read(f.grant(subject: me), dataset: VaultFixture.dataset, columns: ["note"]) { _, v in
            if case let .string(s) = v[0] { notes.append(s) }
        }
        XCTAssertEqual(notes, ["mine"])
    }

    func testCryptoShreddingMakesEveryCopyUnreadable() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "forget me"),
                                f.row(3, id: "c2", email: nil, amount: 2, note: "keep me")],
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        try f.store.checkpoint()
        // A backup of the data store taken before the erasure.
        let backup = f.root.appendingPathComponent("backup.sqlite")
        try FileManager.default.copyItem(at: f.root.appendingPathComponent("data/vault.sqlite"), to: backup)
        let subject = try XCTUnwrap(try f.vault.subject(column: "customer_id", normalizedValue: "c1"))
        XCTAssertTrue(try f.keys.destroyDataKey(for: subject))
        XCTAssertEqual(Set(try f.readNotes().values.flatMap { $0 }), ["keep me"])

        // Restore the old data store next to the current keys: the erased subject stays unreadable.
        let restored = try SQLiteRecordStore(path: backup.path)
        let vault = try Vault(store: restored, keys: f.keys, authority: f.authority)
        var notes: [String] = []
        let stats = try vault.read(f.grant(), dataset: VaultFixture.dataset, columns: ["note"]) { _, v in
            if case let .string(s) = v[0] { notes.append(s) }
        }
        XCTAssertEqual(notes, ["keep me"])
        XCTAssertEqual(stats.unreadableBlocks, 1)
        // And the key store holds no trace of the shredded key's wrapped bytes.
        XCTAssertEqual(try f.keys.dataKeys(for: [subject]).count, 0)
    }

    func testRecordCodecRoundTripsRandomRows() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let columns = Int.random(in: 1...8, using: &generator)
            let rows: [[Value]] = (0..<Int.random(in: 0...20, using: &generator)).map { _ in
                (0..<columns).map { _ in
                    switch Int.random(in: 0...7, using: &generator) {
                    case 0: return .missing
                    case 1: return .string(["", "Åsa", "王芳", "a,b\"c"].randomElement(using: &generator) ?? "")
                    case 2: return .integer(Int64.random(in: Int64.min...Int64.max, using: &generator))
                    case 3: return .decimal(Int64.random(in: -1_000_000...1_000_000, using: &generator))
                    case 4: return .date(Int32.random(in: -100_000...100_000, using: &generator))
                    case 5: return .timestamp(Int64.random(in: -1 << 50...1 << 50, using: &generator))
                    case 6: return .category("SE")
                    default: return .items(["p1", "p2", "貨物"])
                    }
                }
            }
            let encoded = RecordCodec.encode(rows: rows, columnCount: columns)
            let decoded = try encoded.withUnsafeBytes { try RecordCodec.decode($0, columnCount: columns) }
            XCTAssertEqual(decoded, rows)
            // A schema that gained a column decodes old blocks with that column missing.
            let wider = try encoded.withUnsafeBytes { try RecordCodec.decode($0, columnCount: columns + 1) }
            XCTAssertEqual(wider, rows.map { $0 + [.missing] })
        }
    }
}

final class ParallelReadTests: XCTestCase {
    /// Enough subjects for the parallel key unwrapping and a two-partition scan to run.
    func testParallelUnwrapAndPartitionedScanSeeEveryRowOnce() throws {
        let f = try VaultFixture()
        let rows = (0..<9_000).map { f.row($0 + 2, id: "c\($0)", email: nil, amount: Int64($0), note: "n\($0)") }
        _ = try f.vault.ingest(rows, dataset: VaultFixture.dataset, sourceDigest: [1])
        XCTAssertEqual(try f.keys.dataKeys().count, 9_000)
        let seen = LockedSet()
        let stats = try f.vault.readInParallel(f.grant(), dataset: VaultFixture.dataset, columns: ["note"], partitions: 2) { _, _, values in
            if case let .string(note) = values[0] { seen.insert(note) }
        }
        XCTAssertEqual(stats.rows, 9_000)
        XCTAssertEqual(seen.count, 9_000)
    }
}

final class LockedSet: Sendable {
    private let items = Mutex(Set<String>())
    func insert(_ s: String) { items.withLock { _ = $0.insert(s) } }
    var count: Int { items.withLock { $0.count } }
}

final class ProjectionDecodeTests: XCTestCase {
    /// Projected decoding (skipping the other columns) gives the same values as full decoding.
    func testProjectionMatchesFullDecode() throws {
        let rows: [[Value]] = [
            [.string("Åsa"), .items(["p1", "p2"]), .decimal(-125), .missing, .timestamp(1_700_000_000_123), .category("SE")],
            [.missing, .items([]), .integer(Int64.max), .date(-3), .string("王芳"), .missing],
        ]
        let encoded = RecordCodec.encode(rows: rows, columnCount: 6)
        for projection in [[0], [5, 1], [2, 4, 0], [], [3, 3], [0, 1, 2, 3, 4, 5, 6]] {
            var got: [[Value]] = []
            try encoded.withUnsafeBytes { bytes in
                var reader = RecordCodec.Reader(bytes: bytes)
                try reader.forEachRow(projection: projection) { got.append($0) }
            }
            let expected = rows.map { row in projection.map { $0 < row.count ? row[$0] : .missing } }
            XCTAssertEqual(got, expected, "projection \(projection)")
        }
    }
}
