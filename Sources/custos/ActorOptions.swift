import ArgumentParser
import CustosEngine
import Foundation

/// Who runs a command that reads data: a principal from policies/principals.yaml, acting in one role.
struct ActorOptions: ParsableArguments {
    @Option(help: "Principal id (from policies/principals.yaml).") var principal: String
    @Option(help: "Role to act in (one of the principal's roles).") var role: String
    @Option(help: "Bearer token (default: $CUSTOS_TOKEN). Prefer the variable: arguments show up in process lists.")
    var token: String?

    var actor: Actor {
        Actor(principal: principal, role: role, token: token ?? ProcessInfo.processInfo.environment["CUSTOS_TOKEN"])
    }
}

/// Opens the workspace and engine, runs `body`, and always closes the engine (writing a signed
/// checkpoint), printing errors the way users should see them.
func withEngine<T>(_ options: WorkspaceOptions, _ body: (Engine) throws -> T) throws -> T {
    let engine: Engine
    do {
        engine = try Engine.open(try options.open())
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
        throw fail(error)
    }
}

/// Tells the operator (on standard error, so outputs stay parseable) the signed size and root, worth
/// keeping outside the workspace: `custos audit verify --checkpoint` checks the log still matches it.
func printSignedCheckpoint(_ engine: Engine) {
    guard let latest = engine.audit.latestCheckpoint else { return }
    FileHandle.standardError.write(Data("audit: signed checkpoint size \(latest.size) root \(latest.rootHash.base64)\n".utf8))
}

/// Writes `text` to `path`, or prints it when no path is given.
func emit(_ text: String, to path: String?) throws {
    guard let path else { return print(text) }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    print("wrote \(path)")
}
