import CustosEngine
import CustosGovernance
import Foundation
import Hummingbird

/// `GET /v1/session`: who the token belongs to and the role the request acts in.
struct SessionRoutes: RouteGroup {
    let service: CustosService

    struct Session: Encodable {
        let principal: String
        let name: String
        let role: String
        let roles: [String]
        let policyVersion: String
        enum CodingKeys: String, CodingKey { case principal, name, role, roles, policyVersion = "policy_version" }
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get("session") { _, context in
            let identity = try context.requireIdentity()
            return try Reply.json(Session(principal: identity.principal.id, name: identity.principal.displayName, role: identity.role,
                                          roles: identity.principal.roles, policyVersion: service.engine.policies.version))
        }
    }
}
