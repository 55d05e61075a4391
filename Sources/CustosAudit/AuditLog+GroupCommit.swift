import Foundation

// Group commit.
//
// One thread at a time is the leader: it owns `writer`, `frontier` and `checkpointedSize`, takes the
// whole queue, writes it with one write + fdatasync, then wakes exactly the waiters whose entries
// became durable (no thundering herd). It keeps flushing while entries keep arriving (up to a bound),
// so the next batch does not wait for another thread to be scheduled, then hands leadership to a
// waiter that asked for it (checkpoint, close) or whose entries are still queued, or frees it.
// Everything else is guarded by `mutex`.
extension AuditLog {
    /// A thread waiting for its entries to become durable, or for leadership.
    // @unchecked: `promoted` and `next` are written before `semaphore` is signalled and read only after
    // the waiter's wait returns, so the semaphore orders every access.
    final class Waiter: @unchecked Sendable {
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
    func becomeLeaderLocked(target: UInt64, wantsLeadership: Bool = false) throws(AuditError) -> Bool {
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
    func wakeChain(_ woken: [Waiter]) {
        guard let first = woken.first else { return }
        for i in 0..<(woken.count - 1) { woken[i].next = woken[i + 1] }
        first.semaphore.signal()
    }

    /// Leader, `mutex` held: hands leadership on, or frees it.
    func releaseLeadershipLocked() {
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
    func failLocked(_ error: AuditError) {
        if failure == nil { failure = error.description }
        for waiter in waiters { waiter.semaphore.signal() }
        waiters = []
        leaderActive = false
    }

    /// Leader, `mutex` held (released while writing): writes queued batches until the queue is empty
    /// or `maxRounds` batches were written, signing checkpoints when due.
    func drainLocked(maxRounds: Int, yieldToRequests: Bool) throws(AuditError) {
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
            do throws(AuditError) {
                // A batch larger than the checkpoint interval also gets checkpoints inside it, every
                // `checkpointEvery` entries, so that verification can still narrow down an alteration.
                let every = options.checkpointEvery
                // The batch then always ends with a checkpoint too, so the latest one has a saved state.
                let end = frontier.size + UInt64(hashes.count)
                var signedInside = false
                for hash in hashes {
                    frontier.append(hash)
                    if UInt64(hashes.count) > every, frontier.size < end,
                       frontier.size - (checkpointedSize ?? 0) >= every {
                        _ = try signCheckpoint(saveState: false)
                        signedInside = true
                    }
                }
                _ = try signCheckpointIfNeeded(force: signedInside)
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
    func checkpointAsLeaderLocked() throws(AuditError) -> Checkpoint {
        guard try becomeLeaderLocked(target: 0, wantsLeadership: true) else { throw stoppedError() }
        try drainLocked(maxRounds: Int.max, yieldToRequests: false)
        let checkpoint = try signCheckpointAsLeaderLocked()
        releaseLeadershipLocked()
        return checkpoint
    }

    /// Leader, `mutex` held (released while signing and writing): signs a checkpoint at the current size.
    func signCheckpointAsLeaderLocked() throws(AuditError) -> Checkpoint {
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
    func stoppedError() -> AuditError {
        if let failure { return .logFailed(reason: failure) }
        return closed ? .logClosed : .logFailed(reason: "the writer stopped")
    }

    /// Leader only: signs and stores a checkpoint at the current size when forced or when due.
    func signCheckpointIfNeeded(force: Bool) throws(AuditError) -> Checkpoint? {
        let since = frontier.size - (checkpointedSize ?? 0)
        if checkpointedSize == frontier.size, let current = latestCheckpoint { return current }
        // (Reads `latest` under `mutex`; the leader calls this with `mutex` released.)
        guard force || since >= options.checkpointEvery else { return nil }
        return try signCheckpoint(saveState: true)
    }

    /// Leader only: signs and stores a checkpoint at the current size, and (when `saveState`) the Merkle
    /// state that lets the next open resume from it. The state is saved only at batch ends, where the
    /// writer's segment extents match the checkpoint.
    func signCheckpoint(saveState: Bool) throws(AuditError) -> Checkpoint {
        let checkpoint = try Checkpoint(size: frontier.size, rootHash: frontier.rootHash(),
                                        timeMilliseconds: AuditTimestamp.milliseconds(of: Date()), signer: signer)
        let file = paths.checkpoint(size: frontier.size)
        try FileIO.writeAtomically(file.path, Array(checkpoint.signedNote.utf8))
        if let anchor = options.anchor { try store(checkpoint, in: anchor) }
        try pruneCheckpoints()
        if saveState {
            let state = MerkleState(size: frontier.size, frontier: frontier.hashes, segments: writer.extents)
            try FileIO.writeAtomically(paths.state, state.encoded())
        }
        checkpointedSize = frontier.size
        mutex.lock()
        latest = checkpoint
        mutex.unlock()
        return checkpoint
    }

    /// Leader only: deletes checkpoint files that add nothing: keeps the newest, every cosigned one
    /// (its witness signatures exist nowhere else), and the newest of each run of
    /// `keepCheckpointEvery` entries. The anchor outside `audit/` and the newest file carry what
    /// `open` checks; the kept ones let a verifier check consistency across the log's history.
    func pruneCheckpoints() throws(AuditError) {
        let files = try paths.listCheckpoints()
        guard let newest = files.last else { return }
        let every = options.keepCheckpointEvery
        var newestInRun: [UInt64: UInt64] = [:]
        for file in files { newestInRun[file.size / every] = max(newestInRun[file.size / every] ?? 0, file.size) }
        for file in files where file.size != newest.size && newestInRun[file.size / every] != file.size {
            // A cosigned note has more than one signature line ("— name sig"): keep it.
            let text = (try? FileIO.read(file.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let signatures = text.split(separator: "\n").filter { $0.hasPrefix("\u{2014} ") }.count
            if signatures > 1 { continue }
            try FileIO.remove(file.path)
        }
    }
}
