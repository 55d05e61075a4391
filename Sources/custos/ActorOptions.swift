import CustosAudit
import ArgumentParser
import CustosEngine
import Foundation

/// Who runs a command that reads data: a principal from policies/principals.yaml, acting in one role.
struct ActorOptions: ParsableArguments {
    @Option(help: "Principal id (from policies/principals.yaml).") var principal: String
    @Option(help: "Role to act in (one of the principal's roles).") var role: String
    @Option(help: "Bearer token (default: $CUSTOS_TOKEN); with --server it says who you are. Prefer the variable: arguments show up in process lists.")
    var token: String?

    var actor: Caller {
        Caller(principal: principal, role: role, token: token ?? ProcessInfo.processInfo.environment["CUSTOS_TOKEN"])
    }
}

/// A failure the CLI itself detects after parsing, worded for the user (what went wrong, what to do).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Opens the workspace and engine (refused while a server is configured, unless `--local` breaks the
/// glass, which is audited first), runs `body`, and always closes the engine (writing a signed
/// checkpoint), printing errors the way users should see them. `denialHint` says what to do when
/// the policy decision point refuses.
func withEngine<T>(_ options: WorkspaceOptions, denialHint: String? = nil, _ body: (Engine) throws -> T) throws -> T {
    let breakGlass = try options.authorizeLocalAccess()
    let engine: Engine
    do {
        engine = try Engine.open(try options.open())
        do { try breakGlass?.record(on: engine) } catch { try? engine.close(); throw error }
    } catch {
        throw fail(error)
    }
    do {
        let result = try body(engine)
        try engine.close()
        printSignedCheckpoint(engine)
        return result
    } catch {
        try? engine.close()
        throw fail(error, denialHint: denialHint)
    }
}

/// Tells the operator (on standard error, so outputs stay parseable) the signed size and root, worth
/// keeping outside the workspace: `custos audit verify --checkpoint` checks the log still matches it.
func printSignedCheckpoint(_ engine: Engine) {
    guard let latest = engine.audit.latestCheckpoint else { return }
    FileHandle.standardError.write(Data("audit: signed checkpoint size \(latest.size) root \(latest.rootHash.base64)\n".utf8))
}

/// Prints a failure the way users should see it: what went wrong and what to do, then exits 1.
/// Errors argument-parser already handles (exit codes, validation, clean exits) pass through.
func fail(_ error: Error, denialHint: String? = nil) -> Error {
    if error is ExitCode || error is ValidationError || error is CleanExit { return error }
    var message = "error: \(error)\n"
    if let engineError = error as? EngineError, case .denied = engineError {
        message += "what to do: " + (denialHint ?? DenialHint.generic) + "\n"
    }
    FileHandle.standardError.write(Data(message.utf8))
    return ExitCode.failure
}

/// What to tell someone the policies refused.
enum DenialHint {
    static let generic = "`custos policy explain` with the same principal, role, purpose, dataset and output mode shows "
        + "the rules that decided; if the work is legitimate, ask the data protection officer for a rule that permits it."

    /// The `policy explain` command line that reproduces a job's decision (the generic advice when
    /// the columns the job reads are not known here).
    static func explain(_ actor: ActorOptions, purpose: String, dataset: String, columns: [String], mode: String, epsilon: Double?) -> String {
        guard !columns.isEmpty else { return generic }
        return "`custos policy explain --principal \(actor.principal) --role \(actor.role) --purpose \(purpose) --dataset \(dataset) "
            + "--columns \(columns.joined(separator: " ")) --output-mode \(mode)\(epsilon.map { " --epsilon \($0)" } ?? "")` "
            + "shows the rules that decided; if the job is legitimate, ask the data protection officer for a rule that permits it."
    }
}
