import Foundation
import Synchronization

/// Hands out task indices 0..<count to worker threads, one at a time (dynamic load balancing).
final class TaskCounter: Sendable {
    private let next = Mutex(0)
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next unclaimed index, or nil when all have been handed out.
    func claim() -> Int? {
        next.withLock { next in
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }
}

/// Per-worker result slots written from `DispatchQueue.concurrentPerform`; each worker writes its
/// own slot once, so the lock is taken once per worker.
final class WorkerSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    init(count: Int) { slots = Mutex([Value?](repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Value) { slots.withLock { $0[index] = value } }

    /// The values in slot order (slots never written are skipped).
    var all: [Value] { slots.withLock { $0.compactMap { $0 } } }
}

/// Runs `body(worker)` on `workers` threads and waits for all of them.
func runParallel(workers: Int, _ body: @Sendable (Int) -> Void) {
    if workers <= 1 {
        body(0)
    } else {
        DispatchQueue.concurrentPerform(iterations: workers, execute: body)
    }
}
