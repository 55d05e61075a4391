import CustosEngine
import CustosGovernance
import CustosSchema
import Foundation
import Hummingbird

/// Tools for policy authors over the API: the version in force and whether the files on disk are
/// valid, the golden tests, explaining a decision (records and grants nothing), and putting a newly
/// signed set in force without a restart.
struct PolicyRoutes: RouteGroup {
    let service: CustosService

    struct Status: Codable {
        let version: String
        let problems: [String]
        enum CodingKeys: String, CodingKey { case version, problems }
    }

    struct TestOutcome: Codable {
        let passed: Bool
        let report: String
    }

    /// A request to explain, as `custos policy explain` takes it.
    struct ExplainRequest: Codable {
        var principal: String
        var role: String
        var purpose: String
        var dataset: String
        var columns: [String]?
        var outputMode: String
        var epsilon: Double?
        enum CodingKeys: String, CodingKey { case principal, role, purpose, dataset, columns, outputMode = "output_mode", epsilon }
    }

    struct Explanation: Codable { let explanation: String }
    struct Reload: Codable { let changed: Bool; let version: String }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get("policy") { _, context in
            _ = try context.requireIdentity()
            let directory = service.engine.workspace.policiesDirectory
            let problems = try await service.blocking { PolicyChecker.check(directory: directory).map(\.description) }
            return try Reply.json(Status(version: service.engine.policies.version, problems: problems))
        }
        group.post("policy/test") { _, context in
            _ = try context.requireIdentity()
            let directory = service.engine.workspace.policiesDirectory
            let report = try await service.blocking { PolicyTestRunner.run(directory: directory) }
            return try Reply.json(TestOutcome(passed: report.passed, report: report.text))
        }
        group.post("policy/explain") { request, context in
            _ = try context.requireIdentity()
            let ask = try await request.json(ExplainRequest.self, context: context)
            guard let mode = OutputMode(rawValue: ask.outputMode) else {
                throw Problem.badRequest("output_mode '\(ask.outputMode)' is not one of \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let access = AccessRequest(principal: ask.principal, token: nil, role: ask.role, purpose: ask.purpose, dataset: ask.dataset,
                                       columns: ask.columns ?? [], outputMode: mode, epsilon: ask.epsilon)
            return try Reply.json(Explanation(explanation: PolicyExplainer.explain(access, policies: service.engine.policies)))
        }
        group.post("policy/reload") { _, context in
            try context.requireIdentity().require(StandardRole.complianceOfficer, StandardRole.operator, for: "putting signed policies in force")
            let engine = service.engine
            let changed = try await service.blocking { try engine.reloadPolicies() }
            return try Reply.json(Reload(changed: changed, version: engine.policies.version))
        }
    }
}
