import CustosAudit
import CustosVault
import CustosEngine
import CustosGovernance
import Foundation
import HTTPTypes
import Hummingbird

/// What needs no token: liveness, readiness and the API's description. `/metrics` needs one (an
/// operator or compliance officer), like every other operation.
struct HealthRoutes {
    let service: CustosService

    func register(on router: Router<CustosRequestContext>) {
        router.get("healthz") { _, _ in Reply.text("ok\n") }
        router.get("readyz") { _, _ in try await readiness() }
        router.get("v1/openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
                throw Problem("internal", status: 500, title: "Internal error", detail: "the OpenAPI document is missing from this build")
            }
            return Reply.bytes(data, contentType: "application/yaml")
        }
        router.group("metrics").add(middleware: AuthenticationMiddleware(service: service)).get { _, context in
            let identity = try context.requireIdentity()
            try identity.require(StandardRole.operator, StandardRole.complianceOfficer, for: "reading metrics")
            try await service.refreshGauges(as: identity.caller)
            return Reply.text(service.metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// Ready when the keys are unsealed (the engine opened), the store answers, the audit log takes
    /// writes and the policies are loaded; 503 with the failing check otherwise.
    func readiness() async throws -> Response {
        let engine = service.engine
        let checks: [String: Bool] = try await service.blocking {
            var checks: [String: Bool] = [:]
            checks["keys"] = true
            checks["store"] = (try? engine.workspace.settings.setting("workspace_id")) != nil
            checks["audit"] = engine.audit.isWritable
            checks["policies"] = !engine.policies.version.isEmpty
            return checks
        }
        let ready = checks.values.allSatisfy { $0 }
        return try Reply.json(["ready": ready ? "yes" : "no"].merging(checks.mapValues { $0 ? "ok" : "failing" }) { a, _ in a },
                              status: ready ? .ok : .serviceUnavailable)
    }
}
