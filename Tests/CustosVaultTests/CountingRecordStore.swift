import CustosCrypto
import CustosVault
import Foundation
import Synchronization

/// A record store that forwards to SQLite and counts the operations a caller makes: tests check
/// the algorithm (how many reads and transactions an import costs), never the clock.
final class CountingRecordStore: RecordStore {
    let inner: SQLiteRecordStore
    private let counts = Mutex<[String: Int]>([:])

    init(_ inner: SQLiteRecordStore) { self.inner = inner }

    func count(_ name: String) -> Int { counts.withLock { $0[name] ?? 0 } }
    func reset() { counts.withLock { $0 = [:] } }
    private func tick(_ name: String, _ n: Int = 1) { counts.withLock { $0[name, default: 0] += n } }

    func write<T>(_ body: (any RecordStoreWriter) throws -> T) throws -> T {
        tick("write")
        return try inner.write { writer in try body(CountingWriter(inner: writer, store: self)) }
    }

    func subjects(forTokens tokens: [[UInt8]]) throws -> [[UInt8]: SubjectID] { tick("subjects"); return try inner.subjects(forTokens: tokens) }
    func rowDigests(dataset: String, subjects: [SubjectID]) throws -> [SubjectID: Set<UInt64>] {
        tick("rowDigests")
        return try inner.rowDigests(dataset: dataset, subjects: subjects)
    }
    func scan(dataset: String, subjects: Set<SubjectID>?, partition: Int, partitions: Int, _ body: (SubjectID, Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        tick("scan")
        try inner.scan(dataset: dataset, subjects: subjects, partition: partition, partitions: partitions, body)
    }
    func blocks(of subject: SubjectID) throws -> [SealedBlock] { tick("blocks"); return try inner.blocks(of: subject) }
    func allSubjects() throws -> [SubjectID] { tick("allSubjects"); return try inner.allSubjects() }
    func counts(dataset: String) throws -> (blocks: Int, rows: Int) { try inner.counts(dataset: dataset) }
    func documents(subject: SubjectID, kind: String) throws -> [(id: Int64, sealed: [UInt8])] {
        tick("documents(subject:)")
        return try inner.documents(subject: subject, kind: kind)
    }
    func documents(kind: String, _ body: (SubjectID, Int64, [UInt8]) throws -> Void) throws {
        tick("documents(kind:)")
        try inner.documents(kind: kind, body)
    }
    func tombstones() throws -> [ErasureTombstone] { try inner.tombstones() }
    func checkpoint() throws { try inner.checkpoint() }
    func bindBlockSetKey(_ key: SymmetricKey) { inner.bindBlockSetKey(key) }
    func verifyBlockSet(dataset: String) throws { try inner.verifyBlockSet(dataset: dataset) }

    struct CountingWriter: RecordStoreWriter {
        let inner: any RecordStoreWriter
        let store: CountingRecordStore

        func reserveBlockIDs(_ count: Int) throws -> Int64 { try inner.reserveBlockIDs(count) }
        func insertSubject(_ subject: SubjectID, createdAt: Int64) throws { try inner.insertSubject(subject, createdAt: createdAt) }
        func insertToken(_ token: [UInt8], subject: SubjectID) throws { try inner.insertToken(token, subject: subject) }
        func insertBlock(_ block: SealedBlock) throws { store.tick("insertBlock"); try inner.insertBlock(block) }
        func deleteBlock(_ blockID: Int64) throws { try inner.deleteBlock(blockID) }
        func reassign(from: SubjectID, to: SubjectID) throws { try inner.reassign(from: from, to: to) }
        func deleteSubject(_ subject: SubjectID) throws { try inner.deleteSubject(subject) }
        func recordBatch(_ batch: IngestBatchRecord, committedAt: Int64) throws { try inner.recordBatch(batch, committedAt: committedAt) }
        func putDocument(subject: SubjectID, kind: String, id: Int64, sealed: [UInt8]) throws {
            store.tick("putDocument")
            try inner.putDocument(subject: subject, kind: kind, id: id, sealed: sealed)
        }
        func deleteDocuments(subject: SubjectID, kind: String) throws { try inner.deleteDocuments(subject: subject, kind: kind) }
        func recordTombstone(_ tombstone: ErasureTombstone) throws { try inner.recordTombstone(tombstone) }
    }
}
