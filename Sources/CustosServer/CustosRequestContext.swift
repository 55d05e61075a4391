import CustosEngine
import CustosGovernance
import Hummingbird
import Logging
import NIOCore

/// Who an authenticated request comes from: the principal its bearer token belongs to, acting in one role.
struct Identity: Sendable {
    let principal: Principal
    let role: String
    /// Passed on to the engine, which checks it again; never logged.
    let token: String

    var caller: Caller { Caller(principal: principal.id, role: role, token: token) }
}

/// Per-request state: the request id (accepted from `X-Request-Id` when well-formed, generated
/// otherwise) and, behind the authentication middleware, the identity.
public struct CustosRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    var requestID = ""
    var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// JSON bodies are small; uploads stream past this limit through their own.
    public var maxUploadSize: Int { ServiceLimits.defaultJSONBody }

    /// The identity, for handlers behind the authentication middleware.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthenticated("this operation needs Authorization: Bearer <token>") }
        return identity
    }

    /// The address a request came from, as a rate-limit key (never logged with anything personal).
    var addressKey: String {
        guard let remoteAddress else { return "addr:local" }
        return "addr:" + (remoteAddress.ipAddress ?? remoteAddress.description)
    }
}
