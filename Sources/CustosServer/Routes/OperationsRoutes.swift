import CustosEngine
import CustosGovernance
import Foundation
import Hummingbird

/// The record of processing activities (JSON, text summary or HTML by `Accept`), key rotation and
/// backups. Rotation and backups are the operator's: the engine authorises (`keys.rotate`,
/// `backup`) and audits them; a backup goes only to an absolute folder outside the workspace.
struct OperationsRoutes: RouteGroup {
    let service: CustosService

    struct RotateRequest: Codable {
        /// The KEK passphrase, for a passphrase-protected workspace only (the new KEK stays protected).
        var passphrase: String?
    }
    struct Rotated: Codable {
        let kekVersion: Int
        let rewrapped: Int
        enum CodingKeys: String, CodingKey { case kekVersion = "kek_version", rewrapped }
    }
    struct BackupRequest: Codable { var destination: String }
    struct BackupResult: Codable {
        let destination: String
        let auditSize: UInt64
        let kekVersions: [Int]
        let files: [String: String]
        enum CodingKeys: String, CodingKey { case destination, auditSize = "audit_size", kekVersions = "kek_versions", files }
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        let engine = service.engine
        group.get("reports/ropa") { request, context in
            try await service.require(StandardRole.complianceOfficer, StandardRole.operator, for: "the record of processing activities",
                                      context: context)
            let representation = Reply.representation(request.headers[.accept])
            let text = try await service.blocking { try engine.reports.recordOfProcessing(format: representation == .html ? "html" : "json") }
            switch representation {
            case .json: return Reply.text(text, contentType: "application/json")
            case .html: return Reply.text(text, contentType: "text/html; charset=utf-8")
            case .text: return Reply.text(try ReportSummary.processing(json: text, footer: "full record: Accept: text/html; application/json for machines") + "\n")
            }
        }
        group.post("keys/rotate") { request, context in
            let caller = try context.requireIdentity().caller
            let ask = request.headers[.contentLength] == nil || request.headers[.contentLength] == "0"
                ? RotateRequest() : try await service.body(RotateRequest.self, request: request, context: context)
            let result = try await service.blocking { try engine.rotateKeys(passphrase: ask.passphrase, actor: caller) }
            return try Reply.json(Rotated(kekVersion: result.version, rewrapped: result.rewrapped))
        }
        group.post("backup") { request, context in
            let caller = try context.requireIdentity().caller
            let ask = try await service.body(BackupRequest.self, request: request, context: context)
            guard ask.destination.hasPrefix("/"), !ask.destination.contains("\0") else {
                throw Problem.badRequest("destination must be an absolute folder on the server, outside the workspace")
            }
            // The engine authorises first, then refuses any folder inside the workspace (symlinks resolved).
            let folder = URL(fileURLWithPath: ask.destination)
            let manifest = try await service.blocking { try engine.backup(to: folder, actor: caller) }
            return try Reply.json(BackupResult(destination: ask.destination, auditSize: manifest.auditSize, kekVersions: manifest.kekVersions,
                                               files: manifest.files))
        }
    }
}
