/// Subjects' events as parallel columns (one value per event), the input of funnels and paths.
///
/// Events are grouped by subject and ordered by time; events with equal times keep their input
/// order (a stable sort), so the order of simultaneous events is the order they were given in.
public struct EventLog: Sendable, Equatable {
    /// Subject (pseudonymous index) of each event, after grouping.
    public let subjects: [Int]
    /// Time of each event (any integer unit, e.g. seconds), after grouping.
    public let times: [Int64]
    /// Event type id of each event, after grouping.
    public let events: [Int32]
    /// `subjectStarts[i] ..< subjectStarts[i + 1]` are the events of the i-th subject present.
    public let subjectStarts: [Int]

    /// Groups the columns by subject and sorts each subject's events by time (stable).
    /// - Throws: `MiningError.columnLengthMismatch` if the columns differ in length.
    public init(subjects: [Int], times: [Int64], events: [Int32]) throws {
        guard subjects.count == times.count, times.count == events.count else {
            throw MiningError.columnLengthMismatch("subjects \(subjects.count), times \(times.count), events \(events.count)")
        }
        let order = subjects.indices.sorted { a, b in
            if subjects[a] != subjects[b] { return subjects[a] < subjects[b] }
            if times[a] != times[b] { return times[a] < times[b] }
            return a < b
        }
        self.subjects = order.map { subjects[$0] }
        self.times = order.map { times[$0] }
        self.events = order.map { events[$0] }
        var starts: [Int] = []
        for i in order.indices where i == 0 || self.subjects[i] != self.subjects[i - 1] { starts.append(i) }
        starts.append(order.count)
        subjectStarts = starts
    }

    /// Number of distinct subjects with at least one event.
    public var subjectCount: Int { subjectStarts.count - 1 }
}
