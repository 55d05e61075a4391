import Foundation

/// A message to a requester: a verification code, a notice, or an answer with exports attached.
public struct OutgoingMessage: Hashable, Sendable {
    /// The sender, e.g. `Example Shop Privacy <privacy@example.org>` (ASCII, no line breaks).
    public var from: String
    /// The requester's contact (personal data).
    public var to: DeliveryContact
    /// Subject line (no line breaks; non-ASCII is encoded).
    public var subject: String
    /// Plain text body.
    public var body: String
    /// The `Date` header.
    public var date: Date
    /// Files attached (e.g. an access report); sent as MIME attachments by email, listed on letters.
    public var attachments: [ExportFile]

    /// A message.
    public init(from: String, to: DeliveryContact, subject: String, body: String, date: Date, attachments: [ExportFile] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.attachments = attachments
    }
}

/// Hands messages to a delivery system. The default is `OutboxSender` (sealed in the outbox until a
/// `MailTransport` accepts them); an SMTP sender can implement the same protocol.
public protocol MessageSender: Sendable {
    /// Delivers or queues `message`; returns a delivery reference (e.g. the outbox file name) that
    /// holds no personal data.
    func send(_ message: OutgoingMessage) throws -> String
}

/// Why a message could not be written or sent.
public enum DeliveryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A header field holds a line break or non-ASCII where only ASCII is allowed.
    case invalidHeader(field: String)
    /// The outbox folder cannot be created or is not a folder.
    case outboxUnavailable(String)
    /// The message file could not be written.
    case writeFailed(String)
    /// The mail system did not accept the message (it stays sealed in the outbox).
    case transportFailed(String)
    /// A sealed outbox message does not open under this workspace's key (altered, or from elsewhere).
    case sealedMessageUnreadable(String)

    public var description: String {
        switch self {
        case let .invalidHeader(field):
            return "the \(field) header contains a line break or a character it cannot carry; fix the configured value"
        case let .outboxUnavailable(reason): return "the outbox folder is not usable: \(reason)"
        case let .writeFailed(reason): return "could not write the message file: \(reason)"
        case let .transportFailed(reason): return "the mail system did not take the message: \(reason)"
        case let .sealedMessageUnreadable(name):
            return "outbox/\(name) does not open under this workspace's outbox key (altered or copied from elsewhere); remove it"
        }
    }
}
