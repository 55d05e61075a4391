import CustosTesting
import Foundation
import XCTest

/// What one run of the `custos` binary did.
struct CommandOutcome {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the `custos` binary that `swift build` put beside this test bundle, with a clean
/// environment (no inherited workspace, token or passphrase) and 80-column help.
enum CustosProcess {
    /// The build products folder: on Linux the test runner is an executable in it; on macOS the
    /// `.xctest` bundle sits in it.
    static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    static var binary: URL { productsDirectory.appendingPathComponent("custos") }

    /// Runs `custos arguments…`; `environment` adds to PATH, HOME and COLUMNS=80.
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) throws -> CommandOutcome {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("no custos binary at \(binary.path); build the package first", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files, not pipes: a chatty command cannot fill a pipe buffer and block.
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let inherited = ProcessInfo.processInfo.environment
        process.environment = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": scratch.path, "COLUMNS": "80"]
            .merging(environment) { _, new in new }
        process.currentDirectoryURL = scratch
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return CommandOutcome(status: process.terminationStatus,
                              stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                              stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}

/// A workspace made by `custos init` in a temporary folder, with the tokens init printed once.
final class CLIWorkspace {
    let root: URL
    let tokens: [String: String]
    /// The workspace's mail system (outbox.sendmail): one-time codes are read from what it received.
    let sendmail: FakeSendmail

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-ws-\(UUID().uuidString)")
        let result = try CustosProcess.run(["init", "--workspace", root.path])
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
        // Token lines: "  principal  roles  custos_…".
        var tokens: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[2].hasPrefix("custos_") { tokens[String(fields[0])] = String(fields[2]) }
        }
        self.tokens = tokens
        sendmail = try FakeSendmail()
        try sendmail.configure(organisationFile: root.appendingPathComponent("organisation.yaml"))
    }

    /// Runs a command in this workspace as `principal` (token from the environment, as users should).
    func run(_ arguments: [String], as principal: String? = nil) throws -> CommandOutcome {
        var environment = ["CUSTOS_WORKSPACE": root.path]
        if let principal { environment["CUSTOS_TOKEN"] = tokens[principal] ?? "" }
        return try CustosProcess.run(arguments, environment: environment)
    }

    /// The policy-signing key `init` wrote beside the workspace.
    var officerKey: URL { root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + "-policy-officer.pem") }

    deinit {
        try? FileManager.default.removeItem(at: root)
        try? FileManager.default.removeItem(at: officerKey)
        sendmail.remove()
    }
}
