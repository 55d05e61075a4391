/// Per-step counts of a funnel: how many subjects reached each step in order.
///
/// `reached[i]` counts subjects whose events contain steps `0...i` in order. Counts from disjoint
/// subject partitions `merge` by addition; a private variant adds noise to `reached` before the
/// derived ratios are computed.
public struct FunnelCounts: Sendable, Equatable {
    /// Event type of each step.
    public let steps: [Int32]
    /// Subjects reaching each step (non-increasing).
    public var reached: [Int]
    /// Subjects considered (with at least one event).
    public var subjects: Int

    /// Zero counts for `steps`.
    public init(steps: [Int32]) {
        self.steps = steps
        reached = [Int](repeating: 0, count: steps.count)
        subjects = 0
    }

    /// Adds the counts of another partition of subjects.
    /// - Throws: `MiningError.incompatibleStatistics` if the steps differ.
    public mutating func merge(_ other: FunnelCounts) throws {
        guard other.steps == steps else { throw MiningError.incompatibleStatistics("funnels with different steps") }
        for i in reached.indices { reached[i] += other.reached[i] }
        subjects += other.subjects
    }

    /// Step-to-step conversion: `reached[i] / reached[i - 1]` (step 0: `reached[0] / subjects`); 0 when the divisor is 0.
    public var stepConversion: [Double] {
        reached.indices.map { i in
            let base = i == 0 ? subjects : reached[i - 1]
            return base == 0 ? 0 : Double(reached[i]) / Double(base)
        }
    }

    /// Conversion from the first step: `reached[i] / reached[0]`; 0 when nobody reached step 0.
    public var overallConversion: [Double] {
        let first = reached.first ?? 0
        return reached.map { first == 0 ? 0 : Double($0) / Double(first) }
    }

    /// Subjects lost at each step: `reached[i - 1] - reached[i]` (step 0: `subjects - reached[0]`).
    public var dropOff: [Int] {
        reached.indices.map { i in (i == 0 ? subjects : reached[i - 1]) - reached[i] }
    }
}

/// Ordered-step funnels (e.g. search → view → cart → purchase).
///
/// A subject reaches step `i` when its events contain, in time order, an event of step 0, a later
/// event of step 1, ..., a later event of step `i` (other events may come between), and, with a
/// `window`, the step-`i` event is at most `window` time units after the step-0 event (inclusive).
/// "Later" means later in the subject's time order; an event can serve only one step.
///
/// Algorithm (as ClickHouse's `windowFunnel`): scan each subject's events once, keeping for each
/// step the latest start time of a chain that has reached it; the latest start leaves the most
/// room in the window, so the greedy scan finds the deepest step. Cost `O(events * steps)`.
public enum Funnel {
    /// Counts, per step, the subjects of `log` that reached it.
    /// - Throws: `MiningError.invalidParameter` for no steps or a negative window.
    public static func compute(log: EventLog, steps: [Int32], window: Int64? = nil) throws -> FunnelCounts {
        guard !steps.isEmpty else { throw MiningError.invalidParameter(name: "steps", reason: "give at least one step") }
        if let window, window < 0 { throw MiningError.invalidParameter(name: "window", reason: "must not be negative") }
        var counts = FunnelCounts(steps: steps)
        counts.subjects = log.subjectCount
        var starts = [Int64?](repeating: nil, count: steps.count)
        for s in 0..<log.subjectCount {
            for i in starts.indices { starts[i] = nil }
            for e in log.subjectStarts[s]..<log.subjectStarts[s + 1] {
                let event = log.events[e], time = log.times[e]
                // Highest step first, so one event never advances two steps.
                for i in stride(from: steps.count - 1, through: 0, by: -1) where steps[i] == event {
                    if i == 0 {
                        starts[0] = time
                    } else if let start = starts[i - 1], window.map({ time - start <= $0 }) ?? true {
                        starts[i] = max(starts[i] ?? start, start)
                    }
                }
            }
            for i in starts.indices where starts[i] != nil { counts.reached[i] += 1 }
        }
        return counts
    }

    /// Convenience: builds the event log from parallel columns and computes the funnel.
    public static func compute(
        subjects: [Int], times: [Int64], events: [Int32], steps: [Int32], window: Int64? = nil
    ) throws -> FunnelCounts {
        try compute(log: EventLog(subjects: subjects, times: times, events: events), steps: steps, window: window)
    }
}
