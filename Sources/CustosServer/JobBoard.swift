import CustosCrypto
import Foundation

/// A finished job's answer, rendered once when it completes in each form a client may ask for.
struct JobPayload: Sendable {
    var json: Data
    var text: String
    var html: String?
}

/// What a client sees of a job (`GET /v1/jobs/{id}`).
struct JobResource: Codable, Sendable {
    var id: String
    var kind: String
    var state: String
    var owner: String
    var createdAt: String
    var finishedAt: String?
    /// Fraction done, when the job reports it.
    var progress: Double?
    /// Where the result is, once the job succeeded.
    var result: String?
    var problem: Problem?

    enum CodingKeys: String, CodingKey {
        case id, kind, state, owner, createdAt = "created_at", finishedAt = "finished_at", progress, result, problem
    }
}

/// Long work (ingest, imports, jobs) runs here, off the request: a job id of 128 random bits that
/// only its owner (or a compliance officer) can read, and results kept in memory only, for a
/// limited time, never on disk and never under a guessable URL.
actor JobBoard {
    private struct Job {
        var resource: JobResource
        var payload: JobPayload?
        var finished: Double?
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private var jobs: [String: Job] = [:]
    private var running: [String: Task<Void, Never>] = [:]
    private let retention: Double

    init(retention: Double) { self.retention = retention }

    /// Registers a job and starts `work`; returns its resource at once.
    func start(kind: String, owner: String, work: @escaping @Sendable (JobProgress) async throws -> JobPayload,
               finished: @escaping @Sendable (String) -> Void) -> JobResource {
        evictExpired()
        let id = "job-" + SecureRandom.bytes(count: 16).hexString
        let resource = JobResource(id: id, kind: kind, state: "running", owner: owner, createdAt: Self.now())
        jobs[id] = Job(resource: resource)
        let progress = JobProgress(board: self, id: id)
        running[id] = Task {
            do {
                let payload = try await work(progress)
                self.complete(id, payload: payload, problem: nil)
                finished("succeeded")
            } catch {
                self.complete(id, payload: nil, problem: Problem.from(error))
                finished("failed")
            }
        }
        return resource
    }

    func setProgress(_ id: String, _ fraction: Double) { jobs[id]?.resource.progress = min(1, max(0, fraction)) }

    private func complete(_ id: String, payload: JobPayload?, problem: Problem?) {
        guard var job = jobs[id] else { return }
        job.resource.state = payload == nil ? "failed" : "succeeded"
        job.resource.finishedAt = Self.now()
        job.resource.progress = payload == nil ? job.resource.progress : 1
        job.resource.result = payload == nil ? nil : "/v1/jobs/\(id)/result"
        job.resource.problem = problem
        job.payload = payload
        job.finished = ProcessInfo.processInfo.systemUptime
        for waiter in job.waiters.values { waiter.resume() }
        job.waiters = [:]
        jobs[id] = job
        running[id] = nil
    }

    /// The job if `principal` may see it (its owner, or an officer); nil otherwise, so a stranger
    /// cannot tell a job that exists from one that does not.
    func job(_ id: String, principal: String, officer: Bool) -> (JobResource, JobPayload?)? {
        guard let job = jobs[id], officer || job.resource.owner == principal else { return nil }
        return (job.resource, job.payload)
    }

    /// Waits until the job finishes or `seconds` pass.
    func wait(_ id: String, seconds: Int) async {
        guard jobs[id]?.resource.state == "running", seconds > 0 else { return }
        let ticket = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            jobs[id]?.waiters[ticket] = continuation
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.stopWaiting(id, ticket)
            }
        }
    }

    /// Resumes one waiter whose time ran out (completion may already have resumed it).
    private func stopWaiting(_ id: String, _ ticket: UUID) {
        jobs[id]?.waiters.removeValue(forKey: ticket)?.resume()
    }

    /// Waits for every running job (graceful shutdown: jobs finish before the final checkpoint).
    func drain() async {
        for task in running.values { await task.value }
    }

    private func evictExpired() {
        let now = ProcessInfo.processInfo.systemUptime
        jobs = jobs.filter { _, job in job.finished.map { now - $0 < retention } ?? true }
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}

/// Lets a job report how far it got.
struct JobProgress: Sendable {
    let board: JobBoard
    let id: String
    func report(_ fraction: Double) { Task { await board.setProgress(id, fraction) } }
}
