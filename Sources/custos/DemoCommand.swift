import ArgumentParser
import CustosClient
import CustosDemo
import CustosEngine
import CustosGovernance
import CustosServer
import Foundation
import Logging
import NIOCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole story in a fresh workspace, then serve it on a loopback port and drive it through the API.",
        discussion: """
            First the engine story in this process (init, generate, ingest, mine, consent withdrawal, a data-subject \
            request, audit verification). Then `custos serve`'s service starts in-process on 127.0.0.1 (a free port) and \
            the demo goes on as a client would: a session, mining and DP jobs, the budget, a refusal with its request id, \
            a request without a token. It prints the URL, a token and copy-paste curl and `custos --server` lines, and \
            stops the service at the end, or keeps serving with --keep-serving until Ctrl-C.

            Exits 1 if any check fails: plaintext on disk, an unexpected allow, a withdrawal or erasure not honoured, an \
            unverifiable log, or an API answer that differs from what the engine decided.
            """)

    @Option(help: "Workspace folder to create (default: a fresh temporary folder).", completion: .directory) var workspace: String?
    @Option(help: "Number of synthetic customers.") var customers: Int = 2_000
    @Option(help: "Seed for the synthetic data.") var seed: UInt64 = 42
    @Flag(help: "Keep serving the demo workspace after the tour, until Ctrl-C.") var keepServing = false

    func run() async throws {
        var options = Demo.Options()
        options.workspace = workspace.map { URL(fileURLWithPath: $0).standardizedFileURL }
        options.customers = customers
        options.seed = seed
        do {
            let result = try Demo(options: options).run()
            if !result.plaintextFindings.isEmpty || !result.auditVerified || result.unexpectedAllows > 0 || !result.withdrawalExcluded
                || !result.erasureFindings.isEmpty {
                throw ExitCode.failure
            }
            try await DemoTour(workspace: result.workspace, tokens: result.tokens, seed: seed, keepServing: keepServing).run()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

/// The demo's second half: the workspace served in-process on a loopback port and driven through
/// `APIClient`, as a newcomer (or a script) would continue by hand.
struct DemoTour {
    let workspace: URL
    let tokens: [String: String]
    let seed: UInt64
    let keepServing: Bool

    func say(_ line: String) { print(line) }

    func run() async throws {
        say("\n-- 10. the service: `custos serve` in this process, the only holder of the keys, on a loopback port")
        let engine = try Engine.open(try Workspace.open(at: workspace))
        var settings = ServiceSettings()
        settings.listener = .tcp(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "custos-demo")
        logger.logLevel = .critical  // stopping by cancellation logs Hummingbird shutdown noise
        let service = CustosService(engine: engine, settings: settings, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let serving = Task {
            try await service.run { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }
        }
        var port = 0
        for await bound in ports { port = bound }
        guard port > 0 else {
            serving.cancel()
            _ = try? await serving.value
            throw CommandFailure("the demo service did not start on a loopback port")
        }
        let url = "http://127.0.0.1:\(port)"
        say("   serving \(url) (policy version \(engine.policies.version.prefix(16))…)")
        do {
            try await tour(url: url)
        } catch {
            serving.cancel()
            _ = try? await serving.value
            throw error
        }
        if keepServing {
            say("\n   serving \(url) until Ctrl-C")
            _ = try? await serving.value
        } else {
            serving.cancel()
            _ = try? await serving.value
            say("\n   the service stopped (final checkpoint signed); run `custos demo --keep-serving` to keep it up")
        }
    }

    func tour(url: String) async throws {
        let mika = APIClient(server: url, token: tokens["mika"], role: "marketing_analyst")
        let alice = APIClient(server: url, token: tokens["alice"], role: "analyst")

        struct Session: Decodable { let principal: String; let role: String }
        let session = try await mika.send("GET", "/v1/session").decode(Session.self)
        say("   GET /v1/session with mika's token: principal \(session.principal), role \(session.role)")

        var rfm = JobRequest(kind: "rfm", purpose: "marketing.segmentation", dataset: "orders")
        rfm.seed = seed
        let rfmText = try await RemoteJob.run(rfm, client: mika, format: .text)
        say("   POST /v1/jobs rfm (pseudonymous records), then GET its result as text: \(rfmText.split(separator: "\n").count) lines")

        var stats = JobRequest(kind: "stats", purpose: "analytics.reporting", dataset: "orders")
        stats.epsilon = 0.5
        stats.measures = ["amount"]
        stats.maxRows = 5
        stats.clampUpper = 1500
        let statsJSON = try await RemoteJob.run(stats, client: alice, format: .json)
        say("   POST /v1/jobs stats (dp_aggregate, ε 0.5 charged to alice): \(statsJSON.utf8.count) bytes of JSON, every number with its interval")

        let budget = try await alice.send("GET", "/v1/budget", accept: "text/plain").text
        say("   GET /v1/budget:\n     " + budget.split(separator: "\n").joined(separator: "\n     "))

        var refused = JobRequest(kind: "rules", purpose: "analytics.reporting", dataset: "orders")
        refused.outputMode = "pseudonymous_aggregate"
        do {
            _ = try await RemoteJob.run(refused, client: alice, format: .text)
            throw CommandFailure("UNEXPECTED: the service let alice mine exact market baskets")
        } catch let problem as APIProblem {
            say("   alice, exact market baskets over the API: \(problem.status) \(problem.slug): \(problem)")
        }
        do {
            _ = try await APIClient(server: url, token: nil, role: nil).send("GET", "/v1/budget")
            throw CommandFailure("UNEXPECTED: the service answered a request without a token")
        } catch let problem as APIProblem {
            say("   no token: \(problem.status) \(problem.slug) (the refusal is audited with its request id)")
        }

        say("\n   Continue by hand (the token is mika's, shown once; anyone holding it acts as mika):")
        say("     export CUSTOS_SERVER=\(url)")
        say("     export CUSTOS_TOKEN=\(tokens["mika"] ?? "")")
        say("     curl -H \"Authorization: Bearer $CUSTOS_TOKEN\" $CUSTOS_SERVER/v1/session")
        say("     curl -H \"Authorization: Bearer $CUSTOS_TOKEN\" -H 'Content-Type: application/json' -H 'Prefer: wait=30' \\")
        say("       -d '{\"kind\":\"rules\",\"purpose\":\"marketing.segmentation\"}' $CUSTOS_SERVER/v1/jobs")
        say("     custos --server $CUSTOS_SERVER mine rules --principal mika --role marketing_analyst --purpose marketing.segmentation")
        if !keepServing { say("   (these work while the service runs: `custos demo --keep-serving`, or `custos serve --workspace \(workspace.path)`)") }
    }
}
