import CustosEngine
import CustosGovernance
import Foundation
import CustosSchema
import Hummingbird
import CustosVault

/// `POST /v1/datasets/{name}/ingest`: a CSV (`text/csv`) or JSON Lines (`application/x-ndjson`)
/// body streamed to a spool file, then ingested as a job with progress; the spool is shredded
/// whatever the outcome. `skip_invalid=true` stores the valid rows and reports the others (the
/// CLI's `--skip-invalid`); by default one invalid row rejects the batch. The engine authorises
/// (the operator's `ingest` action) and audits.
struct IngestRoutes: RouteGroup {
    let service: CustosService

    /// The ingest report: counts and reasons, never values.
    struct Result: Codable {
        let dataset: String
        let rowsRead: Int
        let rowsAdded: Int
        let duplicates: Int
        let newSubjects: Int
        let mergedSubjects: Int
        let subjectsTouched: Int
        let skipped: [String]
        let outOfBounds: [String: Int]
        let sourceSHA256: String
        enum CodingKeys: String, CodingKey {
            case dataset, rowsRead = "rows_read", rowsAdded = "rows_added", duplicates, newSubjects = "new_subjects",
                 mergedSubjects = "merged_subjects", subjectsTouched = "subjects_touched", skipped, outOfBounds = "out_of_bounds",
                 sourceSHA256 = "source_sha256"
        }

        init(_ report: IngestReport) {
            let o = report.outcome
            dataset = report.dataset
            rowsRead = o.rowsRead
            rowsAdded = o.rowsAdded
            duplicates = o.duplicates
            newSubjects = o.newSubjects
            mergedSubjects = o.mergedSubjects
            subjectsTouched = o.subjectsTouched
            skipped = report.skipped.map { "line \($0.line): \($0.reason)" }
            outOfBounds = report.outOfBounds
            sourceSHA256 = report.sourceDigest
        }
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.post("datasets/{name}/ingest") { request, context in
            let identity = try context.requireIdentity()
            let dataset = try context.parameters.require("name")
            let skipInvalid = try service.flag(request, "skip_invalid")
            // An unknown dataset is refused before a byte of the upload is stored.
            guard service.engine.policies.catalog.datasets[dataset] != nil else {
                throw Problem.notFound("no dataset '\(dataset)' is declared; declared: "
                    + service.engine.policies.catalog.datasets.keys.sorted().joined(separator: ", "))
            }
            let spool = try await service.receiveUpload(request, context: context)
            let engine = service.engine
            let caller = identity.caller
            let resource = try await service.startJob(kind: "ingest", identity: identity, cleanup: { spool.shred() }) { progress in
                let report = try await service.blocking {
                    try engine.ingest(file: spool.file, dataset: dataset, badRows: skipInvalid ? .skipAndReport : .rejectBatch,
                                      actor: caller, progress: progress.report)
                }
                return try JobPayload(Result(report), text: IngestSummary.text(report))
            }
            return try await service.jobResponse(resource, request: request, identity: identity)
        }
    }
}

extension CustosService {
    /// A `true`/`false` query parameter (absent: false); anything else is refused.
    func flag(_ request: Request, _ name: String) throws -> Bool {
        switch request.uri.queryParameters.get(name) {
        case nil, "false": return false
        case "true": return true
        default: throw Problem.badRequest("query parameter \(name) takes true or false")
        }
    }

    /// The request's body spooled to disk; a refused upload (size, media type) is audited.
    func receiveUpload(_ request: Request, context: CustosRequestContext) async throws -> UploadSpool {
        do {
            return try await UploadSpool.receive(request, workspace: engine.workspace.root, limit: settings.limits.upload)
        } catch {
            let identity = try context.requireIdentity()
            try await recordDenial(Problem.from(error), actor: identity.principal.id, role: identity.role,
                                   route: context.endpointPath ?? "unmatched", requestID: context.requestID)
            throw error
        }
    }
}

extension JobPayload {
    /// A payload whose JSON form is `value` (sorted keys) and text form `text`.
    init(_ value: some Encodable, text: String, html: String? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.init(json: try encoder.encode(value), text: text, html: html)
    }
}
