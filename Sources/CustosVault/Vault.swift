import CustosCrypto
import CustosSchema
import Foundation

/// The encrypted record store: every customer value is sealed with its subject's own data key
/// (AES-256-GCM), subjects are found by blind index, and nothing is decrypted without an access
/// grant from the policy decision point.
public final class Vault: @unchecked Sendable {
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
    }

    // MARK: Binding ciphertexts to their place

    /// AAD of a sealed block: binds the ciphertext to its dataset, subject and block (record) id,
    /// so a ciphertext copied to another row or subject fails to open.
    static func associatedData(dataset: String, subject: SubjectID, blockID: Int64) -> [UInt8] {
        var aad = Array("custos/record/v1".utf8)
        let name = Array(dataset.utf8)
        aad.append(UInt8(truncatingIfNeeded: name.count))
        aad += name
        aad += subject.bytes
        for shift in stride(from: 56, through: 0, by: -8) { aad.append(UInt8(truncatingIfNeeded: blockID >> Int64(shift))) }
        return aad
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

    /// Opens a sealed block into `plaintext` (resized as needed).
    static func open(
        _ sealed: UnsafeRawBufferPointer, key: SymmetricKey, aad: [UInt8], context: AESGCMContext, into plaintext: inout [UInt8]
    ) throws {
        let n = AES.GCM.nonceByteCount, t = AES.GCM.tagByteCount
        guard sealed.count >= n + t else { throw CryptoError.authenticationFailure }
        let length = sealed.count - n - t
        if plaintext.count != length { plaintext = [UInt8](repeating: 0, count: length) }
        try plaintext.withUnsafeMutableBytes { pt in
            try aad.withUnsafeBytes { ad in
                try context.open(UnsafeRawBufferPointer(rebasing: sealed[n..<(n + length)]), key: key,
                                 nonce: UnsafeRawBufferPointer(rebasing: sealed[0..<n]), aad: ad,
                                 tag: UnsafeRawBufferPointer(rebasing: sealed[(n + length)...]), plaintext: pt)
            }
        }
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
        /// Blocks whose data key is gone (crypto-shredded subjects in a restored backup).
        public var unreadableBlocks = 0
        public var subjects = Set<SubjectID>()
    }

    /// Reads `columns` of `dataset` under `grant`. The vault verifies the grant's authenticity and that
    /// it covers the dataset, every column and (for data-subject requests) the subject scope, before
    /// it unwraps a single key. `body` receives the subject and the projected values of each row.
    @discardableResult
    public func read(
        _ grant: AccessGrant, dataset: DatasetSchema, columns: [String], subjects: Set<SubjectID>? = nil,
        _ body: (SubjectID, [Value]) throws -> Void
    ) throws -> ScanStatistics {
        let projection = try authorize(grant, dataset: dataset, columns: columns, subjects: subjects)
        let scope = try grant.subjectScope.map { hex -> Set<SubjectID> in
            guard let s = SubjectID(hex: hex) else { throw VaultError.grantRejected("the grant's subject scope is malformed") }
            return [s]
        } ?? subjects
        let dataKeys = try keys.dataKeys(for: scope)
        var statistics = ScanStatistics()
        let context = AESGCMContext()
        var plaintext: [UInt8] = []
        var projected = [Value](repeating: .missing, count: projection.count)
        try store.scan(dataset: dataset.name, subjects: scope, partition: 0, partitions: 1) { subject, blockID, sealed in
            guard let key = dataKeys[subject] else {
                statistics.unreadableBlocks += 1
                return
            }
            do {
                try Vault.open(sealed, key: key, aad: Vault.associatedData(dataset: dataset.name, subject: subject, blockID: blockID),
                               context: context, into: &plaintext)
            } catch {
                throw VaultError.integrityFailure(dataset: dataset.name, detail: "block \(blockID)")
            }
            statistics.blocks += 1
            statistics.plaintextBytes += plaintext.count
            statistics.subjects.insert(subject)
            try plaintext.withUnsafeBytes { bytes in
                var reader = RecordCodec.Reader(bytes: bytes)
                try reader.forEachRow(columnCount: dataset.columns.count) { row in
                    for (i, c) in projection.enumerated() { projected[i] = row[c] }
                    statistics.rows += 1
                    try body(subject, projected)
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
