import CustosBase
import CustosCrypto
import Foundation
import GRDB
import Synchronization

/// The key hierarchy under `keys/`:
///
/// - `kek-vN.key`: the key-encryption key, raw or sealed under a scrypt-derived passphrase key (0600).
/// - `keystore.sqlite`: per-subject data keys (DEKs) and the pseudonym root secret, each wrapped by
///   the KEK with AES-256-GCM. It lives apart from the data store, so a copy of the data alone never
///   brings keys back, and destroying a DEK here crypto-shreds every copy of that subject's records.
/// - `audit.key` / `audit.pub`: the Ed25519 key pair that signs audit checkpoints (PEM).
public final class KeyHierarchy: Sendable {
    public let directory: URL
    private let store: DatabaseQueue
    /// Everything that changes, or is not thread-safe, behind one lock. Holding it also serialises
    /// every key-store write, so a rotation never interleaves with a key being created or replaced.
    private let state: Mutex<State>
    /// Root secret from which blind-index, de-duplication and pseudonym keys are derived.
    private let rootSecret: SymmetricKey

    private struct State {
        var currentVersion: Int
        var keks: [Int: SymmetricKey]
        let random = BufferedSecureRandom()
        /// Reused for wrapping and unwrapping data keys.
        let wrapContext = AESGCMContext()
    }

    /// The KEK version new data keys are wrapped under (read under the lock `rotate()` writes it under).
    public var currentVersion: Int { state.withLock { $0.currentVersion } }

    static let fileMagic = Array("CUSTOS-KEK-1".utf8)
    static let rootSecretName = "pseudonym-root"

    private init(directory: URL, currentVersion: Int, keks: [Int: SymmetricKey], store: DatabaseQueue, rootSecret: SymmetricKey) {
        self.directory = directory
        self.state = Mutex(State(currentVersion: currentVersion, keks: keks))
        self.store = store
        self.rootSecret = rootSecret
    }

    // MARK: Creating and opening

    /// Creates a fresh key hierarchy in `directory` (which must not hold one already).
    public static func create(in directory: URL, passphrase: String? = nil) throws -> KeyHierarchy {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        chmod(directory.path, 0o700)
        guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent("kek-v1.key").path) else {
            throw VaultError.workspaceExists(path: directory.deletingLastPathComponent().path)
        }
        let kek = SymmetricKey()
        try writeKEK(kek, version: 1, to: directory, passphrase: passphrase)
        let store = try openStore(directory)
        let root = SymmetricKey()
        let hierarchy = KeyHierarchy(directory: directory, currentVersion: 1, keks: [1: kek], store: store, rootSecret: root)
        try store.write { db in
            try db.execute(sql: "INSERT INTO kek_versions(version, check_value, active) VALUES (1, ?, 1)",
                           arguments: [Data(try checkValue(kek: kek, version: 1))])
            try db.execute(sql: "INSERT INTO secrets(name, kek_version, wrapped) VALUES (?, 1, ?)",
                           arguments: [rootSecretName, Data(try hierarchy.state.withLock { try wrap(root, context: Array(rootSecretName.utf8), version: 1, in: $0) })])
        }
        let signing = Curve25519.Signing.PrivateKey()
        try KeyFiles.write(Array(try signing.pemRepresentation.utf8), to: directory.appendingPathComponent("audit.key"))
        let pub = try signing.publicKey.pemRepresentation
        try KeyFiles.write(Array(pub.utf8), to: directory.appendingPathComponent("audit.pub"))
        return hierarchy
    }

    /// Opens an existing hierarchy, refusing key files that others can read.
    public static func open(in directory: URL, passphrase: String? = nil) throws -> KeyHierarchy {
        guard FileManager.default.fileExists(atPath: directory.path) else {
            throw VaultError.workspaceMissing(path: directory.deletingLastPathComponent().path)
        }
        try KeyFiles.checkPermissions(directory.appendingPathComponent("keystore.sqlite"), displayPath: "keys/keystore.sqlite")
        try KeyFiles.checkPermissions(directory.appendingPathComponent("audit.key"), displayPath: "keys/audit.key")
        let store = try openStore(directory)
        let versions = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT version, check_value FROM kek_versions WHERE active = 1 ORDER BY version")
                .map { (Int($0[0] as Int64), [UInt8]($0[1] as Data)) }
        }
        guard let current = versions.last?.0 else { throw VaultError.keyFileCorrupt(path: "keys/keystore.sqlite") }
        var keks: [Int: SymmetricKey] = [:]
        for (version, check) in versions {
            let kek = try readKEK(version: version, from: directory, passphrase: passphrase)
            guard let expected = try? checkValue(kek: kek, version: version, nonce: Array(check.prefix(12))),
                  constantTimeEquals(expected, check)
            else { throw VaultError.wrongKeyEncryptionKey(version: version) }
            keks[version] = kek
        }
        let wrappedRoot = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT kek_version, wrapped FROM secrets WHERE name = ?", arguments: [rootSecretName])
        }
        guard let wrappedRoot else { throw VaultError.keyFileCorrupt(path: "keys/keystore.sqlite") }
        let partial = KeyHierarchy(directory: directory, currentVersion: current, keks: keks, store: store, rootSecret: SymmetricKey(bytes: []))
        let root = try partial.state.withLock {
            try unwrap(wrappedRoot[1] as Data, context: Array(rootSecretName.utf8), version: Int(wrappedRoot[0] as Int64), in: $0)
        }
        return KeyHierarchy(directory: directory, currentVersion: current, keks: keks, store: store, rootSecret: root)
    }

    private static func openStore(_ directory: URL) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)  // wait for another process's write instead of failing
        configuration.prepareDatabase { db in
            // Deleted key rows are overwritten with zeros, and the rollback journal is removed after
            // each transaction, so a shredded key does not linger in the key store's files.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        let path = directory.appendingPathComponent("keystore.sqlite").path
        let existed = FileManager.default.fileExists(atPath: path)
        if !existed {
            let fd = Foundation.open(path, O_WRONLY | O_CREAT, 0o600)
            if fd >= 0 { close(fd) }
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-keystore") { db in
            try db.execute(sql: """
                CREATE TABLE kek_versions(version INTEGER PRIMARY KEY, check_value BLOB NOT NULL, active INTEGER NOT NULL);
                CREATE TABLE secrets(name TEXT PRIMARY KEY, kek_version INTEGER NOT NULL, wrapped BLOB NOT NULL);
                CREATE TABLE data_keys(subject BLOB PRIMARY KEY, kek_version INTEGER NOT NULL, wrapped BLOB NOT NULL,
                                       pending BLOB) WITHOUT ROWID;
                """)
        }
        try migrator.migrate(queue)
        chmod(path, 0o600)
        return queue
    }

    // MARK: KEK files

    private static func kekURL(_ directory: URL, _ version: Int) -> URL { directory.appendingPathComponent("kek-v\(version).key") }

    /// File layout: magic, mode byte (0 raw, 1 scrypt), then the raw key, or
    /// salt(16) || log2N(1) || r(1) || p(1) || sealed box of the key under the scrypt-derived key.
    static func writeKEK(_ kek: SymmetricKey, version: Int, to directory: URL, passphrase: String?) throws {
        var bytes = fileMagic
        if let passphrase {
            let salt = SecureRandom.bytes(count: 16)
            let logN: UInt8 = 15, r: UInt8 = 8, p: UInt8 = 1
            let wrappingKey = try Scrypt.deriveKey(passphrase: passphrase, salt: salt, n: 1 << UInt64(logN), r: UInt64(r), p: UInt64(p))
            let box = try AES.GCM.seal(kek.rawBytes, using: wrappingKey, authenticating: Array("custos/kek/v\(version)".utf8))
            bytes += [1] + salt + [logN, r, p] + box.combined
        } else {
            bytes += [0] + kek.rawBytes
        }
        try KeyFiles.write(bytes, to: kekURL(directory, version))
    }

    static func readKEK(version: Int, from directory: URL, passphrase: String?) throws -> SymmetricKey {
        let display = "keys/kek-v\(version).key"
        let bytes = try KeyFiles.read(kekURL(directory, version), displayPath: display)
        guard bytes.count > fileMagic.count, Array(bytes.prefix(fileMagic.count)) == fileMagic else {
            throw VaultError.keyFileCorrupt(path: display)
        }
        let body = Array(bytes.dropFirst(fileMagic.count))
        switch body.first {
        case 0:
            guard body.count == 33 else { throw VaultError.keyFileCorrupt(path: display) }
            return SymmetricKey(bytes: Array(body[1...]))
        case 1:
            guard let passphrase else { throw VaultError.passphraseRequired }
            guard body.count >= 1 + 16 + 3 + 28 else { throw VaultError.keyFileCorrupt(path: display) }
            let salt = Array(body[1..<17])
            let logN = body[17], r = body[18], p = body[19]
            guard logN <= 22 else { throw VaultError.keyFileCorrupt(path: display) }
            let wrappingKey = try Scrypt.deriveKey(passphrase: passphrase, salt: salt, n: 1 << UInt64(logN), r: UInt64(r), p: UInt64(p))
            do {
                let box = try AES.GCM.SealedBox(combined: Array(body[20...]))
                return SymmetricKey(bytes: try AES.GCM.open(box, using: wrappingKey, authenticating: Array("custos/kek/v\(version)".utf8)))
            } catch {
                throw VaultError.wrongPassphrase
            }
        default:
            throw VaultError.keyFileCorrupt(path: display)
        }
    }

    /// Whether the KEK file is passphrase-protected.
    public static func isPassphraseProtected(_ directory: URL, version: Int) -> Bool {
        guard let data = FileManager.default.contents(atPath: kekURL(directory, version).path) else { return false }
        return data.count > fileMagic.count && data[fileMagic.count] == 1
    }

    // MARK: Wrapping

    private static func checkValue(kek: SymmetricKey, version: Int, nonce: [UInt8]? = nil) throws -> [UInt8] {
        let n = try nonce.map { try AES.GCM.Nonce(bytes: $0) } ?? AES.GCM.Nonce()
        return try AES.GCM.seal([UInt8](repeating: 0, count: 16), using: kek, nonce: n,
                                authenticating: Array("custos/kek-check/v\(version)".utf8)).combined
    }

    /// AAD of a wrapped key: binds it to what it protects (a subject id or a secret's name) and the KEK version.
    private static func aad(context: [UInt8], version: Int) -> [UInt8] {
        Array("custos/wrap/v1/kek\(version)/".utf8) + context
    }

    /// Wraps `key` under KEK `version`; the caller holds the lock (`state` is the locked value).
    private static func wrap(_ key: SymmetricKey, context: [UInt8], version: Int, in state: State) throws -> [UInt8] {
        let random = state.random, wrapContext = state.wrapContext
        guard let kek = state.keks[version] else { throw VaultError.kekVersionMissing(version: version) }
        let nonce = AES.GCM.nonceByteCount, tag = AES.GCM.tagByteCount
        var out = [UInt8](repeating: 0, count: nonce + key.byteCount + tag)
        let ad = aad(context: context, version: version)
        try out.withUnsafeMutableBytes { buffer in
            random.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<nonce]))
            try key.withUnsafeBytes { raw in
                try ad.withUnsafeBytes { adBytes in
                    try wrapContext.seal(raw, key: kek, nonce: UnsafeRawBufferPointer(rebasing: buffer[0..<nonce]), aad: adBytes,
                                         ciphertext: UnsafeMutableRawBufferPointer(rebasing: buffer[nonce..<(nonce + raw.count)]),
                                         tag: UnsafeMutableRawBufferPointer(rebasing: buffer[(nonce + raw.count)...]))
                }
            }
        }
        return out
    }

    /// Unwraps a data key with `keks` and `wrapContext`: the locked state's, or a worker's own cipher
    /// context beside a copy of the KEKs taken under the lock.
    private static func unwrap(
        _ wrapped: UnsafeRawBufferPointer, context: [UInt8], version: Int, keks: [Int: SymmetricKey], using wrapContext: AESGCMContext
    ) throws -> SymmetricKey {
        guard let kek = keks[version] else { throw VaultError.kekVersionMissing(version: version) }
        let nonce = AES.GCM.nonceByteCount, tag = AES.GCM.tagByteCount
        guard wrapped.count == nonce + 32 + tag else { throw VaultError.wrongKeyEncryptionKey(version: version) }
        var raw = [UInt8](repeating: 0, count: 32)
        let ad = aad(context: context, version: version)
        do {
            try raw.withUnsafeMutableBytes { out in
                try ad.withUnsafeBytes { adBytes in
                    try wrapContext.open(UnsafeRawBufferPointer(rebasing: wrapped[nonce..<(nonce + 32)]), key: kek,
                                         nonce: UnsafeRawBufferPointer(rebasing: wrapped[0..<nonce]), aad: adBytes,
                                         tag: UnsafeRawBufferPointer(rebasing: wrapped[(nonce + 32)...]), plaintext: out)
                }
            }
        } catch {
            throw VaultError.wrongKeyEncryptionKey(version: version)
        }
        return SymmetricKey(bytes: raw)
    }

    /// Unwraps with the locked state's KEKs and cipher context; the caller holds the lock.
    private static func unwrap(_ wrapped: Data, context: [UInt8], version: Int, in state: State) throws -> SymmetricKey {
        try wrapped.withUnsafeBytes { try unwrap($0, context: context, version: version, keks: state.keks, using: state.wrapContext) }
    }

    // MARK: Data keys

    /// Creates and stores fresh data keys for new subjects (one transaction).
    public func createDataKeys(for subjects: [SubjectID]) throws -> [SubjectID: SymmetricKey] {
        try state.withLock { state in
            var created: [SubjectID: SymmetricKey] = [:]
            let version = state.currentVersion
            try store.write { db in
                let statement = try db.cachedStatement(sql: "INSERT INTO data_keys(subject, kek_version, wrapped) VALUES (?, ?, ?)")
                for subject in subjects {
                    var raw = [UInt8](repeating: 0, count: 32)
                    raw.withUnsafeMutableBytes { state.random.fill($0) }
                    let key = SymmetricKey(bytes: raw)
                    try statement.execute(arguments: [Data(subject.bytes), version,
                                                      Data(try Self.wrap(key, context: subject.bytes, version: version, in: state))])
                    created[subject] = key
                }
            }
            return created
        }
    }

    /// The data keys of the given subjects (or of every subject when nil). Subjects whose key was
    /// destroyed are absent from the result.
    public func dataKeys(for subjects: Set<SubjectID>? = nil) throws -> [SubjectID: SymmetricKey] {
        try state.withLock { state in
            var keys: [SubjectID: SymmetricKey] = [:]
            try store.read { db in
                if let subjects, subjects.count < 64 {
                    for subject in subjects {
                        if let row = try Row.fetchOne(db, sql: "SELECT kek_version, wrapped FROM data_keys WHERE subject = ?",
                                                      arguments: [Data(subject.bytes)]) {
                            keys[subject] = try Self.unwrap(row[1] as Data, context: subject.bytes, version: Int(row[0] as Int64), in: state)
                        }
                    }
                    return
                }
                // Read the wrapped keys, then unwrap them on every core (one cipher context per thread).
                var wrapped: [(SubjectID, Int, [UInt8])] = []
                let cursor = try Row.fetchCursor(db, sql: "SELECT subject, kek_version, wrapped FROM data_keys")
                while let row = try cursor.next() {
                    guard let subject = SubjectID(bytes: [UInt8](row[0] as Data)) else { continue }
                    if let subjects, !subjects.contains(subject) { continue }
                    wrapped.append((subject, Int(row[1] as Int64), [UInt8](row[2] as Data)))
                }
                let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, wrapped.count / 4096))
                let all = wrapped
                let keks = state.keks
                let results = Mutex([Result<[SubjectID: SymmetricKey], any Error>](repeating: .success([:]), count: workers))
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let cipher = AESGCMContext()
                    var part: [SubjectID: SymmetricKey] = [:]
                    let result: Result<[SubjectID: SymmetricKey], any Error>
                    do {
                        for i in stride(from: w, to: all.count, by: workers) {
                            let (subject, version, bytes) = all[i]
                            part[subject] = try bytes.withUnsafeBytes {
                                try Self.unwrap($0, context: subject.bytes, version: version, keks: keks, using: cipher)
                            }
                        }
                        result = .success(part)
                    } catch {
                        result = .failure(error)
                    }
                    results.withLock { $0[w] = result }
                }
                for result in results.withLock({ $0 }) { keys.merge(try result.get()) { a, _ in a } }
            }
            return keys
        }
    }

    /// Crypto-shredding: destroys the subject's data key. Every record sealed with it, in every
    /// copy and backup of the data store, becomes unreadable. Returns false if there was no key.
    @discardableResult
    public func destroyDataKey(for subject: SubjectID) throws -> Bool {
        try state.withLock { _ in
            try store.write { db in
                try db.execute(sql: "DELETE FROM data_keys WHERE subject = ?", arguments: [Data(subject.bytes)])
                return db.changesCount > 0
            }
        }
    }

    /// The subjects that have a data key (nothing is unwrapped).
    public func keyedSubjects() throws -> Set<SubjectID> {
        try state.withLock { _ in
            try store.read { db in
                Set(try Data.fetchAll(db, sql: "SELECT subject FROM data_keys").compactMap { SubjectID(bytes: [UInt8]($0)) })
            }
        }
    }

    // MARK: Replacing a subject's key (rectification)

    /// Stages a fresh data key for `subject` beside the current one and returns both. The caller
    /// re-seals the subject's records under the new key, then calls `promotePendingKey`. A crash in
    /// between is resolved by `resolvePendingKey`, so records are never left without their key.
    public func stageReplacementKey(for subject: SubjectID) throws -> (current: SymmetricKey, replacement: SymmetricKey) {
        guard let current = try dataKeys(for: [subject])[subject] else { throw VaultError.dataKeyMissing }
        return try state.withLock { state in
            var raw = [UInt8](repeating: 0, count: 32)
            raw.withUnsafeMutableBytes { state.random.fill($0) }
            let replacement = SymmetricKey(bytes: raw)
            try store.write { db in
                try db.execute(sql: "UPDATE data_keys SET pending = ? WHERE subject = ?",
                               arguments: [Data(try Self.wrap(replacement, context: subject.bytes + [1], version: state.currentVersion, in: state)),
                                           Data(subject.bytes)])
            }
            return (current, replacement)
        }
    }

    /// Makes the staged key current; the old key is overwritten (crypto-shredding the old ciphertexts).
    public func promotePendingKey(for subject: SubjectID) throws {
        try state.withLock { state in
            try store.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT kek_version, pending FROM data_keys WHERE subject = ?", arguments: [Data(subject.bytes)]),
                      let pending = row[1] as Data?
                else { return }
                let key = try Self.unwrap(pending, context: subject.bytes + [1], version: Int(row[0] as Int64), in: state)
                let version = state.currentVersion
                try db.execute(sql: "UPDATE data_keys SET wrapped = ?, pending = NULL, kek_version = ? WHERE subject = ?",
                               arguments: [Data(try Self.wrap(key, context: subject.bytes, version: version, in: state)), version, Data(subject.bytes)])
            }
        }
    }

    /// Drops a staged key that was never used.
    public func dropPendingKey(for subject: SubjectID) throws {
        try state.withLock { _ in
            try store.write { db in
                try db.execute(sql: "UPDATE data_keys SET pending = NULL WHERE subject = ?", arguments: [Data(subject.bytes)])
            }
        }
    }

    /// Subjects with a staged key (left by an interrupted rectification) and that key.
    public func pendingKeys() throws -> [SubjectID: SymmetricKey] {
        try state.withLock { state in
            try store.read { db in
                var out: [SubjectID: SymmetricKey] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT subject, kek_version, pending FROM data_keys WHERE pending IS NOT NULL") {
                    guard let subject = SubjectID(bytes: [UInt8](row[0] as Data)) else { continue }
                    out[subject] = try Self.unwrap(row[2] as Data, context: subject.bytes + [1], version: Int(row[1] as Int64), in: state)
                }
                return out
            }
        }
    }

    /// Number of live data keys.
    public func dataKeyCount() throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM data_keys") ?? 0 }
    }

    // MARK: Rotation

    /// Rotation: a new KEK version, every data key and secret re-wrapped under it in one
    /// transaction, then the old KEK retired and its file destroyed. Data records are untouched
    /// (they are sealed with data keys, which do not change).
    public func rotate(passphrase: String? = nil) throws -> (version: Int, rewrapped: Int) {
        try state.withLock { state in
            let pendingCount = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM data_keys WHERE pending IS NOT NULL") ?? 0 }
            guard pendingCount == 0 else {
                throw VaultError.storage("\(pendingCount) interrupted key replacements must be resolved first; open the workspace once to resolve them")
            }
            let newVersion = state.currentVersion + 1
            let newKEK = SymmetricKey()
            try KeyHierarchy.writeKEK(newKEK, version: newVersion, to: directory, passphrase: passphrase)
            state.keks[newVersion] = newKEK
            var count = 0
            let current = state
            try store.write { db in
                try db.execute(sql: "INSERT INTO kek_versions(version, check_value, active) VALUES (?, ?, 1)",
                               arguments: [newVersion, Data(try KeyHierarchy.checkValue(kek: newKEK, version: newVersion))])
                let rows = try Row.fetchAll(db, sql: "SELECT subject, kek_version, wrapped FROM data_keys")
                let update = try db.cachedStatement(sql: "UPDATE data_keys SET kek_version = ?, wrapped = ? WHERE subject = ?")
                for row in rows {
                    let subjectBytes = [UInt8](row[0] as Data)
                    guard let subject = SubjectID(bytes: subjectBytes) else { continue }
                    let key = try Self.unwrap(row[2] as Data, context: subject.bytes, version: Int(row[1] as Int64), in: current)
                    try update.execute(arguments: [newVersion, Data(try Self.wrap(key, context: subject.bytes, version: newVersion, in: current)),
                                                   Data(subjectBytes)])
                    count += 1
                }
                try db.execute(sql: "UPDATE secrets SET kek_version = ?, wrapped = ? WHERE name = ?",
                               arguments: [newVersion, Data(try Self.wrap(rootSecret, context: Array(KeyHierarchy.rootSecretName.utf8),
                                                                          version: newVersion, in: current)),
                                           KeyHierarchy.rootSecretName])
                try db.execute(sql: "UPDATE kek_versions SET active = 0 WHERE version < ?", arguments: [newVersion])
            }
            for version in state.keks.keys where version < newVersion {
                state.keks[version] = nil
                KeyHierarchy.destroyFile(KeyHierarchy.kekURL(directory, version))
            }
            state.currentVersion = newVersion
            return (newVersion, count)
        }
    }

    /// Overwrites a key file with random bytes, syncs, then unlinks it.
    /// Overwrites a file with random bytes, syncs, and unlinks it (best effort against recovery
    /// from the file system; SSDs and snapshots may keep older blocks).
    public static func destroyFile(_ url: URL) {
        if let handle = FileHandle(forWritingAtPath: url.path) {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            handle.write(Data(SecureRandom.bytes(count: max(size ?? 64, 64))))
            try? handle.synchronize()
            try? handle.close()
        }
        unlink(url.path)
        // Best effort: the unlink has happened; a failed directory sync only delays its durability.
        try? AtomicFile.syncDirectory(url.deletingLastPathComponent().path)
    }

    // MARK: Backup

    /// A consistent copy of `keystore.sqlite` at `path` (SQLite `VACUUM INTO`), mode 0600. It holds
    /// data keys wrapped by the KEK, never the KEK itself: a backup opens only where that KEK version is.
    public func snapshot(to path: String) throws {
        // The store's queue serialises this with every key write, so the copy is one consistent state.
        // The caller puts the copy in a folder only the owner can enter (mode 0700).
        guard !FileManager.default.fileExists(atPath: path) else {
            throw VaultError.storage("\(URL(fileURLWithPath: path).lastPathComponent) already exists; back up into an empty folder")
        }
        try store.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        chmod(path, 0o600)
    }

    /// The KEK versions a key store file needs (read without opening it as this workspace's).
    public static func kekVersions(ofKeyStoreAt path: String) throws -> [Int] {
        let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try queue.read { db in try Int.fetchAll(db, sql: "SELECT version FROM kek_versions WHERE active = 1 ORDER BY version") }
    }

    // MARK: Derived keys

    /// A key derived from the root secret for one use, e.g. "custos/blind-index/v1".
    public func derivedKey(label: String) throws -> SymmetricKey {
        try HKDF.deriveKey(from: rootSecret, label: label)
    }

    /// The root key from which per-purpose pseudonym keys are derived (handed to the privacy layer).
    public var pseudonymRootKey: SymmetricKey {
        get throws { try derivedKey(label: "custos/pseudonym-root/v1") }
    }

    /// The audit signing key (Ed25519), from `keys/audit.key`.
    public func auditSigningKey() throws -> Curve25519.Signing.PrivateKey {
        let bytes = try KeyFiles.read(directory.appendingPathComponent("audit.key"), displayPath: "keys/audit.key")
        return try Curve25519.Signing.PrivateKey(pemRepresentation: String(decoding: bytes, as: UTF8.self))
    }
}
