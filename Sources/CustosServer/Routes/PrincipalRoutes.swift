import CustosCrypto
import CustosEngine
import CustosGovernance
import Foundation
import Hummingbird
import Synchronization

/// Principal administration under the signed-policy rule. `GET /v1/principals` lists them (never
/// a token hash). A change is two steps: `POST /v1/principals/changes` computes the new
/// `principals.yaml` in a staging copy of `policies/` and answers the version to sign (and the
/// exact text, when the signer and key are given); `POST /v1/principals/changes/{id}/apply` takes
/// a pinned officer's Ed25519 signature over it, writes the files and reloads the policies. A new
/// or rotated token is in the apply response, once; only its hash is ever written.
struct PrincipalRoutes: RouteGroup {
    let service: CustosService

    struct Listed: Codable {
        let id: String
        let name: String
        let roles: [String]
        let disabled: Bool
        let subjectBound: Bool
        enum CodingKeys: String, CodingKey { case id, name, roles, disabled, subjectBound = "subject_bound" }
    }
    struct Listing: Codable { let principals: [Listed]; let policyVersion: String
        enum CodingKeys: String, CodingKey { case principals, policyVersion = "policy_version" } }

    struct ChangeRequest: Codable {
        var action: String
        var principal: String
        var name: String?
        var roles: [String]?
        var role: String?
        var subject: String?
        /// Optional: who will sign and with which key, to get the exact text to sign.
        var signer: String?
        var publicKey: String?
        enum CodingKeys: String, CodingKey { case action, principal, name, roles, role, subject, signer, publicKey = "public_key" }
    }
    struct Staged: Codable {
        let changeID: String
        let action: String
        let principal: String
        let baseVersion: String
        let version: String
        let signedText: String?
        let timeMs: Int64?
        enum CodingKeys: String, CodingKey {
            case changeID = "change_id", action, principal, baseVersion = "base_version", version, signedText = "signed_text", timeMs = "time_ms"
        }
    }
    struct ApplyRequest: Codable {
        var signer: String
        var publicKey: String
        var timeMs: Int64
        var signature: String
        enum CodingKeys: String, CodingKey { case signer, publicKey = "public_key", timeMs = "time_ms", signature }
    }
    struct Applied: Codable {
        let changeID: String
        let policyVersion: String
        let principal: String
        let token: String?
        enum CodingKeys: String, CodingKey { case changeID = "change_id", policyVersion = "policy_version", principal, token }
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        let engine = service.engine
        let administrators = [StandardRole.complianceOfficer, StandardRole.operator]
        group.get("principals") { _, context in
            try await service.require(administrators, for: "listing principals", context: context)
            let policies = engine.policies
            return try Reply.json(Listing(principals: policies.principals.entries.values.sorted { $0.id < $1.id }.map {
                Listed(id: $0.id, name: $0.displayName, roles: $0.roles, disabled: $0.disabled, subjectBound: $0.subject != nil)
            }, policyVersion: policies.version))
        }
        group.post("principals/changes") { request, context in
            try await service.require(administrators, for: "changing principals", context: context)
            let ask = try await service.body(ChangeRequest.self, request: request, context: context)
            let change = try Self.change(ask)
            var signerKey: Curve25519.Signing.PublicKey?
            if let key = ask.publicKey {
                guard let raw = Data(base64Encoded: key), let parsed = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](raw)) else {
                    throw Problem.badRequest("public_key must be the base64 of a 32-byte Ed25519 public key")
                }
                signerKey = parsed
            }
            if let signer = ask.signer, !PolicySigners.isValidSignerID(signer) { throw Problem.badRequest("signer must be a principal id") }
            let staged = try await service.blocking { try engine.stagePrincipalChange(change) }
            service.policyChanges.put(staged)
            var text: String?
            var time: Int64?
            if let signer = ask.signer, let signerKey {
                let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
                text = PolicySignature(version: staged.version, signer: signer, publicKey: signerKey, timeMilliseconds: now, signature: []).signedText
                time = now
            }
            return try Reply.json(Staged(changeID: staged.id, action: change.kind, principal: change.principal, baseVersion: staged.baseVersion,
                                         version: staged.version, signedText: text, timeMs: time),
                                  status: .created, headers: [.location: "/v1/principals/changes/\(staged.id)"])
        }
        group.post("principals/changes/{id}/apply") { request, context in
            let identity = try await service.require(administrators, for: "changing principals", context: context)
            let id = try context.parameters.require("id")
            let ask = try await service.body(ApplyRequest.self, request: request, context: context)
            guard let staged = service.policyChanges.get(id) else {
                throw Problem.notFound("no staged change \(id) (applied, or expired after an hour); stage it again")
            }
            guard PolicySigners.isValidSignerID(ask.signer),
                  let raw = Data(base64Encoded: ask.publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](raw)),
                  let signature = Data(base64Encoded: ask.signature), signature.count == 64, ask.timeMs >= 0 else {
                throw Problem.badRequest("signer must be a principal id, public_key a base64 Ed25519 key, signature 64 bytes of base64, time_ms Unix milliseconds")
            }
            let signed = PolicySignature(version: staged.version, signer: ask.signer, publicKey: key, timeMilliseconds: ask.timeMs,
                                         signature: [UInt8](signature))
            let caller = identity.caller
            try await service.blocking { try engine.applyStagedChange(staged, signature: signed, actor: caller) }
            service.policyChanges.remove(id)
            return try Reply.json(Applied(changeID: id, policyVersion: engine.policies.version, principal: staged.change.principal, token: staged.token))
        }
    }

    /// The change a request asks for, or a refusal saying which field is missing.
    static func change(_ ask: ChangeRequest) throws -> PrincipalChange {
        func role() throws -> String {
            guard let role = ask.role, !role.isEmpty else { throw Problem.badRequest("\(ask.action) needs role") }
            return role
        }
        switch ask.action {
        case "add":
            guard let name = ask.name, let roles = ask.roles, !roles.isEmpty else { throw Problem.badRequest("add needs name and roles") }
            return .add(id: ask.principal, displayName: name, roles: roles, subject: ask.subject)
        case "disable": return .disable(id: ask.principal)
        case "enable": return .enable(id: ask.principal)
        case "grant": return .grant(id: ask.principal, role: try role())
        case "revoke": return .revoke(id: ask.principal, role: try role())
        case "rotate_token": return .rotateToken(id: ask.principal)
        default: throw Problem.badRequest("action must be add, disable, enable, grant, revoke or rotate_token")
        }
    }
}

/// Staged principal changes, in memory (their new tokens never touch disk), for an hour.
final class PolicyChangeBoard: Sendable {
    private let staged = Mutex<[String: (StagedPolicyChange, Double)]>([:])
    private let engine: Engine

    init(engine: Engine) { self.engine = engine }

    func put(_ change: StagedPolicyChange) {
        let now = ProcessInfo.processInfo.systemUptime
        let expired = staged.withLock { staged -> [StagedPolicyChange] in
            let old = staged.values.filter { now - $0.1 > 3600 }.map(\.0)
            for change in old { staged[change.id] = nil }
            staged[change.id] = (change, now)
            return old
        }
        for change in expired { engine.discardStagedChange(change) }
    }

    func get(_ id: String) -> StagedPolicyChange? {
        let now = ProcessInfo.processInfo.systemUptime
        return staged.withLock { staged in staged[id].flatMap { now - $0.1 > 3600 ? nil : $0.0 } }
    }

    func remove(_ id: String) { _ = staged.withLock { $0.removeValue(forKey: id) } }
}
