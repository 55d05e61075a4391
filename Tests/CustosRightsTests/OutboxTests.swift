import CustosCrypto
@testable import CustosRights
import CustosTesting
import Foundation
import XCTest

final class OutboxTests: XCTestCase {
    var outbox: URL!

    override func setUpWithError() throws {
        outbox = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: outbox)
    }

    let key = SymmetricKey(bytes: [UInt8](repeating: 7, count: 32))

    func sender(domain: String = "custos.invalid", transport: (any MailTransport)? = nil, retention: TimeInterval = 14 * 86_400) -> OutboxSender {
        OutboxSender(directory: outbox, key: key, messageIDDomain: domain, transport: transport, retention: retention)
    }

    /// The message as the mail system would receive it (opened from its sealed file).
    func text(_ name: String) throws -> String { try sender().open(name).text }

    func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return try XCTUnwrap(attributes[.posixPermissions] as? NSNumber).intValue & 0o777
    }

    func message(subject: String = "Your verification code", body: String = "Enter this code: 123456", attachments: [ExportFile] = [],
                 to: DeliveryContact = .email("li.wei@example.cn")) -> OutgoingMessage {
        OutgoingMessage(from: "Nordhav Privacy <privacy@nordhav.example>", to: to, subject: subject, body: body,
                        date: instant("2024-09-03T10:00:00Z"), attachments: attachments)
    }

    func testEmailIsOneOwnerOnlySealedFileWithRFC5322Headers() throws {
        let name = try sender(domain: "nordhav.example").send(message())
        XCTAssertTrue(name.hasSuffix(".sealed"))
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        XCTAssertEqual(files, [name], "exactly one file, no temporary file left behind")
        let url = outbox.appendingPathComponent(name)
        XCTAssertEqual(try mode(url), 0o600)
        XCTAssertEqual(try mode(outbox), 0o700)
        let text = try self.text(name)
        let (head, body) = try split(text)
        XCTAssertEqual(header("From", head), "Nordhav Privacy <privacy@nordhav.example>")
        XCTAssertEqual(header("To", head), "li.wei@example.cn")
        XCTAssertEqual(header("Subject", head), "Your verification code")
        XCTAssertEqual(header("Date", head), "Tue, 03 Sep 2024 10:00:00 +0000")
        XCTAssertEqual(header("MIME-Version", head), "1.0")
        XCTAssertEqual(header("Content-Transfer-Encoding", head), "7bit")
        let messageID = try XCTUnwrap(header("Message-ID", head))
        XCTAssertTrue(messageID.hasPrefix("<") && messageID.hasSuffix("@nordhav.example>"))
        XCTAssertEqual(body, "Enter this code: 123456\r\n")
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends with CRLF")
    }

    func testNonASCIISubjectAndBodyAreEncoded() throws {
        let subject = "您的验证码 – Åsa Öberg, din verifieringskod för begäran om registerutdrag"
        let body = "您好！\n请输入验证码：654321\nHälsningar"
        let name = try sender().send(message(subject: subject, body: body))
        let text = try self.text(name)
        let (head, encodedBody) = try split(text)
        let rawSubject = try XCTUnwrap(header("Subject", head))
        XCTAssertTrue(rawSubject.allSatisfy(\.isASCII))
        XCTAssertEqual(decodeEncodedWords(rawSubject), subject)
        XCTAssertTrue(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "header lines are folded")
        XCTAssertEqual(header("Content-Transfer-Encoding", head), "base64")
        let decoded = try XCTUnwrap(Data(base64Encoded: encodedBody.replacingOccurrences(of: "\r\n", with: "")))
        XCTAssertEqual(String(decoding: decoded, as: UTF8.self), body.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testAttachmentsGoInAMultipartMessage() throws {
        let csv = ExportFile(name: "customers.csv", mediaType: "text/csv; charset=utf-8", text: "full_name\r\n王小明\r\n")
        let name = try sender().send(message(attachments: [csv]))
        let text = try self.text(name)
        let (head, body) = try split(text)
        let contentType = try XCTUnwrap(header("Content-Type", head))
        XCTAssertTrue(contentType.hasPrefix("multipart/mixed; boundary=\""))
        let boundary = String(contentType.split(separator: "\"")[1])
        let parts = body.components(separatedBy: "--\(boundary)")
        XCTAssertEqual(parts.count, 4, "preamble, text part, attachment, closing marker")
        XCTAssertTrue(parts[3].hasPrefix("--"))
        let (attachmentHead, attachmentBody) = try split(String(parts[2].dropFirst(2)))
        XCTAssertEqual(header("Content-Disposition", attachmentHead), "attachment; filename=\"customers.csv\"")
        let decoded = try XCTUnwrap(Data(base64Encoded: attachmentBody.replacingOccurrences(of: "\r\n", with: "")))
        XCTAssertEqual(decoded, csv.contents)
    }

    func testHeaderInjectionIsRefusedAndNothingIsWritten() throws {
        let sender = sender()
        XCTAssertThrowsError(try sender.send(message(subject: "Hello\r\nBcc: victim@example.org"))) { error in
            XCTAssertEqual(error as? DeliveryError, .invalidHeader(field: "Subject"))
        }
        XCTAssertThrowsError(try sender.send(message(to: .email("a@example.org\nBcc: b@example.org"))))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outbox.path), [])
    }

    func testPostalContactsGiveASealedLetterWithEnclosures() throws {
        let address = PostalAddress(recipient: "Åsa Öberg", lines: ["Storgatan 5"], postcode: "111 22", city: "Stockholm", country: "Sweden")
        let report = ExportFile(name: "access-report.html", mediaType: "text/html", text: "<html>Åsa Öberg</html>")
        let name = try sender(transport: RecordingTransport()).send(message(subject: "Your access report", body: "Enclosed is your report.",
                                                                            attachments: [report], to: .postal(address)))
        XCTAssertTrue(name.hasSuffix(".sealed"), "letters never go to the mail transport; they wait sealed for printing")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outbox.path), [name], "no plaintext letter, no enclosures folder")
        XCTAssertEqual(try mode(outbox.appendingPathComponent(name)), 0o600)
        let letter = try sender().open(name)
        XCTAssertEqual(letter.kind, .letter)
        XCTAssertTrue(letter.text.hasPrefix("Åsa Öberg\nStorgatan 5\n111 22 Stockholm\nSweden\n\n2024-09-03\n\nYour access report\n"))
        XCTAssertTrue(letter.text.contains("- access-report.html (SHA-256 \(report.sha256))"))
        XCTAssertEqual(letter.enclosures, [QueuedMessage.Enclosure(name: "access-report.html", contents: report.contents)])
        XCTAssertFalse(containsBytes(try Data(contentsOf: outbox.appendingPathComponent(name)), "Öberg"))
    }

    // MARK: Attacks on the outbox at rest (issue 10 item 8)

    /// A shell on the box reads outbox/: the address, the one-time code and the attachment are in no file.
    func testOutboxFilesAtRestHoldNoAddressCodeOrAttachment() throws {
        let csv = ExportFile(name: "customers.csv", mediaType: "text/csv", text: "full_name\r\nWang Xiaoming Markersson\r\n")
        _ = try sender().send(message(body: "Enter this code: 482913", attachments: [csv]))
        _ = try sender().send(message(body: "Enter this code:\n\n    482913\n"))
        for name in try FileManager.default.contentsOfDirectory(atPath: outbox.path) {
            let bytes = try Data(contentsOf: outbox.appendingPathComponent(name))
            for needle in ["li.wei@example.cn", "482913", "Markersson", Data("Markersson".utf8).base64EncodedString(), "Content-Type", "Subject"] {
                XCTAssertFalse(containsBytes(bytes, needle), "\(name) holds \(needle)")
            }
        }
    }

    /// Swapping, renaming or editing a sealed message makes it unreadable rather than misdelivered.
    func testARenamedOrAlteredSealedMessageDoesNotOpen() throws {
        let first = try sender().send(message(body: "first"))
        let second = try sender().send(message(body: "second"))
        let a = outbox.appendingPathComponent(first), b = outbox.appendingPathComponent(second)
        let bytesA = try Data(contentsOf: a)
        try Data(contentsOf: b).write(to: a)
        XCTAssertThrowsError(try sender().open(first)) { XCTAssertEqual($0 as? DeliveryError, .sealedMessageUnreadable(first)) }
        var flipped = bytesA
        flipped[flipped.count - 1] ^= 1
        try flipped.write(to: a)
        XCTAssertThrowsError(try sender().open(first))
        let otherKey = OutboxSender(directory: outbox, key: SymmetricKey(bytes: [UInt8](repeating: 8, count: 32)))
        XCTAssertThrowsError(try otherKey.open(second), "another workspace's key opens nothing")
    }

    /// Delivered messages leave the outbox; a refusing mail system leaves them sealed for a retry.
    func testDeliveryDeletesTheSealedCopyAndAFailureKeepsIt() throws {
        let transport = RecordingTransport()
        let receipt = try sender(transport: transport).post(message())
        XCTAssertTrue(receipt.delivered)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outbox.path), [])
        XCTAssertTrue(transport.messages.first?.contains("Enter this code: 123456") ?? false)

        transport.refuse = true
        let refused = try sender(transport: transport).post(message(body: "second"))
        XCTAssertFalse(refused.delivered)
        XCTAssertEqual(try sender().pending(), [refused.reference])
        transport.refuse = false
        XCTAssertEqual(try sender(transport: transport).deliverPending(), 1)
        XCTAssertEqual(try sender().pending(), [])
        XCTAssertEqual(transport.messages.count, 2)
    }

    /// A real `sendmail -t` compatible program: gets `-t -i` and the message on standard input.
    func testSendmailTransportPipesTheMessageToTheProgram() throws {
        let fake = try FakeSendmail()
        defer { fake.remove() }
        let receipt = try sender(transport: try SendmailTransport(program: fake.program.path)).post(message())
        XCTAssertTrue(receipt.delivered)
        let received = try fake.messages()
        XCTAssertEqual(received.count, 1)
        XCTAssertTrue(received[0].contains("To: li.wei@example.cn\r\n"))
        XCTAssertEqual(try fake.arguments(), "-t -i")
        XCTAssertThrowsError(try SendmailTransport(program: "sendmail"), "a relative program could be anything on PATH")
        let failing = try FakeSendmail(exitStatus: 75)
        defer { failing.remove() }
        XCTAssertFalse(try sender(transport: try SendmailTransport(program: failing.program.path)).post(message()).delivered)
        XCTAssertEqual(try sender().pending().count, 1)
    }

    /// Undelivered messages do not wait forever: past the retention limit they are purged.
    func testMessagesPastRetentionArePurged() throws {
        let old = try sender().send(message())
        var recent = message()
        recent.date = instant("2024-09-10T10:00:00Z")
        let kept = try sender().send(recent)
        let purged = try sender(retention: 3 * 86_400).purgeExpired(now: instant("2024-09-11T10:00:00Z"))
        XCTAssertEqual(purged, [old])
        XCTAssertEqual(try sender().pending(), [kept])
    }

    /// Plaintext `.eml` and letters written by earlier versions are sealed and their plaintext removed.
    func testLegacyPlaintextMessagesAreSealed() throws {
        try FileManager.default.createDirectory(at: outbox.appendingPathComponent("x.enclosures"), withIntermediateDirectories: true)
        try Data("To: li.wei@example.cn\r\n\r\n123456\r\n".utf8).write(to: outbox.appendingPathComponent("old.eml"))
        try Data("Åsa Öberg\n".utf8).write(to: outbox.appendingPathComponent("x.letter.txt"))
        try Data("report".utf8).write(to: outbox.appendingPathComponent("x.enclosures/report.html"))
        XCTAssertEqual(try sender().sealLegacyMessages(), 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        XCTAssertEqual(names.count, 2)
        XCTAssertTrue(names.allSatisfy { $0.hasSuffix(".sealed") }, "\(names)")
        let opened = try names.map { try sender().open($0) }
        XCTAssertTrue(opened.contains { $0.kind == .email && $0.text.contains("123456") })
        XCTAssertTrue(opened.contains { $0.kind == .letter && $0.enclosures.first?.name == "report.html" })
    }

    func testEncodedWordsNeverSplitACharacter() {
        let long = String(repeating: "验证码", count: 20)
        let encoded = MIMEFormat.encodeHeaderText(long)
        for word in encoded.components(separatedBy: "\r\n ") {
            XCTAssertLessThanOrEqual(word.count, 75)
            XCTAssertNotNil(decodeEncodedWords(word), "each word decodes on its own")
        }
        XCTAssertEqual(decodeEncodedWords(encoded), long)
        XCTAssertEqual(MIMEFormat.safeFileName("../../etc/passwd"), "_.._etc_passwd")
        XCTAssertEqual(MIMEFormat.safeFileName("客户.csv"), "__.csv")
    }

    // MARK: helpers

    func containsBytes(_ data: Data, _ text: String) -> Bool { data.range(of: Data(text.utf8)) != nil }

    func split(_ text: String) throws -> (String, String) {
        let range = try XCTUnwrap(text.range(of: "\r\n\r\n"))
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    /// The value of a header, with folded continuation lines joined.
    func header(_ name: String, _ head: String) -> String? {
        var lines: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" "), !lines.isEmpty { lines[lines.count - 1] += "\r\n" + line } else { lines.append(line) }
        }
        return lines.first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    /// Decodes RFC 2047 `=?UTF-8?B?...?=` words separated by folding whitespace.
    func decodeEncodedWords(_ text: String) -> String? {
        var result = ""
        for word in text.components(separatedBy: "\r\n ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                  let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))),
                  let piece = String(data: data, encoding: .utf8)
            else { return nil }
            result += piece
        }
        return result
    }
}

/// A mail system in memory that can be told to refuse.
final class RecordingTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [String] = []
    private var refusing = false
    var refuse: Bool {
        get { lock.withLock { refusing } }
        set { lock.withLock { refusing = newValue } }
    }
    var messages: [String] { lock.withLock { received } }

    func deliver(_ message: [UInt8]) throws {
        try lock.withLock {
            if refusing { throw DeliveryError.transportFailed("refused by the test") }
            received.append(String(decoding: message, as: UTF8.self))
        }
    }
}
