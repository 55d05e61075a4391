import CustosGovernance
import ArgumentParser
import CustosEngine
import CustosServer
import Foundation
import Logging
import NIOCore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Custos as a service: the only process that opens keys/ and data/, answering the authenticated /v1 API.",
        discussion: """
            Run it as a dedicated system account that owns the workspace (deploy/custos.service is an example systemd unit). \
            It refuses to start when keys/, policies/ or data/ are writable by others or owned by another account.

            Listens on 127.0.0.1:8420 by default. Plain HTTP on another address is refused unless --tls-cert/--tls-key \
            are given, or --insecure-http for a TLS-terminating proxy on the same host. SIGTERM or SIGINT stops it \
            gracefully: it stops accepting, lets running jobs finish and signs a final checkpoint.

            Example:
              custos serve --workspace /var/lib/custos --passphrase-file $CREDENTIALS_DIRECTORY/kek-passphrase
              curl -H "Authorization: Bearer $CUSTOS_TOKEN" http://127.0.0.1:8420/v1/session
            """)

    @OptionGroup var options: WorkspaceOptions
    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port")) var listen = "127.0.0.1:8420"
    @Option(help: ArgumentHelp("Listen on a Unix socket instead (created with mode 0660).", valueName: "path")) var socket: String?
    @Option(help: ArgumentHelp("Read the KEK passphrase from this open file descriptor (e.g. 3), so it never touches a file.", valueName: "fd"))
    var passphraseFD: Int32?
    @Option(help: ArgumentHelp("TLS certificate chain (PEM).", valueName: "file"), completion: .file()) var tlsCert: String?
    @Option(help: ArgumentHelp("TLS private key (PEM).", valueName: "file"), completion: .file()) var tlsKey: String?
    @Option(help: ArgumentHelp("CA bundle (PEM) whose client certificates are required (mutual TLS).", valueName: "file"), completion: .file())
    var clientCA: String?
    @Flag(help: "Allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy on this host).") var insecureHTTP = false
    @Flag(help: "Write log lines as JSON objects.") var jsonLogs = false
    @Option(help: "Sustained requests per second per principal.") var rateLimit = 50.0
    @Option(help: "Burst of requests per principal above the sustained rate.") var burst = 100.0
    @Option(help: "Jobs running at once per principal.") var maxJobsPerPrincipal = 2
    @Option(help: "Jobs running at once in total.") var maxJobs = 4
    @Option(help: "Largest upload (ingest, consent import) in MiB.") var maxUploadMiB = 512

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if clientCA != nil && tlsCert == nil { throw ValidationError("--client-ca needs --tls-cert and --tls-key") }
        if !(rateLimit > 0) || !(burst >= 1) { throw ValidationError("--rate-limit must be positive and --burst at least 1") }
        if maxJobs < 1 || maxJobsPerPrincipal < 1 { throw ValidationError("--max-jobs and --max-jobs-per-principal must be at least 1") }
    }

    func run() async throws {
        var settings = ServiceSettings()
        settings.listener = try socket.map { .unixSocket(path: $0) } ?? ServiceSettings.parseListen(listen)
        if let tlsCert, let tlsKey { settings.tls = .init(certificateChain: tlsCert, privateKey: tlsKey, clientCA: clientCA) }
        settings.insecureHTTP = insecureHTTP
        settings.jsonLogs = jsonLogs
        settings.limits.requestsPerSecond = rateLimit
        settings.limits.burst = burst
        settings.limits.jobsPerPrincipal = maxJobsPerPrincipal
        settings.limits.jobsTotal = maxJobs
        settings.limits.upload = maxUploadMiB << 20
        do { try settings.validate() } catch { throw fail(error) }
        let json = jsonLogs
        LoggingSystem.bootstrap { label -> any LogHandler in json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label) }

        let engine: Engine
        do {
            try ServiceAccountCheck.check(workspace: options.url)
            let passphrase = try passphraseFD.map(ServiceAccountCheck.readPassphrase(fd:)) ?? options.passphrase()
            engine = try Engine.open(try Workspace.open(at: options.url, passphrase: passphrase))
        } catch {
            throw fail(error)
        }
        let service = CustosService(engine: engine, settings: settings, logger: Logger(label: "custos"))
        let scheme = settings.tls == nil ? "http" : "https"
        let socketPath = socket
        let listener = settings.listener
        do {
            try await service.run { channel in
                // The bound address, so port 0 (any free port) reports the port it got.
                var where_ = socketPath.map { "unix:" + $0 } ?? "\(scheme)://\(listen)"
                if case let .tcp(host, _) = listener, let port = channel.localAddress?.port {
                    where_ = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                }
                FileHandle.standardError.write(Data("custos: serving \(where_) (policy version \(engine.policies.version)); SIGTERM or Ctrl-C stops\n".utf8))
            }
        } catch {
            throw fail(error)
        }
        printSignedCheckpoint(engine)
    }
}
