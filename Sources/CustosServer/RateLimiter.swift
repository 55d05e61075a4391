import Foundation
import Synchronization

/// Token buckets keyed by principal (or by address before authentication): `burst` requests at
/// once, refilled at `rate` per second. Buckets idle long enough to be full again are dropped, so
/// the table cannot grow without bound under a flood of new keys.
final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var updated: Double }
    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Double

    init(rate: Double, burst: Double, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.rate = rate
        self.burst = burst
        self.clock = clock
    }

    /// nil when the request may go ahead (one token taken); otherwise the seconds until one is available.
    func take(_ key: String) -> Int? {
        let now = clock()
        return buckets.withLock { buckets in
            if buckets.count > 10_000 { buckets = buckets.filter { now - $0.value.updated < burst / rate } }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }
}

/// Caps on jobs running at once, per principal and in total.
final class JobSlots: Sendable {
    private let perPrincipal: Int
    private let total: Int
    private let running = Mutex<[String: Int]>([:])

    init(perPrincipal: Int, total: Int) {
        self.perPrincipal = perPrincipal
        self.total = total
    }

    /// Takes a slot for `principal`, or says which cap is full.
    func acquire(_ principal: String) throws(Problem) {
        let refusal: String? = running.withLock { running in
            if running.values.reduce(0, +) >= total { return "the service is running its maximum of \(total) jobs" }
            if running[principal, default: 0] >= perPrincipal { return "you already have \(perPrincipal) jobs running" }
            running[principal, default: 0] += 1
            return nil
        }
        if let refusal {
            throw Problem("too-many-jobs", status: 429, title: "Too many jobs", detail: refusal + "; wait for one to finish and retry", retryAfter: 5)
        }
    }

    func release(_ principal: String) {
        running.withLock { running in
            running[principal, default: 1] -= 1
            if running[principal] == 0 { running[principal] = nil }
        }
    }
}
