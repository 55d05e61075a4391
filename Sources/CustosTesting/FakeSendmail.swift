import Foundation

/// A stand-in for a local `sendmail -t` program: a shell script in a temporary folder (outside any
/// workspace) that saves each message it is given, in order, and the arguments it was called with.
/// Tests configure it as `outbox.sendmail` and read one-time codes from what it received, as the
/// customer would from their email.
public struct FakeSendmail: Sendable {
    /// The folder holding the script and what it received.
    public let folder: URL
    /// The script to configure as the sendmail program.
    public var program: URL { folder.appendingPathComponent("sendmail") }
    var inbox: URL { folder.appendingPathComponent("received") }

    /// A fake that accepts every message (exit 0), or answers with `exitStatus` without saving it.
    public init(exitStatus: Int32 = 0) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("received"), withIntermediateDirectories: true)
        let script = exitStatus == 0
            ? """
              #!/bin/sh
              echo "$@" > '\(folder.path)/arguments'
              n=$(ls '\(inbox.path)' | wc -l)
              cat > '\(inbox.path)/'$(printf '%06d' "$n").eml
              """
            : "#!/bin/sh\ncat > /dev/null\nexit \(exitStatus)\n"
        try Data(script.utf8).write(to: program)
        chmod(program.path, 0o700)
    }

    /// Every message received, oldest first.
    public func messages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: inbox.path).sorted().map {
            String(decoding: try Data(contentsOf: inbox.appendingPathComponent($0)), as: UTF8.self)
        }
    }

    /// The arguments of the last call.
    public func arguments() throws -> String {
        String(decoding: try Data(contentsOf: folder.appendingPathComponent("arguments")), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The one-time code in the newest message about `requestID` (the line holding only digits).
    public func latestCode(for requestID: String) throws -> String {
        for text in try messages().reversed() where text.contains(requestID) {
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if (6...8).contains(trimmed.count), trimmed.allSatisfy(\.isNumber) { return trimmed }
            }
        }
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the fake sendmail received no code for \(requestID)"])
    }

    /// Points a workspace's organisation.yaml at this program (replaces its `outbox:` section).
    public func configure(organisationFile: URL, retentionDays: Int? = nil) throws {
        // Drop any `outbox:` section already there (its key line and the indented lines under it).
        var kept: [Substring] = []
        var inOutbox = false
        for line in String(decoding: try Data(contentsOf: organisationFile), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("outbox:") { inOutbox = true; continue }
            if inOutbox, line.hasPrefix(" ") || line.isEmpty { continue }
            inOutbox = false
            kept.append(line)
        }
        var text = kept.joined(separator: "\n")
        if !text.hasSuffix("\n") { text += "\n" }
        text += "outbox:\n  sendmail: \(program.path)\n" + (retentionDays.map { "  retention_days: \($0)\n" } ?? "")
        try Data(text.utf8).write(to: organisationFile)
    }

    /// Deletes the folder and everything received.
    public func remove() { try? FileManager.default.removeItem(at: folder) }
}
