import Foundation

/// Who is acting: a principal in a role, authenticated by a bearer token (operators acting on the
/// machine itself are identified by their OS account and need no token).
///
/// Named `Caller` rather than `Caller` so that it never shadows Swift's `Caller` protocol in a module
/// that imports the engine.
public struct Caller: Sendable {
    /// The principal id from `policies/principals.yaml`.
    public let principal: String
    /// The role the principal acts in (must be one of theirs).
    public let role: String
    /// The bearer token; never logged, printed or copied into a decision.
    public let token: String?

    /// A caller from its parts.
    public init(principal: String, role: String, token: String?) {
        self.principal = principal
        self.role = role
        self.token = token
    }

    /// The OS account running `custos init` or opening the engine, named in the entries nobody else
    /// could (key creation at init). Never accepted for a change to data, consent or keys: those
    /// authenticate a principal whose role may take the action (see `AdministrativeAction`).
    public static var localOperator: Caller {
        Caller(principal: "os:" + (ProcessInfo.processInfo.environment["USER"] ?? "operator"), role: "operator", token: nil)
    }
}

/// The API request an engine call serves, so its audit entries can name it (`request_id` in details)
/// and an auditor can join the log with the service's access log. Bound by the service around each
/// call, on the thread that runs it; nil for the CLI's local mode.
public enum RequestScope {
    @TaskLocal public static var requestID: String?

    /// `details` with the current request's id added (unchanged outside a request).
    static func tagged(_ details: [String: String]) -> [String: String] {
        guard let id = requestID else { return details }
        var tagged = details
        tagged["request_id"] = id
        return tagged
    }
}
