import CustosGovernance
import CustosEngine
import Foundation
import HTTPTypes
import Hummingbird

/// Mining and statistics jobs: `POST /v1/jobs` starts one (202 with the job's resource, or the
/// finished resource when `Prefer: wait=N` and it finished in time), `GET /v1/jobs/{id}` polls it,
/// `GET /v1/jobs/{id}/result` fetches the answer as JSON, text or HTML (`Accept`).
struct JobRoutes: RouteGroup {
    let service: CustosService

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.post("jobs") { request, context in
            let identity = try context.requireIdentity()
            let job = try await request.json(JobRequest.self, context: context)
            try job.validate()
            let engine = service.engine
            let caller = identity.caller
            let resource = try await service.startJob(kind: job.kind, identity: identity) { _ in
                let result = try await service.blocking { try job.run(on: engine, as: caller) }
                return JobPayload(json: Data(try result.json().utf8), text: result.text(), html: try result.html())
            }
            return try await service.jobResponse(resource, request: request, identity: identity)
        }
        group.get("jobs/{id}") { _, context in
            let identity = try context.requireIdentity()
            let (resource, _) = try await service.visibleJob(try context.parameters.require("id"), identity: identity)
            return try Reply.json(resource)
        }
        group.get("jobs/{id}/result") { request, context in
            let identity = try context.requireIdentity()
            let (resource, payload) = try await service.visibleJob(try context.parameters.require("id"), identity: identity)
            guard let payload else {
                if let problem = resource.problem { throw problem }
                throw Problem("job-running", status: 409, title: "Job still running",
                              detail: "the job has not finished; poll /v1/jobs/\(resource.id) and fetch the result when its state is succeeded")
            }
            switch Reply.representation(request.headers[.accept]) {
            case .json: return Reply.bytes(payload.json, contentType: "application/json")
            case .text: return Reply.text(payload.text)
            case .html:
                guard let html = payload.html else { return Reply.text(payload.text) }
                return Reply.text(html, contentType: "text/html; charset=utf-8")
            }
        }
    }
}

extension CustosService {
    /// Starts `work` as a job of `identity`, within the caps on running jobs. `cleanup` runs once the
    /// job is over, whatever its outcome, or at once when the job cannot start (e.g. shredding an upload).
    func startJob(kind: String, identity: Identity, cleanup: (@Sendable () -> Void)? = nil,
                  work: @escaping @Sendable (JobProgress) async throws -> JobPayload) async throws -> JobResource {
        let principal = identity.principal.id
        do {
            try jobSlots.acquire(principal)
        } catch {
            cleanup?()
            throw error
        }
        let started = ContinuousClock.now
        let slots = jobSlots
        let metrics = metrics
        let requestID = RequestScope.requestID
        return await jobs.start(kind: kind, owner: principal, work: { progress in
            defer { cleanup?() }
            return try await RequestScope.$requestID.withValue(requestID) { try await work(progress) }
        }, finished: { state in
            slots.release(principal)
            metrics.job(kind: kind, state: state, duration: started.duration(to: .now))
        })
    }

    /// 202 with `Location`, or, when the client asked to wait (`Prefer: wait=N`, RFC 7240) and the
    /// job finished in time, 200 with the finished job.
    func jobResponse(_ resource: JobResource, request: Request, identity: Identity) async throws -> Response {
        var resource = resource
        if let wait = Self.preferredWait(request.headers[.prefer]) {
            await jobs.wait(resource.id, seconds: min(wait, settings.limits.maxWaitSeconds))
            resource = try await visibleJob(resource.id, identity: identity).0
        }
        // A job that failed while the client waited (denied, budget exhausted) answers with its problem,
        // so a refusal is a 4xx whether the decision was quick or not; the job stays readable.
        if let problem = resource.problem { throw problem }
        let finished = resource.state != "running"
        return try Reply.json(resource, status: finished ? .ok : .accepted, headers: [.location: "/v1/jobs/\(resource.id)"])
    }

    /// A job its owner (or an officer) may see; 404 otherwise, the same as for a job that does not exist.
    func visibleJob(_ id: String, identity: Identity) async throws -> (JobResource, JobPayload?) {
        guard let found = await jobs.job(id, principal: identity.principal.id, officer: identity.isOfficer) else {
            throw Problem.notFound("no job \(id) that you can see (results are kept for a limited time after they finish)")
        }
        return found
    }

    /// `wait=N` from a `Prefer` header.
    static func preferredWait(_ header: String?) -> Int? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "wait", let seconds = Int(pair[1].trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                return seconds
            }
        }
        return nil
    }
}
