import CustosCrypto
import CustosSchema
import Foundation

/// Per-subject operations: sealed documents (consent ledger, processing state), erasure by
/// crypto-shredding, and rectification with a fresh data key.
extension Vault {
    // MARK: Sealed documents

    static func documentAAD(kind: String, subject: SubjectID, id: Int64) -> [UInt8] {
        var aad = Array("custos/document/v1/\(kind)/".utf8)
        aad += subject.bytes
        for shift in stride(from: 56, through: 0, by: -8) { aad.append(UInt8(truncatingIfNeeded: id >> Int64(shift))) }
        return aad
    }

    /// Appends a sealed document (e.g. a consent record) to a subject's ledger of that kind.
    /// Earlier documents are never overwritten.
    public func appendDocument(_ bytes: [UInt8], kind: String, subject: SubjectID) throws {
        guard let key = try keys.dataKeys(for: [subject])[subject] else { throw VaultError.dataKeyMissing }
        let next = (try store.documents(subject: subject, kind: kind).map(\.id).max() ?? 0) + 1
        let sealed = try Vault.seal(bytes, key: key, aad: Vault.documentAAD(kind: kind, subject: subject, id: next),
                                    context: AESGCMContext(), random: BufferedSecureRandom())
        try store.write { try $0.putDocument(subject: subject, kind: kind, id: next, sealed: sealed) }
    }

    /// Appends many documents of one kind (a consent import) in one write transaction: all are
    /// stored or none. Each subject's ledger is read once (its last id, and what it already holds),
    /// so the cost is linear in the documents however they are spread over subjects. A document
    /// whose `identity` equals that of one the subject already holds, or of an earlier one in
    /// `documents`, is not stored again (nil: never a duplicate; the default compares the bytes).
    /// Returns how many were appended and how many were such duplicates.
    public func appendDocuments(
        _ documents: [(subject: SubjectID, bytes: [UInt8])], kind: String, identity: ([UInt8]) -> [UInt8]? = { $0 }
    ) throws -> (appended: Int, duplicates: Int) {
        var order: [SubjectID] = []
        var bySubject: [SubjectID: [[UInt8]]] = [:]
        for document in documents {
            if bySubject[document.subject] == nil { order.append(document.subject) }
            bySubject[document.subject, default: []].append(document.bytes)
        }
        let dataKeys = try keys.dataKeys(for: Set(order))
        let context = AESGCMContext()
        let random = BufferedSecureRandom()
        var plaintext: [UInt8] = []
        var sealed: [(subject: SubjectID, id: Int64, sealed: [UInt8])] = []
        var duplicates = 0
        for subject in order {
            guard let key = dataKeys[subject] else { throw VaultError.dataKeyMissing }
            let existing = try store.documents(subject: subject, kind: kind)
            var held = Set<[UInt8]>()
            for document in existing {
                let length = try document.sealed.withUnsafeBytes { raw in
                    do {
                        return try Vault.open(raw, key: key, aad: Vault.documentAAD(kind: kind, subject: subject, id: document.id), context: context, into: &plaintext)
                    } catch {
                        throw VaultError.integrityFailure(dataset: "document:\(kind)", detail: "document \(document.id)")
                    }
                }
                if let same = identity(Array(plaintext[0..<length])) { held.insert(SHA256.hash(same)) }
            }
            var next = existing.map(\.id).max() ?? 0
            for bytes in bySubject[subject] ?? [] {
                if let same = identity(bytes), !held.insert(SHA256.hash(same)).inserted {
                    duplicates += 1
                    continue
                }
                next += 1
                let box = try Vault.seal(bytes, key: key, aad: Vault.documentAAD(kind: kind, subject: subject, id: next), context: context, random: random)
                sealed.append((subject, next, box))
            }
        }
        try store.write { writer in
            for document in sealed { try writer.putDocument(subject: document.subject, kind: kind, id: document.id, sealed: document.sealed) }
        }
        return (sealed.count, duplicates)
    }

    /// Replaces a subject's single document of a kind (e.g. its processing state).
    public func replaceDocument(_ bytes: [UInt8], kind: String, subject: SubjectID) throws {
        guard let key = try keys.dataKeys(for: [subject])[subject] else { throw VaultError.dataKeyMissing }
        let sealed = try Vault.seal(bytes, key: key, aad: Vault.documentAAD(kind: kind, subject: subject, id: 0),
                                    context: AESGCMContext(), random: BufferedSecureRandom())
        try store.write { writer in
            try writer.deleteDocuments(subject: subject, kind: kind)
            try writer.putDocument(subject: subject, kind: kind, id: 0, sealed: sealed)
        }
    }

    /// Opens every document of `kind` (of all subjects, or of the grant's subject) under an authentic
    /// grant, in id order per subject. Subjects whose key is gone are skipped.
    public func documents(kind: String, grant: AccessGrant, subjects: Set<SubjectID>? = nil) throws -> [SubjectID: [[UInt8]]] {
        guard authority.verify(grant) else { throw VaultError.grantRejected("the access grant is not authentic") }
        let scope = grant.subjectScope.flatMap { SubjectID(hex: $0) }.map { Set([$0]) } ?? subjects
        let dataKeys = try keys.dataKeys(for: scope)
        let context = AESGCMContext()
        var out: [SubjectID: [[UInt8]]] = [:]
        var plaintext: [UInt8] = []
        let visit: (SubjectID, Int64, [UInt8]) throws -> Void = { subject, id, sealed in
            if let scope, !scope.contains(subject) { return }
            guard let key = dataKeys[subject] else { return }
            let length = try sealed.withUnsafeBytes { raw in
                do {
                    return try Vault.open(raw, key: key, aad: Vault.documentAAD(kind: kind, subject: subject, id: id), context: context, into: &plaintext)
                } catch {
                    throw VaultError.integrityFailure(dataset: "document:\(kind)", detail: "document \(id)")
                }
            }
            out[subject, default: []].append(Array(plaintext[0..<length]))
        }
        if let scope, scope.count < 64 {
            for subject in scope { for doc in try store.documents(subject: subject, kind: kind) { try visit(subject, doc.id, doc.sealed) } }
        } else {
            try store.documents(kind: kind, visit)
        }
        return out
    }

    // MARK: Erasure

    /// Erasure (GDPR art. 17, PIPL art. 47): first the subject's data key is destroyed, which makes every
    /// copy of their records unreadable (backups included); then their blocks, blind indexes and sealed
    /// documents are deleted and a tombstone holding only the request digest is kept as proof.
    @discardableResult
    public func erase(subject: SubjectID, requestDigest: String, now: Date = Date()) throws -> ErasureTombstone {
        let blocks = try store.blocks(of: subject)
        try keys.destroyDataKey(for: subject)
        let tombstone = ErasureTombstone(requestDigest: requestDigest, erasedAt: Int64(now.timeIntervalSince1970 * 1000),
                                         blocks: blocks.count, datasets: Array(Set(blocks.map(\.dataset))).sorted())
        try store.write { writer in
            try writer.deleteSubject(subject)
            try writer.recordTombstone(tombstone)
        }
        try store.checkpoint()
        return tombstone
    }

    // MARK: Rectification

    /// Rectification (GDPR art. 16): the subject's rows of `dataset` are rewritten by `transform` and the
    /// subject gets a fresh data key under which all of their records are re-sealed; the old key is
    /// destroyed, so the old values cannot be recovered even from a backup of the data store.
    /// Returns the number of rows after the change.
    @discardableResult
    public func rectify(
        subject: SubjectID, dataset: DatasetSchema, grant: AccessGrant, transform: ([[Value]]) throws -> [[Value]]
    ) throws -> Int {
        guard authority.verify(grant), grant.subjectScope == subject.hex, grant.dataset == dataset.name else {
            throw VaultError.grantRejected("rectification needs an authentic grant scoped to this subject and dataset")
        }
        let (current, replacement) = try keys.stageReplacementKey(for: subject)
        let context = AESGCMContext()
        let random = BufferedSecureRandom()
        var plaintext: [UInt8] = []
        var rowCount = 0
        try store.write { writer in
            let blocks = try store.blocks(of: subject)
            var next = try writer.reserveBlockIDs(max(blocks.count, 1))
            var target: [[Value]] = []
            for block in blocks {
                let length = try block.sealed.withUnsafeBytes {
                    try Vault.open($0, key: current, aad: Vault.associatedData(dataset: block.dataset, subject: subject, blockID: block.blockID),
                                   context: context, into: &plaintext)
                }
                try writer.deleteBlock(block.blockID)
                if block.dataset == dataset.name {
                    target += try plaintext.withUnsafeBytes {
                        try RecordCodec.decode(UnsafeRawBufferPointer(rebasing: $0[0..<length]), columnCount: dataset.columns.count)
                    }
                    continue
                }
                let id = next
                next += 1
                let sealed = try Vault.seal(Array(plaintext[0..<length]), key: replacement,
                                            aad: Vault.associatedData(dataset: block.dataset, subject: subject, blockID: id), context: context, random: random)
                try writer.insertBlock(SealedBlock(blockID: id, dataset: block.dataset, subject: subject, rowCount: block.rowCount,
                                                   sealed: sealed, rowDigests: block.rowDigests))
            }
            let rewritten = try transform(target)
            rowCount = rewritten.count
            if !rewritten.isEmpty {
                let id = next
                let sealed = try Vault.seal(RecordCodec.encode(rows: rewritten, columnCount: dataset.columns.count), key: replacement,
                                            aad: Vault.associatedData(dataset: dataset.name, subject: subject, blockID: id), context: context, random: random)
                // Digests of the old values are dropped with them; re-ingesting the old row is a new fact.
                try writer.insertBlock(SealedBlock(blockID: id, dataset: dataset.name, subject: subject, rowCount: rewritten.count,
                                                   sealed: sealed, rowDigests: []))
            }
            for kind in try documentKinds(of: subject) {
                let docs = try store.documents(subject: subject, kind: kind)
                try writer.deleteDocuments(subject: subject, kind: kind)
                for doc in docs {
                    let length = try doc.sealed.withUnsafeBytes {
                        try Vault.open($0, key: current, aad: Vault.documentAAD(kind: kind, subject: subject, id: doc.id), context: context, into: &plaintext)
                    }
                    try writer.putDocument(subject: subject, kind: kind, id: doc.id,
                                           sealed: try Vault.seal(Array(plaintext[0..<length]), key: replacement,
                                                                  aad: Vault.documentAAD(kind: kind, subject: subject, id: doc.id), context: context, random: random))
                }
            }
        }
        try keys.promotePendingKey(for: subject)
        try store.checkpoint()
        return rowCount
    }

    static let documentKinds = ["consent", "state"]

    private func documentKinds(of subject: SubjectID) throws -> [String] {
        try Vault.documentKinds.filter { !(try store.documents(subject: subject, kind: $0).isEmpty) }
    }

    /// Completes or rolls back key replacements interrupted by a crash: the staged key is promoted if
    /// the subject's records already open with it, and dropped otherwise.
    public func resolveInterruptedRectifications() throws -> Int {
        let pending = try keys.pendingKeys()
        let context = AESGCMContext()
        var plaintext: [UInt8] = []
        for (subject, replacement) in pending {
            let blocks = try store.blocks(of: subject)
            let opensWithReplacement = try blocks.first.map { block in
                try block.sealed.withUnsafeBytes { raw in
                    (try? Vault.open(raw, key: replacement, aad: Vault.associatedData(dataset: block.dataset, subject: subject, blockID: block.blockID),
                                     context: context, into: &plaintext)) != nil
                }
            } ?? false
            if opensWithReplacement { try keys.promotePendingKey(for: subject) } else { try keys.dropPendingKey(for: subject) }
        }
        return pending.count
    }
}
