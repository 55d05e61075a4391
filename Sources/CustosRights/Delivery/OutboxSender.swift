import CustosBase
import CustosCrypto
import CustosSchema
import Foundation

/// The outbox: every message is sealed (AES-256-GCM under the workspace's outbox key) the moment it
/// is written, and stays sealed until a `MailTransport` accepts it; then the sealed copy is deleted.
/// Nothing in `outbox/` is readable at rest: not the requester's address, not a one-time code, not an
/// access package. Email contacts become RFC 5322 messages handed to the transport; postal contacts a
/// printable letter with its enclosures, and phone contacts a text for the SMS gateway; those two stay
/// sealed until released by an officer (no transport for them yet).
///
/// Files are `<time>-<random>.sealed`, created with mode 0600 under a hidden temporary name and renamed
/// into place; the AAD binds each to its file name, so a sealed message renamed or swapped fails to open.
/// Messages older than the retention limit are purged whether delivered or not.
public struct OutboxSender: MessageSender {
    /// The outbox folder (created with mode 0700 if missing).
    public let directory: URL
    /// The domain part of generated Message-IDs.
    public let messageIDDomain: String
    /// Hands email to the mail system; nil keeps every message sealed in the outbox.
    public let transport: (any MailTransport)?
    /// How long an undelivered message may wait before it is purged.
    public let retention: TimeInterval
    private let key: SymmetricKey

    /// The suffix of sealed message files.
    public static let sealedSuffix = ".sealed"

    /// A sender sealing into `directory` under `key`, handing email to `transport` when there is one.
    public init(directory: URL, key: SymmetricKey, messageIDDomain: String = "custos.invalid", transport: (any MailTransport)? = nil,
                retention: TimeInterval = 14 * 86_400) {
        self.directory = directory
        self.key = key
        self.messageIDDomain = messageIDDomain
        self.transport = transport
        self.retention = retention
    }

    /// Seals `message` into the outbox and, for email with a transport, delivers it and deletes the
    /// sealed copy. Returns the file name (a reference holding no personal data).
    public func send(_ message: OutgoingMessage) throws -> String {
        try post(message).reference
    }

    /// What became of a message: delivered to the mail system, or waiting sealed in the outbox.
    public struct Receipt: Sendable, Equatable {
        /// The outbox file name the message had (or still has).
        public let reference: String
        /// True when the mail system accepted it and the sealed copy is gone.
        public let delivered: Bool
    }

    /// Like `send`, telling whether the message went out.
    public func post(_ message: OutgoingMessage) throws -> Receipt {
        try prepareDirectory(directory)
        let token = SecureRandom.bytes(count: 8).hexString
        let stamp = Value.timestamp(Int64(message.date.timeIntervalSince1970) * 1000).rendered()
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let base = "\(stamp)-\(token)"
        let queued: QueuedMessage
        switch message.to {
        case .email:
            let text = try MIMEFormat.email(
                message, messageID: "\(base)@\(messageIDDomain)", boundary: "custos-\(SecureRandom.bytes(count: 12).hexString)")
            queued = QueuedMessage(kind: .email, queuedAt: message.date, content: Data(text.utf8), enclosures: [])
        case let .postal(address):
            queued = QueuedMessage(kind: .letter, queuedAt: message.date, content: Data(letter(message, address: address).utf8),
                                   enclosures: enclosures(message))
        case let .phone(number):
            // A text message for the SMS gateway; it waits sealed, attachments beside it, as for letters.
            let text = "To: \(number)\nFrom: \(message.from)\nSubject: \(message.subject)\n\n\(message.body)\n"
            queued = QueuedMessage(kind: .sms, queuedAt: message.date, content: Data(text.utf8), enclosures: enclosures(message))
        }
        let name = base + Self.sealedSuffix
        try Self.writePrivateFile(try seal(queued, name: name), to: directory.appendingPathComponent(name))
        return Receipt(reference: name, delivered: try deliver(queued, name: name))
    }

    /// Hands a queued email to the transport; on success removes its sealed copy. A transport failure
    /// leaves the message sealed for a later `deliverPending`.
    func deliver(_ queued: QueuedMessage, name: String) throws -> Bool {
        guard queued.kind == .email, let transport else { return false }
        do {
            try transport.deliver([UInt8](queued.content))
        } catch {
            return false
        }
        try remove(name)
        return true
    }

    // MARK: The queue

    /// Names of the sealed messages waiting, oldest first.
    public func pending() throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(Self.sealedSuffix) && !$0.hasPrefix(".") }.sorted()
    }

    /// Opens one sealed message (for delivery, printing a letter, or an erasure's clean-up).
    public func open(_ name: String) throws -> QueuedMessage {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            throw DeliveryError.sealedMessageUnreadable(name)
        }
        do {
            let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: [UInt8](data)), using: key, authenticating: Self.aad(name))
            return try JSONDecoder().decode(QueuedMessage.self, from: Data(plain))
        } catch {
            throw DeliveryError.sealedMessageUnreadable(name)
        }
    }

    /// Retries every waiting email through the transport; returns how many went out.
    public func deliverPending() throws -> Int {
        guard transport != nil else { return 0 }
        var delivered = 0
        for name in try pending() {
            guard let queued = try? open(name) else { continue }
            if try deliver(queued, name: name) { delivered += 1 }
        }
        return delivered
    }

    /// Deletes sealed messages queued before `now - retention` (and ones that no longer open, by file
    /// age); returns the names removed.
    public func purgeExpired(now: Date) throws -> [String] {
        let cutoff = now.addingTimeInterval(-retention)
        var removed: [String] = []
        for name in try pending() {
            let queuedAt: Date
            if let queued = try? open(name) {
                queuedAt = queued.queuedAt
            } else {
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
                queuedAt = attributes?[.modificationDate] as? Date ?? .distantPast
            }
            if queuedAt < cutoff {
                try remove(name)
                removed.append(name)
            }
        }
        return removed
    }

    /// Deletes one sealed message (overwritten first, so its blocks do not keep the ciphertext).
    public func remove(_ name: String) throws {
        let url = directory.appendingPathComponent(name)
        guard !name.contains("/"), FileManager.default.fileExists(atPath: url.path) else { return }
        if let handle = FileHandle(forWritingAtPath: url.path) {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            try? handle.write(contentsOf: Data(count: size))
            try? handle.synchronize()
            try? handle.close()
        }
        guard unlink(url.path) == 0 else { throw DeliveryError.writeFailed("cannot remove outbox/\(name) (errno \(errno))") }
    }

    /// Seals plaintext messages left by earlier versions (`.eml`, `.letter.txt` and `.enclosures/`),
    /// then deletes the plaintext; returns how many were sealed.
    public func sealLegacyMessages() throws -> Int {
        guard FileManager.default.fileExists(atPath: directory.path) else { return 0 }
        var sealed = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let date = attributes?[.modificationDate] as? Date ?? Date()
            let queued: QueuedMessage
            var enclosureFolder: URL?
            if name.hasSuffix(".eml") {
                guard let data = FileManager.default.contents(atPath: url.path) else { continue }
                queued = QueuedMessage(kind: .email, queuedAt: date, content: data, enclosures: [])
            } else if name.hasSuffix(".letter.txt") {
                guard let data = FileManager.default.contents(atPath: url.path) else { continue }
                let folder = directory.appendingPathComponent(String(name.dropLast(".letter.txt".count)) + ".enclosures")
                let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()) ?? []
                queued = QueuedMessage(kind: .letter, queuedAt: date, content: data, enclosures: files.compactMap { file in
                    FileManager.default.contents(atPath: folder.appendingPathComponent(file).path).map { .init(name: file, contents: $0) }
                })
                enclosureFolder = folder
            } else {
                continue
            }
            let sealedName = "legacy-\(SecureRandom.bytes(count: 8).hexString)" + Self.sealedSuffix
            try Self.writePrivateFile(try seal(queued, name: sealedName), to: directory.appendingPathComponent(sealedName))
            try remove(name)
            if let enclosureFolder {
                for file in (try? FileManager.default.contentsOfDirectory(atPath: enclosureFolder.path)) ?? [] {
                    try? FileManager.default.removeItem(at: enclosureFolder.appendingPathComponent(file))
                }
                try? FileManager.default.removeItem(at: enclosureFolder)
            }
            sealed += 1
        }
        return sealed
    }

    // MARK: Sealing

    static func aad(_ name: String) -> [UInt8] { Array("custos/outbox/v1/\(name)".utf8) }

    func seal(_ queued: QueuedMessage, name: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Data(try AES.GCM.seal([UInt8](try encoder.encode(queued)), using: key, authenticating: Self.aad(name)).combined)
    }

    func enclosures(_ message: OutgoingMessage) -> [QueuedMessage.Enclosure] {
        message.attachments.map { QueuedMessage.Enclosure(name: MIMEFormat.safeFileName($0.name), contents: $0.contents) }
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

/// One message as it waits, sealed, in the outbox: the finished RFC 5322 text (email) or the
/// printable letter and its enclosures (post), or a text for the SMS gateway (phone).
public struct QueuedMessage: Codable, Sendable, Equatable {
    /// How the message travels.
    public enum Kind: String, Codable, Sendable { case email, letter, sms }
    /// A file printed and posted with a letter.
    public struct Enclosure: Codable, Sendable, Equatable {
        public let name: String
        public let contents: Data
    }

    public let kind: Kind
    /// When it was queued (the message's date).
    public let queuedAt: Date
    /// RFC 5322 bytes (email), UTF-8 letter text (post) or the text message (phone).
    public let content: Data
    /// Letter enclosures (empty for email, whose attachments are inside `content`).
    public let enclosures: [Enclosure]

    /// The content as text.
    public var text: String { String(decoding: content, as: UTF8.self) }

    enum CodingKeys: String, CodingKey {
        case kind, content, enclosures
        case queuedAt = "queued_at"
    }
}
