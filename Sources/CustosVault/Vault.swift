import CustosCrypto
import CustosSchema
import Foundation
import Synchronization

/// The encrypted record store: every customer value is sealed with its subject's own data key
/// (AES-256-GCM), subjects are found by blind index, and nothing is decrypted without an access
/// grant from the policy decision point.
public final class Vault: Sendable {
    public let store: any RecordStore
    public let keys: KeyHierarchy
    let authority: GrantAuthority
    let blindIndexKey: SymmetricKey
    let digestKey: SymmetricKey

    public init(store: any RecordStore, keys: KeyHierarchy, authority: GrantAuthority) throws {
        self.store = store
        self.keys = keys
        self.authority = authority
        blindIndexKey = try keys.derivedKey(label: "custos/blind-index/v1")
        digestKey = try keys.derivedKey(label: "custos/row-digest/v1")
        store.bindBlockSetKey(try keys.derivedKey(label: "custos/block-set/v1"))
    }

    // MARK: Binding ciphertexts to their place

    /// AAD of a sealed block: binds the ciphertext to its dataset, subject and block (record) id,
    /// so a ciphertext copied to another row or subject fails to open.
    static func associatedData(dataset: String, subject: SubjectID, blockID: Int64) -> [UInt8] {
        var aad: [UInt8] = []
        associatedData(dataset: dataset, subject: subject, blockID: blockID, into: &aad)
        return aad
    }

    /// Writes the AAD into a reused buffer (the scan path builds one per block).
    static func associatedData(dataset: String, subject: SubjectID, blockID: Int64, into aad: inout [UInt8]) {
        aad.removeAll(keepingCapacity: true)
        aad.append(contentsOf: "custos/record/v1".utf8)
        let name = dataset.utf8
        aad.append(UInt8(truncatingIfNeeded: name.count))
        aad.append(contentsOf: name)
        for value in [subject.high, subject.low, UInt64(bitPattern: blockID)] {
            for shift in stride(from: 56, through: 0, by: -8) { aad.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
    }

    /// Seals a block's plaintext as nonce || ciphertext || tag.
    static func seal(
        _ plaintext: [UInt8], key: SymmetricKey, aad: [UInt8], context: AESGCMContext, random: BufferedSecureRandom
    ) throws -> [UInt8] {
        let n = AES.GCM.nonceByteCount, t = AES.GCM.tagByteCount
        var out = [UInt8](repeating: 0, count: n + plaintext.count + t)
        try out.withUnsafeMutableBytes { buffer in
            random.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
            try plaintext.withUnsafeBytes { pt in
                try aad.withUnsafeBytes { ad in
                    try context.seal(pt, key: key, nonce: UnsafeRawBufferPointer(rebasing: buffer[0..<n]), aad: ad,
                                     ciphertext: UnsafeMutableRawBufferPointer(rebasing: buffer[n..<(n + plaintext.count)]),
                                     tag: UnsafeMutableRawBufferPointer(rebasing: buffer[(n + plaintext.count)...]))
                }
            }
        }
        return out
    }

    /// Opens a sealed block into the front of `plaintext` (grown, never shrunk, so a scan reuses one
    /// buffer) and returns the plaintext length.
    @discardableResult
    static func open(
        _ sealed: UnsafeRawBufferPointer, key: SymmetricKey, aad: [UInt8], context: AESGCMContext, into plaintext: inout [UInt8]
    ) throws -> Int {
        let n = AES.GCM.nonceByteCount, t = AES.GCM.tagByteCount
        guard sealed.count >= n + t else { throw CryptoError.authenticationFailure }
        let length = sealed.count - n - t
        if plaintext.count < length { plaintext = [UInt8](repeating: 0, count: max(length, plaintext.count * 2)) }
        try plaintext.withUnsafeMutableBytes { pt in
            try aad.withUnsafeBytes { ad in
                try context.open(UnsafeRawBufferPointer(rebasing: sealed[n..<(n + length)]), key: key,
                                 nonce: UnsafeRawBufferPointer(rebasing: sealed[0..<n]), aad: ad,
                                 tag: UnsafeRawBufferPointer(rebasing: sealed[(n + length)...]),
                                 plaintext: UnsafeMutableRawBufferPointer(rebasing: pt[0..<length]))
            }
        }
        return length
    }

    // MARK: Blind indexes

    /// The blind-index token of an identifier: HMAC(blind-index key, column || 0 || normalised value).
    public func blindToken(column: String, value: String, hmac: HMACSHA256? = nil) -> [UInt8] {
        let mac = hmac ?? HMACSHA256(key: blindIndexKey)
        var message = Array(column.utf8)
        message.append(0)
        message += Array(value.utf8)
        return mac.authenticationCode(for: message)
    }

    /// Finds the subject holding an identifier (already normalised), without any plaintext lookup.
    public func subject(column: String, normalizedValue: String) throws -> SubjectID? {
        let token = blindToken(column: column, value: normalizedValue)
        return try store.subjects(forTokens: [token])[token]
    }

    // MARK: Governed reads

    /// Statistics of one governed scan.
    public struct ScanStatistics: Sendable {
        public var blocks = 0
        public var rows = 0
        public var plaintextBytes = 0
        public var sealedBytes = 0
        /// Blocks whose data key is gone (crypto-shredded subjects in a restored backup).
        public var unreadableBlocks = 0
        public var subjects = Set<SubjectID>()
        public init() {}
    }

    /// Reads `columns` of `dataset` under `grant`. The vault verifies the grant's authenticity and that
    /// it covers the dataset, every column and (for data-subject requests) the subject scope, before
    /// it unwraps a single key. `body` receives the subject and the projected values of each row.
    @discardableResult
    public func read(
        _ grant: AccessGrant, dataset: DatasetSchema, columns: [String], subjects: Set<SubjectID>? = nil,
        _ body: (SubjectID, [Value]) throws -> Void
    ) throws -> ScanStatistics {
        let plan = try plan(grant, dataset: dataset, columns: columns, subjects: subjects)
        return try scanPartition(plan, partition: 0, partitions: 1, body)
    }

    /// Like `read`, split over `partitions` threads (by block). `body` is called concurrently with the
    /// partition index, so callers keep one accumulator per partition and merge them afterwards.
    @discardableResult
    public func readInParallel(
        _ grant: AccessGrant, dataset: DatasetSchema, columns: [String], subjects: Set<SubjectID>? = nil, partitions: Int,
        _ body: @Sendable (Int, SubjectID, [Value]) throws -> Void
    ) throws -> ScanStatistics {
        let plan = try plan(grant, dataset: dataset, columns: columns, subjects: subjects)
        let results = Mutex([Result<ScanStatistics, any Error>](repeating: .success(ScanStatistics()), count: partitions))
        DispatchQueue.concurrentPerform(iterations: partitions) { p in
            let result = Result { try scanPartition(plan, partition: p, partitions: partitions) { try body(p, $0, $1) } }
            results.withLock { $0[p] = result }
        }
        var total = ScanStatistics()
        for result in results.withLock({ $0 }) {
            let stats = try result.get()
            total.blocks += stats.blocks
            total.rows += stats.rows
            total.plaintextBytes += stats.plaintextBytes
            total.sealedBytes += stats.sealedBytes
            total.unreadableBlocks += stats.unreadableBlocks
            total.subjects.formUnion(stats.subjects)
        }
        return total
    }

    struct ReadPlan: Sendable {
        let dataset: DatasetSchema
        let projection: [Int]
        let scope: Set<SubjectID>?
        let dataKeys: [SubjectID: SymmetricKey]
    }

    private func plan(_ grant: AccessGrant, dataset: DatasetSchema, columns: [String], subjects: Set<SubjectID>?) throws -> ReadPlan {
        let projection = try authorize(grant, dataset: dataset, columns: columns, subjects: subjects)
        // Blocks deleted behind Custos's back would silently shrink every job: refuse instead.
        try store.verifyBlockSet(dataset: dataset.name)
        let scope = try grant.subjectScope.map { hex -> Set<SubjectID> in
            guard let s = SubjectID(hex: hex) else { throw VaultError.grantRejected("the grant's subject scope is malformed") }
            return [s]
        } ?? subjects
        return ReadPlan(dataset: dataset, projection: projection, scope: scope, dataKeys: try keys.dataKeys(for: scope))
    }

    private func scanPartition(
        _ plan: ReadPlan, partition: Int, partitions: Int, _ body: (SubjectID, [Value]) throws -> Void
    ) throws -> ScanStatistics {
        let dataset = plan.dataset
        var statistics = ScanStatistics()
        let context = AESGCMContext()
        var plaintext: [UInt8] = []
        var aad = [UInt8]()
        try store.scan(dataset: dataset.name, subjects: plan.scope, partition: partition, partitions: partitions) { subject, blockID, sealed in
            guard let key = plan.dataKeys[subject] else {
                statistics.unreadableBlocks += 1
                return
            }
            Vault.associatedData(dataset: dataset.name, subject: subject, blockID: blockID, into: &aad)
            let length: Int
            do {
                length = try Vault.open(sealed, key: key, aad: aad, context: context, into: &plaintext)
            } catch {
                throw VaultError.integrityFailure(dataset: dataset.name, detail: "block \(blockID)")
            }
            statistics.blocks += 1
            statistics.sealedBytes += sealed.count
            statistics.plaintextBytes += length
            statistics.subjects.insert(subject)
            try plaintext.withUnsafeBytes { bytes in
                var reader = RecordCodec.Reader(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
                try reader.forEachRow(projection: plan.projection) { row in
                    statistics.rows += 1
                    try body(subject, row)
                }
            }
        }
        return statistics
    }

    /// Checks a grant and returns the column positions to project.
    func authorize(_ grant: AccessGrant, dataset: DatasetSchema, columns: [String], subjects: Set<SubjectID>?) throws -> [Int] {
        guard authority.verify(grant) else { throw VaultError.grantRejected("the access grant is not authentic") }
        guard grant.dataset == dataset.name else {
            throw VaultError.grantRejected("the grant is for dataset '\(grant.dataset)', not '\(dataset.name)'")
        }
        let readable = Set(grant.readableColumns)
        var projection: [Int] = []
        for column in columns {
            guard readable.contains(column) else {
                throw VaultError.grantRejected("column '\(column)' is not covered by the grant")
            }
            guard let index = dataset.index(of: column) else { throw VaultError.grantRejected("unknown column '\(column)'") }
            projection.append(index)
        }
        if let scope = grant.subjectScope, let subjects, subjects.contains(where: { $0.hex != scope }) {
            throw VaultError.grantRejected("the grant is limited to one data subject")
        }
        return projection
    }
}

extension Vault {
    /// Destroys data keys that no stored subject owns: keys created for an ingest batch that never
    /// committed (a process killed between creating keys and committing the batch). Call only while
    /// no other writer can be mid-ingest (the engine holds the audit log's writer lock). Returns how
    /// many keys were removed.
    @discardableResult
    public func removeOrphanKeys() throws -> Int {
        let owned = Set(try store.allSubjects())
        var removed = 0
        for subject in try keys.keyedSubjects().subtracting(owned) where try keys.destroyDataKey(for: subject) { removed += 1 }
        return removed
    }
}
