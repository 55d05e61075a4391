import CustosAudit
import CustosClient
import CustosDemo
import CustosEngine
import CustosServer
import CustosVault
import Foundation
import Logging
import NIOCore

/// A workspace with synthetic customers (ingested and consented as the demo does), its engine
/// served by `CustosService` on an ephemeral loopback port, and a token per principal.
final class ServerFixture: Sendable {
    let root: URL
    let tokens: [String: String]
    let service: CustosService
    let port: Int
    private let task: Task<Void, any Error>

    static func start(customers: Int = 150, limits: ServiceLimits = ServiceLimits(), listener: ServiceSettings.Listener? = nil,
                      tls: ServiceSettings.TLS? = nil) async throws -> ServerFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-server-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace.initialize(at: root)
        let tokens = Dictionary(uniqueKeysWithValues: try workspace.issueFreshTokens().map { ($0.principal, $0.token) })
        let engine = try Engine.open(workspace)
        if customers > 0 {
            var options = SyntheticDataGenerator.Options()
            options.customers = customers
            options.seed = 7
            let staging = root.appendingPathComponent("staging")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let generated = try SyntheticDataGenerator(options: options).generate(into: staging)
            let oscar = Caller(principal: "oscar", role: "operator", token: tokens["oscar"])
            for name in ["customers", "orders", "events"] {
                if let file = generated.files[name] { _ = try engine.ingest(file: file, dataset: name, actor: oscar) }
            }
            if let file = generated.files["consents"] {
                _ = try engine.consent.importConsents(file: file, actor: Caller(principal: "prefs", role: "consent_collector", token: tokens["prefs"]))
            }
            try FileManager.default.removeItem(at: staging)
        }
        var settings = ServiceSettings()
        settings.listener = listener ?? .tcp(host: "127.0.0.1", port: 0)
        settings.limits = limits
        settings.tls = tls
        var logger = Logger(label: "custos-test")
        logger.logLevel = .critical
        let service = CustosService(engine: engine, settings: settings, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            // The stream ends either way, so a service that fails to start fails the test instead of hanging it.
            defer { continuation.finish() }
            try await service.run { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }
        }
        // A Unix socket has no port: it yields 0; a service that never listened yields nothing.
        var port: Int?
        for await bound in ports { port = bound }
        guard let port else {
            _ = try await task.value
            throw ServiceStartError("the service stopped before it listened")
        }
        return ServerFixture(root: root, tokens: tokens, service: service, port: port, task: task)
    }

    private init(root: URL, tokens: [String: String], service: CustosService, port: Int, task: Task<Void, any Error>) {
        self.root = root
        self.tokens = tokens
        self.service = service
        self.port = port
        self.task = task
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// A client acting as `principal` (in `role`, or its only role).
    func client(_ principal: String, role: String? = nil) -> APIClient {
        APIClient(server: url, token: tokens[principal], role: role)
    }

    /// A client with any token (or none).
    func client(token: String?, role: String? = nil) -> APIClient { APIClient(server: url, token: token, role: role) }

    /// Stops the service (as SIGTERM would) and removes the workspace.
    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: root)
    }

    /// Stops the service and leaves the workspace for the test to inspect.
    func stopKeepingWorkspace() async {
        task.cancel()
        _ = try? await task.value
    }

    /// Every entry in the audit log so far.
    func auditEntries() throws -> [AuditEntry] { try service.engine.audit.entries() }
}

extension APIClient {
    /// The problem a request fails with, or nil when it succeeds.
    func problem(_ method: String, _ path: String, json: String? = nil, headers: [(String, String)] = []) async -> APIProblem? {
        do {
            _ = try await send(method, path, json: json.map { Data($0.utf8) }, headers: headers)
            return nil
        } catch let problem as APIProblem {
            return problem
        } catch {
            return APIProblem.other("\(error)")
        }
    }
}

extension APIProblem {
    static func other(_ text: String) -> APIProblem { APIProblem(type: "client", status: 0, title: text) }
}
