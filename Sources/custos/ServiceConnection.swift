import ArgumentParser
import CustosAudit
import CustosClient
import CustosEngine
import Foundation

/// Where a data command runs: through the service (`--server`/`$CUSTOS_SERVER`), or on the
/// workspace in this process. Local mode is the default only while no server is configured; once one
/// is, opening the workspace takes an explicit, audited `--local` and the KEK passphrase.
extension WorkspaceOptions {
    /// The client for the configured service, or nil for local mode (no server, or `--local`).
    func client(token: String?, role: String?) -> APIClient? {
        guard !local, let server = configuredServer else { return nil }
        return APIClient(server: server, token: token ?? ProcessInfo.processInfo.environment["CUSTOS_TOKEN"], role: role)
    }

    /// Checks that this process may open the workspace itself, and says whether that is a
    /// break-glass access. With a server configured, only `--local` with the KEK passphrase may.
    func authorizeLocalAccess() throws -> BreakGlass? {
        if let server = configuredServer {
            guard local else {
                throw fail(CommandFailure("""
                    this command has no operation on the Custos service at \(server) in this build, and with a server \
                    configured the CLI does not open the workspace; run it with --local (break-glass, audited, needs the \
                    KEK passphrase) or unset $CUSTOS_SERVER
                    """))
            }
            guard let passphrase = try passphrase(), !passphrase.isEmpty else {
                throw fail(CommandFailure("""
                    --local is the break-glass access to the workspace while a server (\(server)) is configured: it needs \
                    the KEK passphrase (--passphrase-file FILE or $CUSTOS_PASSPHRASE) and is audited as breakglass.access
                    """))
            }
            return BreakGlass(server: server)
        }
        return local ? BreakGlass(server: nil) : nil
    }
}

/// An explicit `--local`: recorded in the audit log as `breakglass.access` before the command does
/// anything, naming the OS account and the command (never its option values, which may hold paths
/// or identifiers).
struct BreakGlass {
    let server: String?

    static let action = "breakglass.access"

    /// The command words, e.g. `mine rfm` or `budget show`: the arguments before the first option.
    static var command: String {
        CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") }.prefix(2).joined(separator: " ")
    }

    /// The OS account running this process.
    static var osAccount: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid-\(geteuid())"
    }

    func record(on engine: Engine) throws {
        guard let action = AuditAction(rawValue: Self.action) else { throw CommandFailure("internal: bad audit action name") }
        var details = ["os_account": Self.osAccount, "command": "custos " + Self.command]
        if let server { details["server"] = server }
        _ = try engine.record(AuditEntry(time: Date(), actor: "os:" + Self.osAccount, role: "breakglass", action: action, decision: .allow,
                                         reason: "local access to the workspace bypassing the service (--local)", details: details))
        FileHandle.standardError.write(Data("custos: break-glass local access recorded in the audit log as \(Self.action)\n".utf8))
    }
}

/// Runs `body` against the service, printing a problem the way local failures print: the detail
/// and the request id, what to do, and exit 1.
func withService<T>(denialHint: String? = nil, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let problem as APIProblem {
        var message = "error: \(problem)\n"
        switch problem.slug {
        case "denied": message += "what to do: " + (denialHint ?? DenialHint.generic) + "\n"
        case "unauthenticated":
            message += "what to do: set $CUSTOS_TOKEN (or --token) to your principal's bearer token from `custos init` or an operator\n"
        default: break
        }
        FileHandle.standardError.write(Data(message.utf8))
        throw ExitCode.failure
    } catch let error as APIClientError {
        throw fail(CommandFailure(error.description))
    }
}

/// Jobs over the API: `POST /v1/jobs` (waiting for it with `Prefer: wait`), polling while it runs,
/// then the result in the format asked for.
enum RemoteJob {
    /// What the CLI reads of a job resource.
    struct Status: Decodable {
        let id: String
        let state: String
        let problem: APIProblem?
    }

    static func run(_ job: JobRequest, client: APIClient, format: OutputFormat) async throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let started = try await client.send("POST", "/v1/jobs", json: try encoder.encode(job), headers: [("Prefer", "wait=120")])
        return try await finish(started, client: client, mediaType: format.mediaType)
    }

    /// Polls the job a `202`/`200` answer started until it ends, then fetches its result as `mediaType`.
    static func finish(_ started: APIResponse, client: APIClient, mediaType: String) async throws -> String {
        let requestID = started.header("x-request-id")
        var status = try started.decode(Status.self)
        while status.state == "running" {
            try await Task.sleep(for: .milliseconds(250))
            status = try await client.send("GET", "/v1/jobs/\(status.id)").decode(Status.self)
        }
        if let problem = status.problem {
            throw APIProblem(type: problem.type, status: problem.status, title: problem.title, detail: problem.detail,
                             instance: problem.instance ?? requestID, retryAfter: problem.retryAfter)
        }
        return try await client.send("GET", "/v1/jobs/\(status.id)/result", accept: mediaType).text
    }
}

extension OutputFormat {
    /// The `Accept` value that asks the service for this format.
    var mediaType: String {
        switch self {
        case .json: return "application/json"
        case .text: return "text/plain"
        case .html: return "text/html"
        }
    }
}

/// A job built once from a command's options, run in this process or by the service.
enum JobDispatch {
    static func run(_ job: JobRequest, options: WorkspaceOptions, actor: ActorOptions, format: OutputFormat, denialHint: String) async throws -> String {
        if let client = options.client(token: actor.token, role: actor.role) {
            return try await withService(denialHint: denialHint) { try await RemoteJob.run(job, client: client, format: format) }
        }
        let result = try withEngine(options, denialHint: denialHint) { try job.run(on: $0, as: actor.actor) }
        return try Render.result(result, format: format)
    }
}
