import Foundation

/// Hands a finished RFC 5322 message to the mail system. Only once a transport has accepted a
/// message may Custos delete its sealed copy from the outbox.
public protocol MailTransport: Sendable {
    /// Delivers `message` (RFC 5322 bytes with CRLF line ends); throws unless the mail system took it.
    func deliver(_ message: [UInt8]) throws
}

/// A local `sendmail -t` compatible program (what on-premise hosts use: Postfix, Exim, msmtp,
/// OpenSMTPD all ship one). Custos runs `<program> -t -i` with no shell, an empty environment
/// apart from PATH, the message on standard input and recipients taken from its headers. Exit
/// status 0 means the mail system accepted the message.
public struct SendmailTransport: MailTransport {
    /// The program, an absolute path (no PATH lookup, so nothing earlier on PATH can stand in for it).
    public let program: URL

    /// A transport running `program`; refuses a relative path.
    public init(program: String) throws {
        guard program.hasPrefix("/") else {
            throw DeliveryError.transportFailed("the sendmail program must be an absolute path (got a relative one); fix outbox.sendmail in organisation.yaml")
        }
        self.program = URL(fileURLWithPath: program)
    }

    public func deliver(_ message: [UInt8]) throws {
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw DeliveryError.transportFailed("\(program.path) is not an executable program; fix outbox.sendmail in organisation.yaml")
        }
        let process = Process()
        process.executableURL = program
        process.arguments = ["-t", "-i"]
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DeliveryError.transportFailed("could not start \(program.lastPathComponent)")
        }
        // A program that exits without reading all of its input must not kill Custos with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let writer = input.fileHandleForWriting
        var wrote = true
        do { try writer.write(contentsOf: Data(message)) } catch { wrote = false }
        try? writer.close()
        process.waitUntilExit()
        guard wrote, process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw DeliveryError.transportFailed("\(program.lastPathComponent) did not accept the message (exit \(process.terminationStatus)); it stays sealed in the outbox")
        }
    }
}
