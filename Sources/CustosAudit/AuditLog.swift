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

        /// Defaults: checkpoint every 1,000 entries, 64 MiB segments, 30 s lock wait, actor `custos`.
        public init(checkpointEvery: UInt64 = 1000, segmentBytes: UInt64 = 64 << 20, lockTimeout: TimeInterval = 30,
                    recoveryActor: String = "custos") {
            self.checkpointEvery = max(1, checkpointEvery)
            self.segmentBytes = max(1, segmentBytes)
            self.lockTimeout = lockTimeout
            self.recoveryActor = recoveryActor
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

    private let paths: AuditPaths
    private let signer: NoteSigner
    private let lock: WriterLock

    // Guarded by `mutex`.
    private let mutex = NSLock()
    private var waiters = [Waiter]()
    private var queuedBytes = [UInt8]()
    private var queuedLengths = [Int]()
    private var queuedHashes = [MerkleHash]()
    private var assignedCount: UInt64
    private var durableCount: UInt64
    private var leaderActive = false
    private var failure: String?
    private var closed = false
    private var latest: Checkpoint?

    // Owned by the current leader (see "Group commit" below).
    private var writer: SegmentWriter
    private var frontier: MerkleFrontier
    private var checkpointedSize: UInt64?

    /// Opens (creating if needed) the audit log in `directory`, recovering from a crash if necessary.
    ///
    /// - Parameters:
    ///   - directory: the audit directory (e.g. `<workspace>/audit`).
    ///   - signingKey: the Ed25519 key that signs checkpoints; its public half is `keys/audit.pub`.
    ///   - origin: the log identity, a schema-less URL such as `example.com/custos/audit`.
    ///   - checkpointEvery: entries between automatic checkpoints.
    /// - Throws: `AuditError.logLocked` if another writer holds the log, `.checkpointAheadOfLog` if signed
    ///   entries are missing, `.checkpointMismatch` or `.malformedCheckpoint` if the log was altered.
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
        let found = try LogOpener(paths: paths, verifier: signer.verifierKey).run()
        let writer = try SegmentWriter(paths: paths, rollBytes: options.segmentBytes, extents: found.extents)
        let log = AuditLog(directory: directory, origin: origin, options: options, paths: paths, signer: signer,
                           lock: lock, writer: writer, found: found)
        try log.finishOpening(found: found)
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
            truncatedBytes: found.truncatedBytes, truncatedSegment: found.truncatedSegment, recoveryEntryIndex: nil)
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

    /// Records a truncation and seals any entries not yet covered by a checkpoint.
    private func finishOpening(found: LogOpener.Result) throws(AuditError) {
        if found.truncatedBytes > 0, let segment = found.truncatedSegment {
            let entry = AuditEntry(
                actor: options.recoveryActor, role: "system", action: .auditRecover,
                reason: "torn final line after an interrupted write was truncated",
                details: ["segment": segment, "truncatedBytes": String(found.truncatedBytes),
                          "entriesKept": String(found.frontier.size)])
            let index = try append(entry)
            openReport = AuditOpenReport(
                entryCount: openReport.entryCount, latestCheckpointSize: openReport.latestCheckpointSize,
                resumedFromSavedState: openReport.resumedFromSavedState, entriesRehashed: openReport.entriesRehashed,
                truncatedBytes: openReport.truncatedBytes, truncatedSegment: openReport.truncatedSegment,
                recoveryEntryIndex: index)
        }
        if size > 0, found.latest?.size != size { _ = try checkpoint() }
    }

    deinit { lock.release() }

    /// Number of durable entries.
    public var size: UInt64 {
        mutex.lock()
        defer { mutex.unlock() }
        return durableCount
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

    private func checkUsable() throws(AuditError) {
        if closed { throw .logClosed }
        if let failure { throw .logFailed(reason: failure) }
    }

    // MARK: Group commit
    //
    // One thread at a time is the leader: it owns `writer`, `frontier` and `checkpointedSize`, takes the
    // whole queue, writes it with one write + fdatasync, then wakes exactly the waiters whose entries
    // became durable (no thundering herd). It keeps flushing while entries keep arriving (up to a bound),
    // so the next batch does not wait for another thread to be scheduled, then hands leadership to a
    // waiter that asked for it (checkpoint, close) or whose entries are still queued, or frees it.

    /// A thread waiting for its entries to become durable, or for leadership.
    private final class Waiter: @unchecked Sendable {
        let target: UInt64
        let wantsLeadership: Bool
        let semaphore = DispatchSemaphore(value: 0)
        var promoted = false
        /// The next waiter to wake once this one runs (wake-ups are chained so the leader pays for one).
        var next: Waiter?

        init(target: UInt64, wantsLeadership: Bool) {
            self.target = target
            self.wantsLeadership = wantsLeadership
        }
    }

    /// With `mutex` held: becomes the leader at once, or sleeps until promoted (true) or until its
    /// entries are durable or the log failed (false). Returns with `mutex` held.
    private func becomeLeaderLocked(target: UInt64, wantsLeadership: Bool = false) throws(AuditError) -> Bool {
        guard leaderActive else {
            leaderActive = true
            return true
        }
        let waiter = Waiter(target: target, wantsLeadership: wantsLeadership)
        waiters.append(waiter)
        mutex.unlock()
        waiter.semaphore.wait()
        if let next = waiter.next {
            waiter.next = nil
            next.semaphore.signal()
        }
        mutex.lock()
        return waiter.promoted
    }

    /// Wakes `woken` in a chain: each woken thread wakes the next, so the leader signals only once and
    /// can start the next write sooner.
    private func wakeChain(_ woken: [Waiter]) {
        guard let first = woken.first else { return }
        for i in 0..<(woken.count - 1) { woken[i].next = woken[i + 1] }
        first.semaphore.signal()
    }

    /// Leader, `mutex` held: hands leadership on, or frees it.
    private func releaseLeadershipLocked() {
        let next = waiters.firstIndex(where: \.wantsLeadership)
            ?? (queuedLengths.isEmpty ? nil : waiters.firstIndex(where: { !$0.wantsLeadership }))
        if let next {
            let waiter = waiters.remove(at: next)
            waiter.promoted = true
            waiter.semaphore.signal()
        } else {
            leaderActive = false
        }
    }

    /// `mutex` held: records a storage failure, wakes every waiter and frees leadership.
    private func failLocked(_ error: AuditError) {
        if failure == nil { failure = error.description }
        for waiter in waiters { waiter.semaphore.signal() }
        waiters = []
        leaderActive = false
    }

    /// Leader, `mutex` held (released while writing): writes queued batches until the queue is empty
    /// or `maxRounds` batches were written, signing checkpoints when due.
    private func drainLocked(maxRounds: Int, yieldToRequests: Bool) throws(AuditError) {
        var rounds = 0
        while !queuedLengths.isEmpty && rounds < maxRounds {
            if yieldToRequests && rounds > 0 && waiters.contains(where: \.wantsLeadership) { return }
            let bytes = queuedBytes
            let lengths = queuedLengths
            let hashes = queuedHashes
            queuedBytes = []
            queuedLengths = []
            queuedHashes = []
            mutex.unlock()
            var caught: AuditError?
            do throws(AuditError) {
                try writer.write(bytes, lineLengths: lengths)
            } catch {
                caught = error
            }
            mutex.lock()
            if let caught {
                failLocked(caught)
                throw caught
            }
            // Wake the callers first; the tree is updated afterwards, still as leader.
            durableCount += UInt64(lengths.count)
            var woken = [Waiter]()
            waiters.removeAll { waiter in
                guard !waiter.wantsLeadership, waiter.target <= durableCount else { return false }
                woken.append(waiter)
                return true
            }
            mutex.unlock()
            wakeChain(woken)
            for hash in hashes { frontier.append(hash) }
            do throws(AuditError) {
                _ = try signCheckpointIfNeeded(force: false)
            } catch {
                caught = error
            }
            mutex.lock()
            if let caught {
                failLocked(caught)
                throw caught
            }
            rounds += 1
        }
    }

    /// `mutex` held: takes leadership (waiting for it), flushes the queue, signs a checkpoint if
    /// entries were added since the last one, and hands leadership on.
    private func checkpointAsLeaderLocked() throws(AuditError) -> Checkpoint {
        guard try becomeLeaderLocked(target: 0, wantsLeadership: true) else { throw stoppedError() }
        try drainLocked(maxRounds: Int.max, yieldToRequests: false)
        let checkpoint = try signCheckpointAsLeaderLocked()
        releaseLeadershipLocked()
        return checkpoint
    }

    /// Leader, `mutex` held (released while signing and writing): signs a checkpoint at the current size.
    private func signCheckpointAsLeaderLocked() throws(AuditError) -> Checkpoint {
        mutex.unlock()
        var result: Result<Checkpoint?, AuditError>
        do throws(AuditError) {
            result = .success(try signCheckpointIfNeeded(force: true))
        } catch {
            result = .failure(error)
        }
        mutex.lock()
        switch result {
        case .failure(let error):
            failLocked(error)
            throw error
        case .success(let checkpoint):
            guard let checkpoint else { throw .logFailed(reason: "no checkpoint was produced") }
            return checkpoint
        }
    }

    /// The error for a waiter that was woken without its entries becoming durable.
    private func stoppedError() -> AuditError {
        if let failure { return .logFailed(reason: failure) }
        return closed ? .logClosed : .logFailed(reason: "the writer stopped")
    }

    /// Leader only: signs and stores a checkpoint at the current size when forced or when due.
    private func signCheckpointIfNeeded(force: Bool) throws(AuditError) -> Checkpoint? {
        let since = frontier.size - (checkpointedSize ?? 0)
        if checkpointedSize == frontier.size, let current = latestCheckpoint { return current }
        // (Reads `latest` under `mutex`; the leader calls this with `mutex` released.)
        guard force || since >= options.checkpointEvery else { return nil }
        let checkpoint = try Checkpoint(size: frontier.size, rootHash: frontier.rootHash(),
                                        timeMilliseconds: AuditTimestamp.milliseconds(of: Date()), signer: signer)
        let file = paths.checkpoint(size: frontier.size)
        try FileIO.writeAtomically(file.path, Array(checkpoint.signedNote.utf8))
        let state = MerkleState(size: frontier.size, frontier: frontier.hashes, segments: writer.extents)
        try FileIO.writeAtomically(paths.state, state.encoded())
        checkpointedSize = frontier.size
        mutex.lock()
        latest = checkpoint
        mutex.unlock()
        return checkpoint
    }
}
