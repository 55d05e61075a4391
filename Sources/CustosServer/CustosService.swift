import CustosAudit
import CustosEngine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// `custos serve`: the one process that holds the engine (keys unsealed, store and audit log open)
/// and answers the /v1 API. Engine calls block (SQLite, fsync), so they run on a thread pool of their
/// own, never on the event loops; the audit log's group commit turns concurrent requests into
/// batched fsyncs, and the budget ledger and audit writer are serialised inside the engine.
public final class CustosService: Sendable {
    public let engine: Engine
    public let settings: ServiceSettings
    let rateLimiter: RateLimiter
    let jobSlots: JobSlots
    let metrics = ServiceMetrics()
    let jobs: JobBoard
    let policyChanges: PolicyChangeBoard
    let logger: Logger
    private let pool: NIOThreadPool

    public init(engine: Engine, settings: ServiceSettings, logger: Logger = Logger(label: "custos")) {
        self.engine = engine
        self.settings = settings
        self.logger = logger
        rateLimiter = RateLimiter(rate: settings.limits.requestsPerSecond, burst: settings.limits.burst)
        jobSlots = JobSlots(perPrincipal: settings.limits.jobsPerPrincipal, total: settings.limits.jobsTotal)
        jobs = JobBoard(retention: settings.limits.resultRetentionSeconds)
        policyChanges = PolicyChangeBoard(engine: engine)
        pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
    }

    /// Runs `work` on the engine's thread pool, with the request id bound so its audit entries name it.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let id = RequestScope.requestID
        return try await pool.runIfActive { try RequestScope.$requestID.withValue(id) { try work() } }
    }

    /// The router: anonymous probes and the OpenAPI document, then everything under /v1 behind
    /// authentication.
    public func makeRouter() -> Router<CustosRequestContext> {
        let router = Router(context: CustosRequestContext.self)
        let table = RouteTable()
        router.add(middleware: EnvelopeMiddleware(metrics: metrics, logger: logger, routes: table))
        HealthRoutes(service: self).register(on: router)
        let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(service: self))
        for routes in apiRoutes() { routes.register(on: v1) }
        table.load(router.routes.map { ($0.method.rawValue, "\($0.path)") })
        return router
    }

    /// Every group of /v1 operations.
    func apiRoutes() -> [any RouteGroup] {
        [SessionRoutes(service: self), JobRoutes(service: self), BudgetRoutes(service: self), PolicyRoutes(service: self),
         IngestRoutes(service: self), ConsentRoutes(service: self), RequestRoutes(service: self), AuditRoutes(service: self),
         OperationsRoutes(service: self), PrincipalRoutes(service: self)]
    }

    /// The HTTP application for `settings`: TLS (optionally with client certificates) or plain HTTP.
    public func makeApplication(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
        throws -> some ApplicationProtocol {
        try settings.validate()
        let address: BindAddress
        switch settings.listener {
        case let .tcp(host, port): address = .hostname(host, port: port)
        case let .unixSocket(path): address = .unixDomainSocket(path: path)
        }
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(settings.limits.idleTimeoutSeconds))
        let server: HTTPServerBuilder
        if let tls = settings.tls {
            server = try .tls(.http1(configuration: http1), tlsConfiguration: try Self.tlsConfiguration(tls))
        } else {
            server = .http1(configuration: http1)
        }
        return Application(router: makeRouter(), server: server,
                           configuration: .init(address: address, serverName: "custos"),
                           onServerRunning: onServerRunning, logger: logger)
    }

    static func tlsConfiguration(_ tls: ServiceSettings.TLS) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificateSource]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain).map { .certificate($0) }
        } catch {
            throw ServiceStartError("cannot read the TLS certificate chain \(tls.certificateChain) (\(error)); give a PEM file")
        }
        do {
            key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
        } catch {
            throw ServiceStartError("cannot read the TLS private key \(tls.privateKey) (\(error)); give an unencrypted PEM key readable by the service account only")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA = tls.clientCA {
            configuration.trustRoots = .file(clientCA)
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
    }

    /// Serves until SIGTERM or SIGINT: then stops accepting, lets running jobs finish, and closes the
    /// engine (which signs the final checkpoint).
    public func run(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) async throws {
        let socketPath: String? = if case let .unixSocket(path) = settings.listener { path } else { nil }
        let app = try makeApplication { channel in
            // Owner and group only: put the service account and its callers (a reverse proxy) in one group.
            if let socketPath { chmod(socketPath, 0o660) }
            await onServerRunning(channel)
        }
        do {
            try await app.runService()
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    /// Finishes running jobs, closes the engine and stops the thread pool.
    public func shutdown() async {
        await jobs.drain()
        do { try engine.close() } catch { logger.error("closing the engine failed", metadata: ["error": .string("\(error)")]) }
        try? await pool.shutdownGracefully()
    }
}

/// A group of /v1 operations.
protocol RouteGroup {
    func register(on group: RouterGroup<CustosRequestContext>)
}
