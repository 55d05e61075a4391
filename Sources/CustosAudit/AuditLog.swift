import CustosCrypto
import Foundation

/// The tamper-evident audit log: append-only segment files of canonical JSON lines, an RFC 6962 Merkle
/// tree over them, and Ed25519-signed C2SP checkpoints.
///
/// One writer at a time: `open` takes an exclusive `flock` on `audit.lock` (other processes, and other
/// `AuditLog` values in this process, wait up to `lockTimeout`), and the instance itself is safe to use
/// from many threads. Appends are group-committed: concurrent callers are batched into one write and one
/// fdatasync, and `append` returns only once its entry is durable.
///
/// A checkpoint is signed every `checkpointEvery` entries, by `checkpoint()`, and by `close()`.
public final class AuditLog: @unchecked Sendable {
    // @unchecked: group commit hands `mutex` across calls (taken in one function, released in another)
    // and passes `writer`, `frontier` and `checkpointedSize` from leader to leader by a leadership token,
    // which a scoped Mutex cannot express; everything else is written under `mutex` or only in `open`.
    /// Settings for `open`.
    public struct Options: Sendable {
        /// Sign a checkpoint whenever this many entries have been appended since the last one.
        public var checkpointEvery: UInt64
        /// Roll to a new segment before a segment would grow past this many bytes.
        public var segmentBytes: UInt64
        /// How long `open` waits for another writer to release the lock.
        public var lockTimeout: TimeInterval
        /// The actor recorded on `audit.recover` entries.
        public var recoveryActor: String
        /// Where the latest signed checkpoint is remembered outside `audit/` (nil: nowhere). With an
        /// anchor, `open` refuses a log whose checkpoints fall short of it instead of re-sealing.
        public var anchor: (any CheckpointAnchor)?
        /// Checkpoint files kept: the newest, every cosigned one, and the newest of each run of this
        /// many entries (so a log signed at the end of every short command keeps a bounded set);
        /// 1 keeps every checkpoint.
        public var keepCheckpointEvery: UInt64

        /// Defaults: checkpoint every 1,000 entries, 64 MiB segments, 30 s lock wait, actor `custos`,
        /// every checkpoint file kept.
        public init(checkpointEvery: UInt64 = 1000, segmentBytes: UInt64 = 64 << 20, lockTimeout: TimeInterval = 30,
                    recoveryActor: String = "custos", anchor: (any CheckpointAnchor)? = nil, keepCheckpointEvery: UInt64 = 1) {
            self.keepCheckpointEvery = max(1, keepCheckpointEvery)
            self.checkpointEvery = max(1, checkpointEvery)
            self.segmentBytes = max(1, segmentBytes)
            self.lockTimeout = lockTimeout
            self.recoveryActor = recoveryActor
            self.anchor = anchor
        }
    }

    /// The audit directory.
    public let directory: URL
    /// The log's origin (checkpoint first line and signing key name).
    public let origin: String
    /// The settings the log was opened with.
    public let options: Options
    /// What `open` found and did (resume point, truncation, recovery entry).
    public private(set) var openReport: AuditOpenReport

    let paths: AuditPaths
    let signer: NoteSigner
    private let lock: WriterLock

    // Guarded by `mutex`.
    let mutex = NSLock()
    var waiters = [Waiter]()
    var queuedBytes = [UInt8]()
    var queuedLengths = [Int]()
    var queuedHashes = [MerkleHash]()
    var assignedCount: UInt64
    var durableCount: UInt64
    var leaderActive = false
    var failure: String?
    var closed = false
    var latest: Checkpoint?

    // Owned by the current leader (see AuditLog+GroupCommit.swift).
    var writer: SegmentWriter
    var frontier: MerkleFrontier
    var checkpointedSize: UInt64?

    /// Opens (creating if needed) the audit log in `directory`, recovering from a crash if necessary.
    ///
    /// - Parameters:
    ///   - directory: the audit directory (e.g. `<workspace>/audit`).
    ///   - signingKey: the Ed25519 key that signs checkpoints; its public half is `keys/audit.pub`.
    ///   - origin: the log identity, a schema-less URL such as `example.com/custos/audit`.
    ///   - checkpointEvery: entries between automatic checkpoints.
    /// - Throws: `AuditError.logLocked` if another writer holds the log, `.checkpointAheadOfLog` if signed
    ///   entries are missing, `.checkpointMismatch` or `.malformedCheckpoint` if the log was altered; with an
    ///   anchor, `.signedCheckpointsMissing`, `.anchorMismatch` or `.unsignedLog` when checkpoints were
    ///   deleted, an older copy restored or signed entries rewritten. Nothing is signed in those cases.
    public static func open(directory: URL, signingKey: Curve25519.Signing.PrivateKey, origin: String,
                            checkpointEvery: UInt64 = 1000) throws(AuditError) -> AuditLog {
        try open(directory: directory, signingKey: signingKey, origin: origin,
                 options: Options(checkpointEvery: checkpointEvery))
    }

    /// Opens the log with explicit `options`; see `open(directory:signingKey:origin:checkpointEvery:)`.
    public static func open(directory: URL, signingKey: Curve25519.Signing.PrivateKey, origin: String,
                            options: Options) throws(AuditError) -> AuditLog {
        let signer = try NoteSigner(name: origin, privateKey: signingKey)
        let paths = AuditPaths(directory)
        try FileIO.makeDirectory(paths.root)
        let lock = try WriterLock(path: paths.lock, directory: paths.root, timeout: options.lockTimeout)
        try prepareLayout(paths)
        var opener = LogOpener(paths: paths, verifier: signer.verifierKey)
        if let anchor = options.anchor {
            opener.anchorLocation = anchor.location
            opener.anchored = try Checkpoint.anchored(anchor, verifier: signer.verifierKey)
        }
        let found = try opener.run()
        let writer = try SegmentWriter(paths: paths, rollBytes: options.segmentBytes, extents: found.extents)
        let log = AuditLog(directory: directory, origin: origin, options: options, paths: paths, signer: signer,
                           lock: lock, writer: writer, found: found)
        try log.finishOpening(found: found, anchored: opener.anchored)
        return log
    }

    private init(directory: URL, origin: String, options: Options, paths: AuditPaths, signer: NoteSigner,
                 lock: WriterLock, writer: SegmentWriter, found: LogOpener.Result) {
        self.directory = directory
        self.origin = origin
        self.options = options
        self.paths = paths
        self.signer = signer
        self.lock = lock
        self.writer = writer
        self.frontier = found.frontier
        self.assignedCount = found.frontier.size
        self.durableCount = found.frontier.size
        self.latest = found.latest
        self.checkpointedSize = found.latest?.size
        self.openReport = AuditOpenReport(
            entryCount: found.frontier.size, latestCheckpointSize: found.latest?.size,
            resumedFromSavedState: found.resumed, entriesRehashed: found.rehashed,
            truncatedBytes: found.truncatedBytes, truncatedSegment: found.truncatedSegment, recoveryEntryIndex: nil,
            repairedSegment: found.repairedSegment, anchoredSize: nil, anchorAdopted: false)
    }

    private static func prepareLayout(_ paths: AuditPaths) throws(AuditError) {
        if FileIO.exists(paths.format) {
            guard try FileIO.read(paths.format) == Array(AuditLayout.formatLine.utf8) else {
                throw .unsupportedFormat(reason: "\(AuditLayout.formatFile) does not say '\(AuditLayout.formatLine.dropLast())'")
            }
        } else {
            if !(try paths.listSegments()).isEmpty {
                throw .unsupportedFormat(reason: "segments exist but the \(AuditLayout.formatFile) file is missing")
            }
            try FileIO.writeAtomically(paths.format, Array(AuditLayout.formatLine.utf8))
        }
        try FileIO.makeDirectory(paths.segments)
        try FileIO.makeDirectory(paths.checkpoints)
        try FileIO.syncDirectory(paths.root)
    }

    /// Brings the anchor up to the latest checkpoint, records a truncation or repair, and seals any
    /// entries not yet covered by a checkpoint (entries written after the last signature, e.g. before
    /// a crash; the anchor checks in `LogOpener` have already refused anything that was signed and lost).
    private func finishOpening(found: LogOpener.Result, anchored: Checkpoint?) throws(AuditError) {
        if let anchor = options.anchor {
            openReport.anchoredSize = anchored?.size
            if let latest = found.latest, anchored?.size != latest.size {
                openReport.anchorAdopted = anchored == nil
                try store(latest, in: anchor)
            } else if found.latest == nil, anchored == nil {
                // A new log: anchor the empty tree, so that a later log without checkpoints is refused.
                try store(try Checkpoint(size: 0, rootHash: RFC6962.emptyRoot,
                                         timeMilliseconds: AuditTimestamp.milliseconds(of: Date()), signer: signer),
                          in: anchor)
            }
        }
        var recovery: AuditEntry?
        if found.truncatedBytes > 0, let segment = found.truncatedSegment {
            recovery = AuditEntry(
                actor: options.recoveryActor, role: "system", action: .auditRecover,
                reason: "torn final line after an interrupted write was truncated (no signed checkpoint covered it)",
                details: ["segment": segment, "truncatedBytes": String(found.truncatedBytes),
                          "entriesKept": String(found.frontier.size)])
        } else if let segment = found.repairedSegment {
            recovery = AuditEntry(
                actor: options.recoveryActor, role: "system", action: .auditRecover,
                reason: "the final newline of a signed entry was missing and was restored; no entry was removed",
                details: ["segment": segment, "entriesKept": String(found.frontier.size)])
        }
        if let recovery {
            openReport = AuditOpenReport(
                entryCount: openReport.entryCount, latestCheckpointSize: openReport.latestCheckpointSize,
                resumedFromSavedState: openReport.resumedFromSavedState, entriesRehashed: openReport.entriesRehashed,
                truncatedBytes: openReport.truncatedBytes, truncatedSegment: openReport.truncatedSegment,
                recoveryEntryIndex: try append(recovery), repairedSegment: openReport.repairedSegment,
                anchoredSize: openReport.anchoredSize, anchorAdopted: openReport.anchorAdopted)
        }
        if size > 0, found.latest?.size != size { _ = try checkpoint() }
    }

    /// Writes `checkpoint` to the anchor.
    func store(_ checkpoint: Checkpoint, in anchor: any CheckpointAnchor) throws(AuditError) {
        do {
            try anchor.store(checkpoint.signedNote)
        } catch {
            throw .anchorUnavailable(location: anchor.location, reason: "storing checkpoint \(checkpoint.size) failed: \(error)")
        }
    }

    deinit { lock.release() }

    /// Number of durable entries.
    public var size: UInt64 {
        mutex.lock()
        defer { mutex.unlock() }
        return durableCount
    }

    /// Whether appends can still succeed: not closed and the writer has not failed (a service's
    /// readiness check).
    public var isWritable: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return !closed && failure == nil
    }

    /// The latest signed checkpoint, if any.
    public var latestCheckpoint: Checkpoint? {
        mutex.lock()
        defer { mutex.unlock() }
        return latest
    }

    /// The public key file content (`keys/audit.pub`): PEM SubjectPublicKeyInfo of the signing key.
    public var publicKeyPEM: String {
        get throws { try signer.verifierKey.publicKey.pemRepresentation }
    }

    /// The C2SP verifier key text `origin+keyid+base64(0x01||key)` for external tools.
    public var verifierKey: NoteVerifierKey { signer.verifierKey }

    /// Appends one entry; returns its zero-based index once it is durable.
    @discardableResult
    public func append(_ entry: AuditEntry) throws(AuditError) -> UInt64 {
        try append(contentsOf: [entry]).lowerBound
    }

    /// Appends entries as one contiguous run; returns their indices once all are durable.
    @discardableResult
    public func append(contentsOf entries: [AuditEntry]) throws(AuditError) -> Range<UInt64> {
        // Encode and hash outside the lock, so concurrent callers do this work in parallel.
        var bytes = [UInt8]()
        var lengths = [Int]()
        var hashes = [MerkleHash]()
        lengths.reserveCapacity(entries.count)
        hashes.reserveCapacity(entries.count)
        var scratch = [UInt8]()
        for entry in entries {
            let line = try entry.canonicalLine()
            line.withUnsafeBytes { hashes.append(RFC6962.leafHash($0, scratch: &scratch)) }
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
            lengths.append(line.count + 1)
        }
        mutex.lock()
        defer { mutex.unlock() }
        try checkUsable()
        let first = assignedCount
        assignedCount += UInt64(entries.count)
        let target = assignedCount
        queuedBytes.append(contentsOf: bytes)
        queuedLengths.append(contentsOf: lengths)
        queuedHashes.append(contentsOf: hashes)
        guard try becomeLeaderLocked(target: target) else {
            // Woken because our entries are durable, or because the log failed.
            if durableCount >= target { return first..<target }
            throw stoppedError()
        }
        try drainLocked(maxRounds: 64, yieldToRequests: true)
        releaseLeadershipLocked()
        guard durableCount >= target else { throw stoppedError() }
        return first..<target
    }

    /// Signs a checkpoint over every durable entry (after flushing queued ones). If nothing was appended
    /// since the last checkpoint, returns that checkpoint.
    @discardableResult
    public func checkpoint() throws(AuditError) -> Checkpoint {
        mutex.lock()
        defer { mutex.unlock() }
        try checkUsable()
        return try checkpointAsLeaderLocked()
    }

    /// Flushes, signs a final checkpoint if entries were added since the last one, and releases the lock.
    /// Further appends and checkpoints throw `AuditError.logClosed`.
    public func close() throws(AuditError) {
        mutex.lock()
        if closed {
            mutex.unlock()
            return
        }
        closed = true  // no new entries; those already queued are flushed below
        var caught: AuditError?
        if failure == nil {
            do throws(AuditError) {
                guard try becomeLeaderLocked(target: 0, wantsLeadership: true) else {
                    throw .logFailed(reason: failure ?? "the writer stopped")
                }
                try drainLocked(maxRounds: Int.max, yieldToRequests: false)
                _ = try signCheckpointAsLeaderLocked()
                // Leadership is kept for good: wake whoever still waits (they see the log closed).
                for waiter in waiters { waiter.semaphore.signal() }
                waiters = []
            } catch {
                caught = error
            }
        }
        writer.closeFile()
        mutex.unlock()
        lock.release()
        if let caught { throw caught }
    }

    /// The durable entries whose time lies in `interval` (all entries if nil), in log order.
    public func entries(in interval: DateInterval? = nil) throws(AuditError) -> [AuditEntry] {
        let count = size
        return try AuditLogReader(directory: directory).entries(in: interval, limit: count)
    }

    func checkUsable() throws(AuditError) {
        if closed { throw .logClosed }
        if let failure { throw .logFailed(reason: failure) }
    }
}
