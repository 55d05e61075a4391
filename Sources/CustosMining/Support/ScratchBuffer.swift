/// A growable, manually managed buffer used inside mining kernels for speed
/// (no copy-on-write, no bounds checks in the hot loops). Owned by one thread.
final class ScratchBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 16)
        self.base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `count` elements; existing contents up to `keeping` are preserved.
    @inline(__always)
    func reserve(_ count: Int, keeping: Int = 0) {
        if count > capacity { grow(count, keeping: keeping) }
    }

    private func grow(_ count: Int, keeping: Int) {
        var newCapacity = capacity
        while newCapacity < count { newCapacity *= 2 }
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if keeping > 0 { fresh.update(from: base, count: keeping) }
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    /// Sets the first `count` elements to `value`.
    func fill(_ value: Element, count: Int) {
        reserve(count)
        base.update(repeating: value, count: count)
    }
}

extension Array {
    /// Calls `body` with a pointer to the elements, valid only during the call (never nil,
    /// also for an empty array).
    func withBasePointer<R>(_ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        try body(self)
    }

    /// Calls `body` with a mutable pointer to the elements, valid only during the call.
    mutating func withMutableBasePointer<R>(_ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
        try body(&self)
    }
}
