import ArgumentParser
import CustosEngine
import Foundation

/// Who runs a command that reads data: a principal from policies/principals.yaml, acting in one role.
struct ActorOptions: ParsableArguments {
    @Option(help: "Principal id (from policies/principals.yaml).") var principal: String
    @Option(help: "Role to act in (one of the principal's roles).") var role: String
    @Option(help: "Bearer token (default: $CUSTOS_TOKEN). Prefer the variable: arguments show up in process lists.")
    var token: String?

    var actor: Caller {
        Caller(principal: principal, role: role, token: token ?? ProcessInfo.processInfo.environment["CUSTOS_TOKEN"])
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
        return result
    } catch {
        try? engine.close()
        throw fail(error)
    }
}

/// Writes `text` to `path`, or prints it when no path is given.
func emit(_ text: String, to path: String?) throws {
    guard let path else { return print(text) }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    print("wrote \(path)")
}
