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

        // 1. Identity resolution: rows sharing any identifier token form one subject; a component that
        //    touches known subjects joins them (several known subjects are merged into one).
        var rowTokens: [[[UInt8]]] = []
        rowTokens.reserveCapacity(rows.count)
        var tokenOwner: [[UInt8]: Int] = [:]
        var sets = DisjointSets(count: rows.count)
        for (i, row) in rows.enumerated() {
            var tokens: [[UInt8]] = []
            for (name, index) in keyColumns {
                if case let .string(value) = row.values[index] {
                    let token = blindToken(column: name, value: value, hmac: blindHMAC)
                    tokens.append(token)
                    if let owner = tokenOwner[token] { sets.union(owner, i) } else { tokenOwner[token] = i }
                }
            }
            rowTokens.append(tokens)
        }
        let existing = try store.subjects(forTokens: Array(tokenOwner.keys))
        var componentExisting: [Int: Set<SubjectID>] = [:]
        for (token, owner) in tokenOwner {
            if let subject = existing[token] { componentExisting[sets.find(owner), default: []].insert(subject) }
        }
        let random = BufferedSecureRandom()
        var subjectOfComponent: [Int: SubjectID] = [:]
        var subjectOfRow = [SubjectID](repeating: SubjectID(high: 0, low: 0), count: rows.count)
        var newSubjects: [SubjectID] = []
        var merges: [(from: SubjectID, into: SubjectID)] = []
        for i in rows.indices {
            let root = sets.find(i)
            if let known = subjectOfComponent[root] {
                subjectOfRow[i] = known
                continue
            }
            let candidates = componentExisting[root, default: []].sorted()
            let subject: SubjectID
            if let canonical = candidates.first {
                subject = canonical
                for other in candidates.dropFirst() { merges.append((other, canonical)) }
            } else {
                subject = SubjectID.random(random)
                newSubjects.append(subject)
            }
            subjectOfComponent[root] = subject
            subjectOfRow[i] = subject
        }

        // 2. Exact de-duplication by keyed row digest, within each subject (identical rows carry
        //    identical identifiers, so a duplicate always resolves to the same subject).
        let known = Set(subjectOfComponent.values).subtracting(newSubjects)
        var seen = try store.rowDigests(dataset: dataset.name, subjects: Array(known) + merges.map(\.from))
        for merge in merges { seen[merge.into, default: []].formUnion(seen[merge.from] ?? []) }
        let digestHMAC = HMACSHA256(key: digestKey)
        var rowBytes: [UInt8] = Array(dataset.name.utf8) + [0]
        let prefixLength = rowBytes.count
        var mac = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
        var rowsOfSubject: [SubjectID: [Int]] = [:]
        var digestsOfSubject: [SubjectID: [UInt8]] = [:]
        var orderOfSubjects: [SubjectID] = []
        for (i, row) in rows.enumerated() {
            rowBytes.removeSubrange(prefixLength...)
            RecordCodec.encodeRow(row.values, into: &rowBytes)
            rowBytes.withUnsafeBytes { m in mac.withUnsafeMutableBytes { digestHMAC.authenticationCode(for: m, into: $0) } }
            let digest = mac.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let subject = subjectOfRow[i]
            guard seen[subject, default: []].insert(digest).inserted else {
                outcome.duplicates += 1
                continue
            }
            if rowsOfSubject[subject] == nil { orderOfSubjects.append(subject) }
            rowsOfSubject[subject, default: []].append(i)
            withUnsafeBytes(of: digest) { digestsOfSubject[subject, default: []].append(contentsOf: $0) }
        }
        outcome.rowsAdded = rows.count - outcome.duplicates
        outcome.newSubjects = newSubjects.filter { rowsOfSubject[$0] != nil }.count
        outcome.mergedSubjects = merges.count
        outcome.subjectsTouched = orderOfSubjects.count
        newSubjects = newSubjects.filter { rowsOfSubject[$0] != nil }

        // 3. Keys first (their own store), then the data in one transaction. A crash between the two
        //    leaves only unused keys behind, never data without a key.
        var dataKeys = try keys.createDataKeys(for: newSubjects)
        let needed = Set(orderOfSubjects).subtracting(newSubjects).union(merges.map(\.from)).union(merges.map(\.into))
        if !needed.isEmpty {
            for (subject, key) in try keys.dataKeys(for: needed) { dataKeys[subject] = key }
        }
        let context = AESGCMContext()
        let createdAt = Int64(now.timeIntervalSince1970 * 1000)
        let columnCount = dataset.columns.count
        var plaintext: [UInt8] = []
        try store.write { writer in
            var nextBlock = try writer.reserveBlockIDs(max(orderOfSubjects.count, 1))
            for subject in newSubjects { try writer.insertSubject(subject, createdAt: createdAt) }
            for (token, owner) in tokenOwner where existing[token] == nil && rowsOfSubject[subjectOfRow[owner]] != nil {
                try writer.insertToken(token, subject: subjectOfRow[owner])
            }
            for subject in orderOfSubjects {
                guard let key = dataKeys[subject] else { throw VaultError.dataKeyMissing }
                let indices = rowsOfSubject[subject, default: []]
                plaintext.removeAll(keepingCapacity: true)
                RecordCodec.encode(rows: indices.map { rows[$0].values }, columnCount: columnCount, into: &plaintext)
                let blockID = nextBlock
                nextBlock += 1
                let sealed = try Vault.seal(plaintext, key: key, aad: Vault.associatedData(dataset: dataset.name, subject: subject, blockID: blockID),
                                            context: context, random: random)
                try writer.insertBlock(SealedBlock(blockID: blockID, dataset: dataset.name, subject: subject, rowCount: indices.count,
                                                   sealed: sealed, rowDigests: digestsOfSubject[subject] ?? []))
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
            let length = try block.sealed.withUnsafeBytes { sealed in
                try Vault.open(sealed, key: fromKey, aad: Vault.associatedData(dataset: block.dataset, subject: from, blockID: block.blockID),
                               context: context, into: &plaintext)
            }
            let sealed = try Vault.seal(Array(plaintext[0..<length]), key: intoKey, aad: Vault.associatedData(dataset: block.dataset, subject: into, blockID: first),
                                        context: context, random: random)
            try writer.insertBlock(SealedBlock(blockID: first, dataset: block.dataset, subject: into, rowCount: block.rowCount,
                                               sealed: sealed, rowDigests: block.rowDigests))
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
