import CustosCrypto
import Foundation

/// One sealed block of a subject's rows as stored.
public struct SealedBlock: Sendable {
    public let blockID: Int64
    public let dataset: String
    public let subject: SubjectID
    public let rowCount: Int
    public let sealed: [UInt8]
    /// Keyed 8-byte digests of the block's rows (HMAC under a derived key, not invertible), used to
    /// skip exact duplicates on ingest without decrypting.
    public let rowDigests: [UInt8]

    public init(blockID: Int64, dataset: String, subject: SubjectID, rowCount: Int, sealed: [UInt8], rowDigests: [UInt8]) {
        self.blockID = blockID
        self.dataset = dataset
        self.subject = subject
        self.rowCount = rowCount
        self.sealed = sealed
        self.rowDigests = rowDigests
    }
}

/// Counts of one committed ingest batch (never values).
public struct IngestBatchRecord: Sendable {
    public let dataset: String
    public let sourceDigest: [UInt8]
    public let rowsRead: Int
    public let rowsAdded: Int
    public let duplicates: Int
    public let newSubjects: Int
}

/// What the vault needs from a storage backend. The SQLite backend is the embedded default; a
/// PostgreSQL backend implements the same protocol, so callers do not change. Backends store only
/// ciphertext, keyed-hash tokens and random ids: never a plaintext customer value.
public protocol RecordStore: AnyObject, Sendable {
    /// Runs `body` in one atomic write transaction: everything it wrote commits, or nothing.
    func write<T>(_ body: (any RecordStoreWriter) throws -> T) throws -> T

    /// Subjects found for blind-index tokens (tokens without a subject are absent).
    func subjects(forTokens tokens: [[UInt8]]) throws -> [[UInt8]: SubjectID]

    /// The row digests already stored for `dataset` for each of `subjects` (exact de-duplication:
    /// identical rows carry identical identifiers, so they always belong to the same subject).
    func rowDigests(dataset: String, subjects: [SubjectID]) throws -> [SubjectID: Set<UInt64>]

    /// Streams the sealed blocks of `dataset` (all subjects, or only `subjects`), in block order.
    /// `partition`/`partitions` split the scan by block id for parallel readers.
    func scan(
        dataset: String, subjects: Set<SubjectID>?, partition: Int, partitions: Int,
        _ body: (SubjectID, Int64, UnsafeRawBufferPointer) throws -> Void
    ) throws

    /// Every sealed block of one subject across datasets.
    func blocks(of subject: SubjectID) throws -> [SealedBlock]

    /// All subject ids known to the store.
    func allSubjects() throws -> [SubjectID]

    /// Number of blocks and rows in a dataset.
    func counts(dataset: String) throws -> (blocks: Int, rows: Int)

    /// Sealed documents of one kind (consent records, processing state) of one subject, by id.
    func documents(subject: SubjectID, kind: String) throws -> [(id: Int64, sealed: [UInt8])]

    /// Every sealed document of one kind, grouped by subject.
    func documents(kind: String, _ body: (SubjectID, Int64, [UInt8]) throws -> Void) throws

    /// Proofs of erasure kept after a subject is gone.
    func tombstones() throws -> [ErasureTombstone]

    /// Makes deletions physical: folds the write-ahead log into the database and truncates it.
    func checkpoint() throws

    /// Binds the key that seals each dataset's block summary (set by the vault from the key hierarchy).
    func bindBlockSetKey(_ key: SymmetricKey)

    /// Throws unless the dataset's blocks are exactly those last sealed by a Custos write.
    func verifyBlockSet(dataset: String) throws
}

/// Proof that an erasure happened: a digest of the request, never the subject.
public struct ErasureTombstone: Sendable, Equatable {
    public let requestDigest: String
    public let erasedAt: Int64
    public let blocks: Int
    public let datasets: [String]

    public init(requestDigest: String, erasedAt: Int64, blocks: Int, datasets: [String]) {
        self.requestDigest = requestDigest
        self.erasedAt = erasedAt
        self.blocks = blocks
        self.datasets = datasets
    }
}

/// Operations inside a write transaction.
public protocol RecordStoreWriter {
    /// Reserves `count` consecutive fresh block ids and returns the first.
    func reserveBlockIDs(_ count: Int) throws -> Int64
    func insertSubject(_ subject: SubjectID, createdAt: Int64) throws
    func insertToken(_ token: [UInt8], subject: SubjectID) throws
    func insertBlock(_ block: SealedBlock) throws
    func deleteBlock(_ blockID: Int64) throws
    /// Moves the blind-index tokens of `from` to `to` (identity resolution merges).
    func reassign(from: SubjectID, to: SubjectID) throws
    /// Removes a subject's blocks, tokens and its subject row.
    func deleteSubject(_ subject: SubjectID) throws
    func recordBatch(_ batch: IngestBatchRecord, committedAt: Int64) throws
    /// Adds or replaces a sealed per-subject document.
    func putDocument(subject: SubjectID, kind: String, id: Int64, sealed: [UInt8]) throws
    func deleteDocuments(subject: SubjectID, kind: String) throws
    func recordTombstone(_ tombstone: ErasureTombstone) throws
}
