import CustosCrypto
import Foundation
import GRDB
import Synchronization

/// The embedded default backend: SQLite through GRDB, WAL mode, in `data/vault.sqlite`.
/// Temporary structures stay in memory (no temp files), deleted content is zeroed.
public final class SQLiteRecordStore: RecordStore, Sendable {
    let pool: DatabasePool
    /// Dataset name to row id, filled as datasets are first seen.
    private let datasetIDs = Mutex<[String: Int64]>([:])
    /// Seals the per-dataset block summaries (bound by the vault from the key hierarchy).
    private let blockSetKey = Mutex<SymmetricKey?>(nil)

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        configuration.maximumReaderCount = 4
        // Another process (a second CLI command, the service) may hold the write lock: wait for it
        // rather than fail with "database is locked".
        configuration.busyMode = .timeout(30)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-records") { db in
            try db.execute(sql: """
                CREATE TABLE datasets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO counters(name, value) VALUES ('block', 0);
                CREATE TABLE subjects(subject BLOB PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE blind_index(token BLOB PRIMARY KEY, subject BLOB NOT NULL) WITHOUT ROWID;
                CREATE INDEX blind_index_subject ON blind_index(subject);
                CREATE TABLE blocks(block_id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL, subject BLOB NOT NULL,
                                    row_count INTEGER NOT NULL, row_digests BLOB NOT NULL, sealed BLOB NOT NULL);
                CREATE INDEX blocks_dataset ON blocks(dataset_id, block_id);
                CREATE INDEX blocks_subject ON blocks(subject, dataset_id);
                CREATE TABLE documents(subject BLOB NOT NULL, kind TEXT NOT NULL, doc_id INTEGER NOT NULL, sealed BLOB NOT NULL,
                                       PRIMARY KEY(subject, kind, doc_id)) WITHOUT ROWID;
                CREATE TABLE tombstones(request_digest TEXT PRIMARY KEY, erased_at INTEGER NOT NULL, blocks INTEGER NOT NULL,
                                        datasets TEXT NOT NULL);
                CREATE TABLE ingest_batches(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL, source_digest BLOB NOT NULL,
                                            rows_read INTEGER NOT NULL, rows_added INTEGER NOT NULL, duplicates INTEGER NOT NULL,
                                            new_subjects INTEGER NOT NULL, committed_at INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("v2-settings") { db in
            try db.execute(sql: "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        migrator.registerMigration("v2-budget-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE budget_ledger(principal TEXT NOT NULL, dataset TEXT NOT NULL, period TEXT NOT NULL,
                                           epsilon REAL NOT NULL DEFAULT 0, rho REAL NOT NULL DEFAULT 0,
                                           PRIMARY KEY(principal, dataset, period)) WITHOUT ROWID;
                CREATE TABLE budget_charges(job_id TEXT PRIMARY KEY, principal TEXT NOT NULL, dataset TEXT NOT NULL,
                                            period TEXT NOT NULL, epsilon REAL NOT NULL, rho REAL NOT NULL,
                                            state TEXT NOT NULL, at INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("v3-dsr-register") { db in
            try db.execute(sql: """
                CREATE TABLE register(kind TEXT NOT NULL, id TEXT NOT NULL, summary TEXT NOT NULL, sealed BLOB NOT NULL,
                                      PRIMARY KEY(kind, id)) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-budget-delta-population") { db in
            // Delta is charged like epsilon; the population account bounds every customer's total loss
            // over all principals and datasets (per period, and "lifetime").
            try db.execute(sql: """
                ALTER TABLE budget_ledger ADD COLUMN delta REAL NOT NULL DEFAULT 0;
                ALTER TABLE budget_charges ADD COLUMN delta REAL NOT NULL DEFAULT 0;
                CREATE TABLE population_budget(period TEXT PRIMARY KEY, epsilon REAL NOT NULL DEFAULT 0,
                                               delta REAL NOT NULL DEFAULT 0, rho REAL NOT NULL DEFAULT 0) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-block-sets") { db in
            // One sealed summary per dataset of its blocks (count, rows, sum of block ids) under a key
            // derived from the KEK: deleting blocks, or the summary, is detected on the next read.
            try db.execute(sql: """
                CREATE TABLE block_sets(dataset_id INTEGER PRIMARY KEY, blocks INTEGER NOT NULL, rows INTEGER NOT NULL,
                                        id_sum INTEGER NOT NULL, mac BLOB NOT NULL) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    func datasetID(_ name: String, db: Database, create: Bool) throws -> Int64? {
        if let cached = datasetIDs.withLock({ $0[name] }) { return cached }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM datasets WHERE name = ?", arguments: [name]) {
            datasetIDs.withLock { $0[name] = id }
            return id
        }
        guard create else { return nil }
        try db.execute(sql: "INSERT INTO datasets(name) VALUES (?)", arguments: [name])
        let id = db.lastInsertedRowID
        datasetIDs.withLock { $0[name] = id }
        return id
    }

    public func write<T>(_ body: (any RecordStoreWriter) throws -> T) throws -> T {
        let key = blockSetKey.withLock { $0 }
        return try pool.write { db in
            let writer = Writer(db: db, store: self)
            let result = try body(writer)
            // Re-seal the block summaries in the same transaction as the change.
            if let key { try Self.sealBlockSets(db, key: key) }
            return result
        }
    }

    // MARK: Block sets (tamper evidence for deleted blocks)

    public func bindBlockSetKey(_ key: SymmetricKey) { blockSetKey.withLock { $0 = key } }

    /// (blocks, rows, sum of block ids) per dataset id, from the blocks table itself.
    static func blockSummaries(_ db: Database) throws -> [Int64: (Int64, Int64, Int64)] {
        var out: [Int64: (Int64, Int64, Int64)] = [:]
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM datasets") { out[id] = (0, 0, 0) }
        for row in try Row.fetchAll(db, sql: "SELECT dataset_id, count(*), coalesce(sum(row_count), 0), coalesce(sum(block_id), 0) FROM blocks GROUP BY dataset_id") {
            out[row[0]] = (row[1], row[2], row[3])
        }
        return out
    }

    static func blockSetMAC(_ id: Int64, _ summary: (Int64, Int64, Int64), key: SymmetricKey) -> [UInt8] {
        HMACSHA256.authenticationCode(for: Array("custos/block-set/v1|\(id)|\(summary.0)|\(summary.1)|\(summary.2)".utf8), using: key)
    }

    static func sealBlockSets(_ db: Database, key: SymmetricKey) throws {
        for (id, summary) in try blockSummaries(db) {
            try db.execute(sql: "INSERT OR REPLACE INTO block_sets(dataset_id, blocks, rows, id_sum, mac) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, summary.0, summary.1, summary.2, Data(blockSetMAC(id, summary, key: key))])
        }
    }

    /// Throws unless the blocks of `dataset` are exactly those last sealed by a write of Custos: a
    /// block deleted (or added) behind its back, or an edited or deleted summary, is reported.
    public func verifyBlockSet(dataset: String) throws {
        guard let key = blockSetKey.withLock({ $0 }) else { return }
        try pool.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM datasets WHERE name = ?", arguments: [dataset]) else { return }
            let actual = try Self.blockSummaries(db)[id] ?? (0, 0, 0)
            // Every write seals every known dataset, so a dataset without a summary lost it.
            guard let row = try Row.fetchOne(db, sql: "SELECT blocks, rows, id_sum, mac FROM block_sets WHERE dataset_id = ?", arguments: [id]) else {
                throw VaultError.integrityFailure(dataset: dataset, detail: "the sealed summary of its blocks is missing; restore data/vault.sqlite from a backup and check the audit log")
            }
            let sealed: (Int64, Int64, Int64) = (row[0], row[1], row[2])
            let mac = [UInt8](row[3] as Data)
            guard constantTimeEquals(mac, Self.blockSetMAC(id, sealed, key: key)) else {
                throw VaultError.integrityFailure(dataset: dataset, detail: "the sealed summary of its blocks was edited; restore data/vault.sqlite from a backup")
            }
            guard sealed == actual else {
                throw VaultError.integrityFailure(
                    dataset: dataset,
                    detail: "the store holds \(actual.0) blocks (\(actual.1) rows) but Custos last sealed \(sealed.0) blocks (\(sealed.1) rows): blocks were deleted or added outside Custos; restore data/vault.sqlite from a backup")
            }
        }
    }

    public func subjects(forTokens tokens: [[UInt8]]) throws -> [[UInt8]: SubjectID] {
        try pool.read { db in
            var found: [[UInt8]: SubjectID] = [:]
            let statement = try db.cachedStatement(sql: "SELECT subject FROM blind_index WHERE token = ?")
            for token in tokens {
                if let data = try Data.fetchOne(statement, arguments: [Data(token)]), let subject = SubjectID(bytes: [UInt8](data)) {
                    found[token] = subject
                }
            }
            return found
        }
    }

    public func rowDigests(dataset: String, subjects: [SubjectID]) throws -> [SubjectID: Set<UInt64>] {
        try pool.read { db in
            guard let id = try datasetID(dataset, db: db, create: false) else { return [:] }
            var found: [SubjectID: Set<UInt64>] = [:]
            let statement = try db.cachedStatement(sql: "SELECT row_digests FROM blocks WHERE subject = ? AND dataset_id = ?")
            for subject in subjects {
                let rows = try Row.fetchCursor(statement, arguments: [Data(subject.bytes), id])
                while let row = try rows.next() {
                    guard let data = row.dataNoCopy(atIndex: 0) else { continue }
                    var set = found[subject, default: []]
                    data.withUnsafeBytes { raw in
                        for i in stride(from: 0, to: raw.count - 7, by: 8) { set.insert(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
                    }
                    found[subject] = set
                }
            }
            return found
        }
    }

    public func scan(
        dataset: String, subjects: Set<SubjectID>?, partition: Int = 0, partitions: Int = 1,
        _ body: (SubjectID, Int64, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try pool.read { db in
            guard let id = try datasetID(dataset, db: db, create: false) else { return }
            if let subjects, subjects.count <= 1000 {
                let statement = try db.cachedStatement(
                    sql: "SELECT subject, block_id, sealed FROM blocks WHERE subject = ? AND dataset_id = ? ORDER BY block_id")
                for subject in subjects.sorted() {
                    let rows = try Row.fetchCursor(statement, arguments: [Data(subject.bytes), id])
                    while let row = try rows.next() { try deliver(row, body) }
                }
                return
            }
            // Partitions are contiguous block-id ranges, so parallel readers each walk their own part of the index.
            var range: (Int64, Int64) = (Int64.min, Int64.max)
            if partitions > 1, let bounds = try Row.fetchOne(db, sql: "SELECT MIN(block_id), MAX(block_id) FROM blocks WHERE dataset_id = ?", arguments: [id]),
               let low = bounds[0] as Int64?, let high = bounds[1] as Int64? {
                let width = (high - low) / Int64(partitions) + 1
                range = (low + Int64(partition) * width, partition == partitions - 1 ? high : low + Int64(partition + 1) * width - 1)
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT subject, block_id, sealed FROM blocks WHERE dataset_id = ? AND block_id BETWEEN ? AND ? ORDER BY block_id",
                                           arguments: [id, range.0, range.1])
            while let row = try rows.next() {
                if let subjects {
                    guard let s = Self.subject(row), subjects.contains(s) else { continue }
                }
                try deliver(row, body)
            }
        }
    }

    private static func subject(_ row: Row) -> SubjectID? {
        guard let data = row.dataNoCopy(atIndex: 0) else { return nil }
        return SubjectID(bytes: [UInt8](data))
    }

    private func deliver(_ row: Row, _ body: (SubjectID, Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        guard let subject = Self.subject(row), let sealed = row.dataNoCopy(atIndex: 2) else {
            throw VaultError.storage("a stored block has no subject or payload")
        }
        let blockID: Int64 = row[1]
        try sealed.withUnsafeBytes { try body(subject, blockID, $0) }
    }

    public func blocks(of subject: SubjectID) throws -> [SealedBlock] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT b.block_id, d.name, b.row_count, b.sealed, b.row_digests FROM blocks b JOIN datasets d ON d.id = b.dataset_id
                WHERE b.subject = ? ORDER BY b.block_id
                """, arguments: [Data(subject.bytes)]).map { row in
                SealedBlock(blockID: row[0], dataset: row[1], subject: subject, rowCount: row[2], sealed: [UInt8](row[3] as Data),
                            rowDigests: [UInt8](row[4] as Data))
            }
        }
    }

    public func allSubjects() throws -> [SubjectID] {
        try pool.read { db in
            try Data.fetchAll(db, sql: "SELECT subject FROM subjects ORDER BY subject").compactMap { SubjectID(bytes: [UInt8]($0)) }
        }
    }

    public func counts(dataset: String) throws -> (blocks: Int, rows: Int) {
        try pool.read { db in
            guard let id = try datasetID(dataset, db: db, create: false) else { return (0, 0) }
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(row_count), 0) FROM blocks WHERE dataset_id = ?", arguments: [id])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    public func documents(subject: SubjectID, kind: String) throws -> [(id: Int64, sealed: [UInt8])] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT doc_id, sealed FROM documents WHERE subject = ? AND kind = ? ORDER BY doc_id",
                             arguments: [Data(subject.bytes), kind]).map { (id: $0[0], sealed: [UInt8]($0[1] as Data)) }
        }
    }

    public func documents(kind: String, _ body: (SubjectID, Int64, [UInt8]) throws -> Void) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT subject, doc_id, sealed FROM documents WHERE kind = ? ORDER BY subject, doc_id",
                                           arguments: [kind])
            while let row = try rows.next() {
                guard let subject = SubjectID(bytes: [UInt8](row[0] as Data)) else { continue }
                try body(subject, row[1], [UInt8](row[2] as Data))
            }
        }
    }

    public func tombstones() throws -> [ErasureTombstone] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT request_digest, erased_at, blocks, datasets FROM tombstones ORDER BY erased_at").map {
                ErasureTombstone(requestDigest: $0[0], erasedAt: $0[1], blocks: $0[2],
                                 datasets: ($0[3] as String).split(separator: ",").map(String.init))
            }
        }
    }

    // MARK: Sealed register (data-subject requests, verification ledger)

    /// Stores a sealed register record with a plaintext summary that holds no personal data
    /// (state, type, due date), so the register can be listed without opening every record.
    public func putRegisterRecord(kind: String, id: String, summary: String, sealed: [UInt8]) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO register(kind, id, summary, sealed) VALUES (?, ?, ?, ?)",
                           arguments: [kind, id, summary, Data(sealed)])
        }
    }

    public func registerRecord(kind: String, id: String) throws -> [UInt8]? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT sealed FROM register WHERE kind = ? AND id = ?", arguments: [kind, id]).map { [UInt8]($0) }
        }
    }

    public func registerRecords(kind: String) throws -> [(id: String, summary: String, sealed: [UInt8])] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, summary, sealed FROM register WHERE kind = ? ORDER BY id", arguments: [kind])
                .map { (id: $0[0], summary: $0[1], sealed: [UInt8]($0[2] as Data)) }
        }
    }

    // MARK: Settings

    /// A workspace setting (never personal data): workspace id, last seen policy version.
    public func setting(_ name: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) }
    }

    public func setSetting(_ name: String, _ value: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO settings(name, value) VALUES (?, ?)", arguments: [name, value])
        }
    }

    // MARK: Privacy budget ledger

    /// Atomically charges a job's whole cost to every account, unless `verify` finds the stored ledger
    /// inconsistent or `admits` refuses the total any account would reach; then nothing is charged.
    /// SQLite serialises writers (across processes too), so concurrent jobs can never overspend any
    /// account, the population's included, and `verify` sees exactly the state the charge builds on.
    public func reserveBudget(
        jobID: String, accounts: [LedgerAccount], cost: LedgerCost, at: Int64,
        verify: ((LedgerState) -> String?)?,
        admits: (_ total: LedgerCost, _ account: LedgerAccount) -> Bool
    ) throws -> LedgerRefusal? {
        try pool.write { db in
            if let verify, let problem = verify(try Self.state(db: db)) {
                let first = accounts.first ?? LedgerAccount(holder: .population, period: "lifetime")
                return LedgerRefusal(account: first, spent: try Self.spent(first, db: db), inconsistency: problem)
            }
            for account in accounts {
                let spent = try Self.spent(account, db: db)
                if !admits(spent + cost, account) { return LedgerRefusal(account: account, spent: spent) }
            }
            for account in accounts {
                let principal: String, dataset: String, charge: String
                switch account.holder {
                case let .principal(name, set):
                    (principal, dataset, charge) = (name, set, "\(jobID)/\(account.period)")
                    try db.execute(sql: """
                        INSERT INTO budget_ledger(principal, dataset, period, epsilon, delta, rho) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT(principal, dataset, period) DO UPDATE SET epsilon = epsilon + excluded.epsilon,
                            delta = delta + excluded.delta, rho = rho + excluded.rho
                        """, arguments: [name, set, account.period, cost.epsilon, cost.delta, cost.rho])
                case .population:
                    (principal, dataset, charge) = ("", "", "\(jobID)/population/\(account.period)")
                    try db.execute(sql: """
                        INSERT INTO population_budget(period, epsilon, delta, rho) VALUES (?, ?, ?, ?)
                        ON CONFLICT(period) DO UPDATE SET epsilon = epsilon + excluded.epsilon, delta = delta + excluded.delta,
                            rho = rho + excluded.rho
                        """, arguments: [account.period, cost.epsilon, cost.delta, cost.rho])
                }
                try db.execute(sql: """
                    INSERT INTO budget_charges(job_id, principal, dataset, period, epsilon, delta, rho, state, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?)
                    """, arguments: [charge, principal, dataset, account.period, cost.epsilon, cost.delta, cost.rho, at])
            }
            return nil
        }
    }

    /// The stored ledger: totals and charge sums per account.
    public func ledgerState() throws -> LedgerState {
        try pool.read { db in try Self.state(db: db) }
    }

    public func raiseLedger(to targets: [LedgerAccount: LedgerCost], reference: String, at: Int64) throws
        -> [(account: LedgerAccount, before: LedgerCost, after: LedgerCost)]
    {
        try pool.write { db in
            let state = try Self.state(db: db)
            var changed: [(account: LedgerAccount, before: LedgerCost, after: LedgerCost)] = []
            let accounts = Set(targets.keys).union(state.totals.keys).union(state.charges.keys)
            for account in accounts.sorted(by: { "\($0)" < "\($1)" }) {
                let before = state.totals[account] ?? LedgerCost(), charged = state.charges[account] ?? LedgerCost()
                let target = targets[account] ?? LedgerCost()
                let after = LedgerCost(epsilon: max(before.epsilon, charged.epsilon, target.epsilon), delta: max(before.delta, charged.delta, target.delta),
                                       rho: max(before.rho, charged.rho, target.rho))
                let missing = LedgerCost(epsilon: after.epsilon - charged.epsilon, delta: after.delta - charged.delta, rho: after.rho - charged.rho)
                guard after != before || missing != LedgerCost() else { continue }
                let principal: String, dataset: String, charge: String
                switch account.holder {
                case let .principal(name, set):
                    (principal, dataset, charge) = (name, set, "\(reference)/\(account.period)")
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO budget_ledger(principal, dataset, period, epsilon, delta, rho) VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [name, set, account.period, after.epsilon, after.delta, after.rho])
                case .population:
                    (principal, dataset, charge) = ("", "", "\(reference)/population/\(account.period)")
                    try db.execute(sql: "INSERT OR REPLACE INTO population_budget(period, epsilon, delta, rho) VALUES (?, ?, ?, ?)",
                                   arguments: [account.period, after.epsilon, after.delta, after.rho])
                }
                if missing != LedgerCost() {
                    try db.execute(sql: """
                        INSERT INTO budget_charges(job_id, principal, dataset, period, epsilon, delta, rho, state, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'reconciled', ?)
                        """, arguments: [charge, principal, dataset, account.period, max(0, missing.epsilon), max(0, missing.delta), max(0, missing.rho), at])
                }
                changed.append((account, before, after))
            }
            return changed
        }
    }

    static func state(db: Database) throws -> LedgerState {
        var state = LedgerState()
        for row in try Row.fetchAll(db, sql: "SELECT principal, dataset, period, epsilon, delta, rho FROM budget_ledger") {
            state.totals[LedgerAccount(holder: .principal(row[0], dataset: row[1]), period: row[2])] = LedgerCost(epsilon: row[3], delta: row[4], rho: row[5])
        }
        for row in try Row.fetchAll(db, sql: "SELECT period, epsilon, delta, rho FROM population_budget") {
            state.totals[LedgerAccount(holder: .population, period: row[0])] = LedgerCost(epsilon: row[1], delta: row[2], rho: row[3])
        }
        // Population charges are stored with an empty principal and dataset.
        for row in try Row.fetchAll(db, sql: """
            SELECT principal, dataset, period, state IN ('reserved', 'reading'), SUM(epsilon), SUM(delta), SUM(rho) FROM budget_charges
            WHERE state != 'released' GROUP BY principal, dataset, period, state IN ('reserved', 'reading')
            """) {
            let account = Self.account(principal: row[0], dataset: row[1], period: row[2])
            let cost = LedgerCost(epsilon: row[4], delta: row[5], rho: row[6])
            state.charges[account] = (state.charges[account] ?? LedgerCost()) + cost
            if row[3] as Bool { state.unsettled[account] = cost }
        }
        return state
    }

    static func account(principal: String, dataset: String, period: String) -> LedgerAccount {
        LedgerAccount(holder: principal.isEmpty && dataset.isEmpty ? .population : .principal(principal, dataset: dataset), period: period)
    }

    public func markReading(jobID: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE budget_charges SET state = 'reading' WHERE job_id LIKE ? AND state = 'reserved'", arguments: [jobID + "/%"])
        }
    }

    public func releaseUnreadReservations(excluding inFlight: Set<String>) throws -> [ReleasedReservation] {
        try pool.write { db in
            var released: [String: (accounts: [LedgerAccount], cost: LedgerCost)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT job_id, principal, dataset, period, epsilon, delta, rho FROM budget_charges WHERE state = 'reserved' ORDER BY at, job_id
                """) {
                let charge: String = row[0]
                guard let slash = charge.firstIndex(of: "/") else { continue }
                let jobID = String(charge[..<slash])
                guard !inFlight.contains(jobID) else { continue }
                let account = Self.account(principal: row[1], dataset: row[2], period: row[3])
                let cost = LedgerCost(epsilon: row[4], delta: row[5], rho: row[6])
                switch account.holder {
                case let .principal(name, dataset):
                    try db.execute(sql: """
                        UPDATE budget_ledger SET epsilon = epsilon - ?, delta = delta - ?, rho = rho - ? WHERE principal = ? AND dataset = ? AND period = ?
                        """, arguments: [cost.epsilon, cost.delta, cost.rho, name, dataset, account.period])
                case .population:
                    try db.execute(sql: "UPDATE population_budget SET epsilon = epsilon - ?, delta = delta - ?, rho = rho - ? WHERE period = ?",
                                   arguments: [cost.epsilon, cost.delta, cost.rho, account.period])
                }
                try db.execute(sql: "UPDATE budget_charges SET state = 'released' WHERE job_id = ?", arguments: [charge])
                released[jobID, default: ([], cost)].accounts.append(account)
            }
            return released.sorted { $0.key < $1.key }.map { ReleasedReservation(jobID: $0.key, accounts: $0.value.accounts, cost: $0.value.cost) }
        }
    }

    static func spent(_ account: LedgerAccount, db: Database) throws -> LedgerCost {
        let row: Row?
        switch account.holder {
        case let .principal(name, dataset):
            row = try Row.fetchOne(db, sql: "SELECT epsilon, delta, rho FROM budget_ledger WHERE principal = ? AND dataset = ? AND period = ?",
                                   arguments: [name, dataset, account.period])
        case .population:
            row = try Row.fetchOne(db, sql: "SELECT epsilon, delta, rho FROM population_budget WHERE period = ?", arguments: [account.period])
        }
        guard let row else { return LedgerCost() }
        return LedgerCost(epsilon: row[0], delta: row[1], rho: row[2])
    }

    /// Marks a reservation as spent (the job released results). Reserved budget is never refunded
    /// once rows were read: a job that failed midway may still have leaked through timing or errors.
    public func settleBudget(jobID: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE budget_charges SET state = 'spent' WHERE job_id LIKE ?", arguments: [jobID + "/%"])
        }
    }

    /// Spend per principal, dataset and period.
    public func budgetLedger() throws -> [(principal: String, dataset: String, period: String, epsilon: Double, delta: Double, rho: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT principal, dataset, period, epsilon, delta, rho FROM budget_ledger ORDER BY principal, dataset, period")
                .map { (principal: $0[0], dataset: $0[1], period: $0[2], epsilon: $0[3], delta: $0[4], rho: $0[5]) }
        }
    }

    /// Spend of the population account per period (and `lifetime`).
    public func populationLedger() throws -> [(period: String, cost: LedgerCost)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT period, epsilon, delta, rho FROM population_budget ORDER BY period")
                .map { (period: $0[0], cost: LedgerCost(epsilon: $0[1], delta: $0[2], rho: $0[3])) }
        }
    }

    /// A consistent copy of the whole store at `path` (SQLite `VACUUM INTO`: one read transaction,
    /// no WAL to carry along), mode 0600. The file must not exist.
    public func snapshot(to path: String) throws {
        // The caller puts the copy in a folder only the owner can enter (mode 0700).
        guard !FileManager.default.fileExists(atPath: path) else {
            throw VaultError.storage("\(URL(fileURLWithPath: path).lastPathComponent) already exists; back up into an empty folder")
        }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        chmod(path, 0o600)
    }

    /// Folds the WAL back into the database file and truncates it.
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    final class Writer: RecordStoreWriter {
        let db: Database
        let store: SQLiteRecordStore

        init(db: Database, store: SQLiteRecordStore) {
            self.db = db
            self.store = store
        }

        func id(_ dataset: String) throws -> Int64 {
            guard let id = try store.datasetID(dataset, db: db, create: true) else { throw VaultError.unknownDataset(dataset) }
            return id
        }

        func reserveBlockIDs(_ count: Int) throws -> Int64 {
            try db.execute(sql: "UPDATE counters SET value = value + ? WHERE name = 'block'", arguments: [count])
            let last = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'block'") ?? Int64(count)
            return last - Int64(count) + 1
        }

        func insertSubject(_ subject: SubjectID, createdAt: Int64) throws {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO subjects(subject, created_at) VALUES (?, ?)")
                .execute(arguments: [Data(subject.bytes), createdAt])
        }

        func insertToken(_ token: [UInt8], subject: SubjectID) throws {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO blind_index(token, subject) VALUES (?, ?)")
                .execute(arguments: [Data(token), Data(subject.bytes)])
        }

        func insertBlock(_ block: SealedBlock) throws {
            try db.cachedStatement(sql: "INSERT INTO blocks(block_id, dataset_id, subject, row_count, row_digests, sealed) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [block.blockID, try id(block.dataset), Data(block.subject.bytes), block.rowCount,
                                     Data(block.rowDigests), Data(block.sealed)])
        }

        func deleteBlock(_ blockID: Int64) throws {
            try db.execute(sql: "DELETE FROM blocks WHERE block_id = ?", arguments: [blockID])
        }

        func reassign(from: SubjectID, to: SubjectID) throws {
            try db.execute(sql: "UPDATE blind_index SET subject = ? WHERE subject = ?", arguments: [Data(to.bytes), Data(from.bytes)])
        }

        func deleteSubject(_ subject: SubjectID) throws {
            let args: StatementArguments = [Data(subject.bytes)]
            try db.execute(sql: "DELETE FROM blocks WHERE subject = ?", arguments: args)
            try db.execute(sql: "DELETE FROM blind_index WHERE subject = ?", arguments: args)
            try db.execute(sql: "DELETE FROM documents WHERE subject = ?", arguments: args)
            try db.execute(sql: "DELETE FROM subjects WHERE subject = ?", arguments: args)
        }

        func putDocument(subject: SubjectID, kind: String, id: Int64, sealed: [UInt8]) throws {
            try db.execute(sql: "INSERT OR REPLACE INTO documents(subject, kind, doc_id, sealed) VALUES (?, ?, ?, ?)",
                           arguments: [Data(subject.bytes), kind, id, Data(sealed)])
        }

        func deleteDocuments(subject: SubjectID, kind: String) throws {
            try db.execute(sql: "DELETE FROM documents WHERE subject = ? AND kind = ?", arguments: [Data(subject.bytes), kind])
        }

        func recordTombstone(_ tombstone: ErasureTombstone) throws {
            try db.execute(sql: "INSERT OR REPLACE INTO tombstones(request_digest, erased_at, blocks, datasets) VALUES (?, ?, ?, ?)",
                           arguments: [tombstone.requestDigest, tombstone.erasedAt, tombstone.blocks, tombstone.datasets.joined(separator: ",")])
        }

        func recordBatch(_ batch: IngestBatchRecord, committedAt: Int64) throws {
            try db.execute(sql: """
                INSERT INTO ingest_batches(dataset_id, source_digest, rows_read, rows_added, duplicates, new_subjects, committed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [try id(batch.dataset), Data(batch.sourceDigest), batch.rowsRead, batch.rowsAdded,
                                 batch.duplicates, batch.newSubjects, committedAt])
        }
    }
}
