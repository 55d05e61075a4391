import Foundation

/// Hands out task indices 0..<count to worker threads, one at a time (dynamic load balancing).
final class TaskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next unclaimed index, or nil when all have been handed out.
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// Per-worker result slots written from `DispatchQueue.concurrentPerform`; each worker writes only
/// its own slot (distinct memory locations, so no lock is needed).
final class WorkerSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Value?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = UnsafeMutablePointer<Value?>.allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func set(_ index: Int, _ value: Value) { slots[index] = value }

    /// The values in slot order (slots never written are skipped).
    var all: [Value] { (0..<count).compactMap { slots[$0] } }
}

/// Runs `body(worker)` on `workers` threads and waits for all of them.
func runParallel(workers: Int, _ body: @Sendable (Int) -> Void) {
    if workers <= 1 {
        body(0)
    } else {
        DispatchQueue.concurrentPerform(iterations: workers, execute: body)
    }
}
