import CustosBase
import CustosCrypto
import CustosSchema
import Foundation

/// Writes each message as one file into an outbox folder that the operator's mail system (or a
/// person printing letters) picks up. Email contacts give an RFC 5322 `.eml` file; postal contacts a
/// printable `.letter.txt`, with attachments in a `.enclosures` folder beside it. Files are created
/// with mode 0600 under a hidden temporary name and renamed into place, so a half-written message is
/// never picked up.
public struct OutboxSender: MessageSender {
    /// The outbox folder (created with mode 0700 if missing).
    public let directory: URL
    /// The domain part of generated Message-IDs.
    public let messageIDDomain: String

    /// A sender writing into `directory`.
    public init(directory: URL, messageIDDomain: String = "custos.invalid") {
        self.directory = directory
        self.messageIDDomain = messageIDDomain
    }

    /// Writes `message`; returns the file name written.
    public func send(_ message: OutgoingMessage) throws -> String {
        try prepareDirectory(directory)
        let token = SecureRandom.bytes(count: 8).hexString
        let stamp = Value.timestamp(Int64(message.date.timeIntervalSince1970) * 1000).rendered()
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let base = "\(stamp)-\(token)"
        switch message.to {
        case .email:
            let text = try MIMEFormat.email(
                message, messageID: "\(base)@\(messageIDDomain)", boundary: "custos-\(SecureRandom.bytes(count: 12).hexString)")
            let name = base + ".eml"
            try Self.writePrivateFile(Data(text.utf8), to: directory.appendingPathComponent(name))
            return name
        case let .phone(number):
            // A text message for the SMS gateway; attachments wait beside it, as for letters.
            let name = base + ".sms.txt"
            try writeEnclosures(message, base: base)
            let text = "To: \(number)\nFrom: \(message.from)\nSubject: \(message.subject)\n\n\(message.body)\n"
            try Self.writePrivateFile(Data(text.utf8), to: directory.appendingPathComponent(name))
            return name
        case let .postal(address):
            let name = base + ".letter.txt"
            if !message.attachments.isEmpty {
                let folder = directory.appendingPathComponent(base + ".enclosures")
                try prepareDirectory(folder)
                for file in message.attachments {
                    try Self.writePrivateFile(file.contents, to: folder.appendingPathComponent(MIMEFormat.safeFileName(file.name)))
                }
            }
            try Self.writePrivateFile(Data(letter(message, address: address).utf8), to: directory.appendingPathComponent(name))
            return name
        }
    }

    func writeEnclosures(_ message: OutgoingMessage, base: String) throws {
        guard !message.attachments.isEmpty else { return }
        let folder = directory.appendingPathComponent(base + ".enclosures")
        try prepareDirectory(folder)
        for file in message.attachments {
            try Self.writePrivateFile(file.contents, to: folder.appendingPathComponent(MIMEFormat.safeFileName(file.name)))
        }
    }

    func letter(_ message: OutgoingMessage, address: PostalAddress) -> String {
        var lines = address.printedLines
        lines += ["", CivilDate(daysSinceEpoch: Int((message.date.timeIntervalSince1970 / 86_400).rounded(.down))).iso8601, ""]
        lines += [message.subject, "", message.body]
        if !message.attachments.isEmpty {
            lines += ["", "Enclosures:"]
            lines += message.attachments.map { "- \(MIMEFormat.safeFileName($0.name)) (SHA-256 \($0.sha256))" }
        }
        lines.append("")
        lines.append("From: \(message.from)")
        return lines.joined(separator: "\n") + "\n"
    }

    func prepareDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DeliveryError.outboxUnavailable("\(url.lastPathComponent) exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DeliveryError.outboxUnavailable("cannot create \(url.lastPathComponent); check the parent folder's permissions")
        }
    }

    /// Creates `url` with mode 0600 (never wider, even briefly) and `data` as contents.
    static func writePrivateFile(_ data: Data, to url: URL) throws {
        do {
            try AtomicFile.write([UInt8](data), to: url.path, permissions: .exactly(0o600))
        } catch {
            if error.operation == "open" {
                throw DeliveryError.writeFailed("cannot create \(url.lastPathComponent) (errno \(error.code))")
            }
            throw DeliveryError.writeFailed("cannot write \(url.lastPathComponent)")
        }
    }
}
