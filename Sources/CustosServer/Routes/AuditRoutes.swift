import CustosAudit
import CustosEngine
import CustosGovernance
import CustosSchema
import Foundation
import Hummingbird

/// The audit log, read-only (nothing here appends or signs): verification (optionally against
/// witnesses' keys and checkpoints kept elsewhere), the compliance report for a period, the latest
/// signed checkpoint (what a witness cosigns) and RFC 6962 inclusion and consistency proofs. For
/// compliance officers and operators; refusals are audited.
struct AuditRoutes: RouteGroup {
    let service: CustosService

    struct VerifyRequest: Codable {
        /// Witness `.vkey` texts whose cosignatures must verify and cover the log.
        var witnessKeys: [String]?
        /// Signed checkpoints kept outside the workspace the log must still match.
        var checkpoints: [String]?
        enum CodingKeys: String, CodingKey { case witnessKeys = "witness_keys", checkpoints }
    }

    struct CheckpointView: Codable {
        let origin: String
        let size: UInt64
        let rootHash: String
        let time: String?
        let note: String
        enum CodingKeys: String, CodingKey { case origin, size, rootHash = "root_hash", time, note }
    }

    struct ProveRequest: Codable {
        var entry: UInt64?
        var oldSize: UInt64?
        var size: UInt64?
        var format: String?
        enum CodingKeys: String, CodingKey { case entry, oldSize = "old_size", size, format }
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        let workspace = service.engine.workspace
        let readers = [StandardRole.complianceOfficer, StandardRole.operator]
        group.post("audit/verify") { request, context in
            try await service.require(readers, for: "verifying the audit log", context: context)
            let ask = request.headers[.contentLength] == nil || request.headers[.contentLength] == "0"
                ? VerifyRequest() : try await service.body(VerifyRequest.self, request: request, context: context)
            let result = try await service.blocking { () throws -> AuditVerificationResult in
                let witnesses: [CosignerKey]
                do {
                    witnesses = try (ask.witnessKeys ?? []).map { try CosignerKey(verifierKey: $0) }
                } catch {
                    throw Problem.badRequest("a witness key is not a .vkey text (name+hash+key, as `custos audit witness-keygen` writes it)")
                }
                return try Engine.readOnlyAudit(workspace).verify(witnesses: witnesses, externalCheckpoints: (ask.checkpoints ?? []).map { Array($0.utf8) })
            }
            return Reply.bytes(Data(CanonicalJSON.encode(result.json)), contentType: "application/json")
        }
        group.get("audit/report") { request, context in
            try await service.require(readers, for: "the audit report", context: context)
            let from = request.uri.queryParameters.get("from").map { String($0) }
            let to = request.uri.queryParameters.get("to").map { String($0) }
            for (name, value) in [("from", from), ("to", to)] {
                if let value, ValueParser.parseDate(value) == nil { throw Problem.badRequest("\(name) '\(value)' is not a date; use YYYY-MM-DD") }
            }
            let representation = Reply.representation(request.headers[.accept])
            let text = try await service.blocking {
                try ReportService.auditReport(workspace, from: from, to: to, format: representation == .html ? "html" : "json")
            }
            switch representation {
            case .json: return Reply.text(text, contentType: "application/json")
            case .html: return Reply.text(text, contentType: "text/html; charset=utf-8")
            case .text: return Reply.text(try ReportSummary.audit(json: text, footer: "full report: Accept: text/html; application/json for machines") + "\n")
            }
        }
        group.get("audit/checkpoint") { _, context in
            try await service.require(readers, for: "reading the signed checkpoint", context: context)
            let latest = try await service.blocking { try Engine.readOnlyAudit(workspace).latestCheckpoint() }
            guard let latest else { throw Problem.notFound("the log has no signed checkpoint yet") }
            return try Reply.json(CheckpointView(origin: latest.origin, size: latest.size, rootHash: latest.rootHash.base64,
                                                 time: latest.timeMilliseconds.map(AuditTimestamp.format(milliseconds:)), note: latest.signedNote))
        }
        group.post("audit/prove") { request, context in
            try await service.require(readers, for: "audit proofs", context: context)
            let ask = try await service.body(ProveRequest.self, request: request, context: context)
            let tlog = ask.format == "tlog"
            guard ask.format == nil || ask.format == "json" || tlog else { throw Problem.badRequest("format is json or tlog") }
            switch (ask.entry, ask.oldSize) {
            case (nil, nil): throw Problem.badRequest("give entry (an inclusion proof) or old_size (a consistency proof)")
            case (.some, .some): throw Problem.badRequest("entry (inclusion proof) and old_size (consistency proof) exclude each other; give one")
            case let (.some(entry), nil):
                if let size = ask.size, entry >= size { throw Problem.badRequest("entry \(entry) is not in a tree of size \(size); entries are numbered from 0") }
            case let (nil, .some(old)):
                if tlog { throw Problem.badRequest("consistency proofs have no C2SP text form; use format json") }
                if let size = ask.size, old > size { throw Problem.badRequest("old_size \(old) is larger than size \(size); the old tree must be the smaller") }
            }
            return try await service.blocking { () throws -> Response in
                let prover = try Engine.readOnlyAudit(workspace).prover()
                if let entry = ask.entry {
                    let proof = try prover.inclusionProof(entry: entry, treeSize: ask.size)
                    if tlog {
                        guard let text = proof.tlogProofText else {
                            throw Problem.badRequest("no signed checkpoint covers tree size \(proof.proof.treeSize); use format json, or the size of a checkpoint")
                        }
                        return Reply.text(text, contentType: "text/plain; charset=utf-8")
                    }
                    return Reply.bytes(Data(CanonicalJSON.encode(proof.json)), contentType: "application/json")
                }
                let proof = try prover.consistencyProof(from: ask.oldSize ?? 0, to: ask.size)
                return Reply.bytes(Data(CanonicalJSON.encode(proof.json)), contentType: "application/json")
            }
        }
    }
}
