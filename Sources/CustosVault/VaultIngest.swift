import CustosCrypto
import CustosSchema
import Foundation

/// A cleaned, typed row ready for sealing, with the line it came from.
public struct IngestRow: Sendable {
    public let line: Int
    public let values: [Value]
    public init(line: Int, values: [Value]) {
        self.line = line
        self.values = values
    }
}

/// The outcome of sealing one batch: counts only, never values.
public struct IngestOutcome: Sendable, Equatable {
    public var rowsRead = 0
    public var rowsAdded = 0
    /// Rows identical (after normalisation) to a row already stored or earlier in the batch.
    public var duplicates = 0
    public var newSubjects = 0
    /// Existing subjects merged into one because a row linked their identifiers.
    public var mergedSubjects = 0
    public var subjectsTouched = 0
}

extension Vault {
    /// Seals a batch of rows into the vault atomically: identity resolution into subjects (OneIDs)
    /// by blind index, exact de-duplication by keyed row digest, one sealed block per subject.
    /// Either the whole batch commits or nothing does.
    public func ingest(_ rows: [IngestRow], dataset: DatasetSchema, sourceDigest: [UInt8], now: Date = Date()) throws -> IngestOutcome {
        var outcome = IngestOutcome()
        outcome.rowsRead = rows.count
        let keyColumns = dataset.subjectKeys.compactMap { name in dataset.index(of: name).map { (name, $0) } }
        let blindHMAC = HMACSHA256(key: blindIndexKey)
        let digestHMAC = HMACSHA256(key: digestKey)

        // 1. Keyed digests for exact de-duplication (within the batch and against the store).
        var rowBytes: [UInt8] = []
        var digests: [[UInt8]] = []
        digests.reserveCapacity(rows.count)
        let datasetPrefix = Array(dataset.name.utf8) + [0]
        for row in rows {
            rowBytes.removeAll(keepingCapacity: true)
            rowBytes += datasetPrefix
            RecordCodec.encodeRow(row.values, into: &rowBytes)
            digests.append(Array(digestHMAC.authenticationCode(for: rowBytes).prefix(16)))
        }
        let stored = try store.existingDigests(dataset: dataset.name, digests: digests)
        var seen = Set<[UInt8]>()
        var keep: [Int] = []
        for (i, digest) in digests.enumerated() {
            if stored.contains(digest) || !seen.insert(digest).inserted { outcome.duplicates += 1 } else { keep.append(i) }
        }

        // 2. Identity resolution: union rows that share any identifier token, and attach existing subjects.
        var rowTokens: [[[UInt8]]] = []
        rowTokens.reserveCapacity(keep.count)
        var allTokens = Set<[UInt8]>()
        for i in keep {
            var tokens: [[UInt8]] = []
            for (name, index) in keyColumns {
                if case let .string(value) = rows[i].values[index] {
                    tokens.append(blindToken(column: name, value: value, hmac: blindHMAC))
                }
            }
            rowTokens.append(tokens)
            allTokens.formUnion(tokens)
        }
        let existing = try store.subjects(forTokens: Array(allTokens))
        var sets = DisjointSets(count: keep.count)
        var tokenOwner: [[UInt8]: Int] = [:]
        var existingOfRow: [Int: Set<SubjectID>] = [:]
        for (k, tokens) in rowTokens.enumerated() {
            for token in tokens {
                if let owner = tokenOwner[token] { sets.union(owner, k) } else { tokenOwner[token] = k }
                if let subject = existing[token] { existingOfRow[k, default: []].insert(subject) }
            }
        }
        var componentExisting: [Int: Set<SubjectID>] = [:]
        for (k, subjects) in existingOfRow { componentExisting[sets.find(k), default: []].formUnion(subjects) }

        let random = BufferedSecureRandom()
        var subjectOfComponent: [Int: SubjectID] = [:]
        var newSubjects: [SubjectID] = []
        var merges: [(from: SubjectID, into: SubjectID)] = []
        var rowsOfSubject: [SubjectID: [Int]] = [:]
        var orderOfSubjects: [SubjectID] = []
        for (k, i) in keep.enumerated() {
            let root = sets.find(k)
            let subject: SubjectID
            if let known = subjectOfComponent[root] {
                subject = known
            } else {
                let candidates = componentExisting[root, default: []].sorted()
                if let canonical = candidates.first {
                    subject = canonical
                    for other in candidates.dropFirst() { merges.append((other, canonical)) }
                } else {
                    subject = SubjectID.random(random)
                    newSubjects.append(subject)
                }
                subjectOfComponent[root] = subject
            }
            if rowsOfSubject[subject] == nil { orderOfSubjects.append(subject) }
            rowsOfSubject[subject, default: []].append(i)
        }
        // Merges across batches can chain (A into B while B into C); resolve to the final subject.
        outcome.newSubjects = newSubjects.count
        outcome.mergedSubjects = merges.count
        outcome.subjectsTouched = orderOfSubjects.count
        outcome.rowsAdded = keep.count

        // 3. Keys first (their own store), then the data in one transaction. A crash between the two
        //    leaves only unused keys behind, never data without a key.
        var dataKeys = try keys.createDataKeys(for: newSubjects)
        let needed = Set(orderOfSubjects).subtracting(newSubjects).union(merges.map(\.from))
        if !needed.isEmpty {
            for (subject, key) in try keys.dataKeys(for: needed) { dataKeys[subject] = key }
        }
        let context = AESGCMContext()
        let createdAt = Int64(now.timeIntervalSince1970 * 1000)
        let mergedFrom = Set(merges.map(\.from))
        try store.write { writer in
            var nextBlock = try writer.reserveBlockIDs(orderOfSubjects.count)
            for subject in newSubjects { try writer.insertSubject(subject, createdAt: createdAt) }
            for subject in orderOfSubjects {
                guard let key = dataKeys[subject] else { throw VaultError.dataKeyMissing }
                let indices = rowsOfSubject[subject, default: []]
                let plaintext = RecordCodec.encode(rows: indices.map { rows[$0].values }, columnCount: dataset.columns.count)
                let blockID = nextBlock
                nextBlock += 1
                let sealed = try Vault.seal(plaintext, key: key, aad: Vault.associatedData(dataset: dataset.name, subject: subject, blockID: blockID),
                                            context: context, random: random)
                try writer.insertBlock(SealedBlock(blockID: blockID, dataset: dataset.name, subject: subject, rowCount: indices.count, sealed: sealed))
            }
            for (k, i) in keep.enumerated() {
                guard let subject = subjectOfComponent[sets.find(k)] else { continue }
                for token in rowTokens[k] where existing[token] == nil || mergedFrom.contains(existing[token] ?? subject) {
                    try writer.insertToken(token, subject: subject)
                }
                try writer.insertDigest(dataset: dataset.name, digest: digests[i], subject: subject)
            }
            for merge in merges {
                try moveRecords(of: merge.from, into: merge.into, keys: dataKeys, writer: writer, context: context, random: random)
            }
            try writer.recordBatch(
                IngestBatchRecord(dataset: dataset.name, sourceDigest: sourceDigest, rowsRead: outcome.rowsRead,
                                  rowsAdded: outcome.rowsAdded, duplicates: outcome.duplicates, newSubjects: outcome.newSubjects),
                committedAt: createdAt)
        }
        for merge in merges { try keys.destroyDataKey(for: merge.from) }
        return outcome
    }

    /// Re-seals every block of `from` under `into`'s key and hands over its tokens and digests.
    private func moveRecords(
        of from: SubjectID, into: SubjectID, keys dataKeys: [SubjectID: SymmetricKey], writer: any RecordStoreWriter,
        context: AESGCMContext, random: BufferedSecureRandom
    ) throws {
        guard let fromKey = dataKeys[from], let intoKey = dataKeys[into] else { throw VaultError.dataKeyMissing }
        let blocks = try store.blocks(of: from)
        var first = try writer.reserveBlockIDs(max(blocks.count, 1))
        var plaintext: [UInt8] = []
        for block in blocks {
            try block.sealed.withUnsafeBytes { sealed in
                try Vault.open(sealed, key: fromKey, aad: Vault.associatedData(dataset: block.dataset, subject: from, blockID: block.blockID),
                               context: context, into: &plaintext)
            }
            let sealed = try Vault.seal(plaintext, key: intoKey, aad: Vault.associatedData(dataset: block.dataset, subject: into, blockID: first),
                                        context: context, random: random)
            try writer.insertBlock(SealedBlock(blockID: first, dataset: block.dataset, subject: into, rowCount: block.rowCount, sealed: sealed))
            first += 1
        }
        try writer.reassign(from: from, to: into)
        try writer.deleteSubject(from)
    }
}

/// Union-find with path halving and union by size.
struct DisjointSets {
    private var parent: [Int]
    private var size: [Int]

    init(count: Int) {
        parent = Array(0..<count)
        size = [Int](repeating: 1, count: count)
    }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        var ra = find(a), rb = find(b)
        guard ra != rb else { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra
        size[ra] += size[rb]
    }
}
