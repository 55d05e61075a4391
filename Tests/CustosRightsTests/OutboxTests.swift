@testable import CustosRights
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

    func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return try XCTUnwrap(attributes[.posixPermissions] as? NSNumber).intValue & 0o777
    }

    func message(subject: String = "Your verification code", body: String = "Enter this code: 123456", attachments: [ExportFile] = [],
                 to: DeliveryContact = .email("li.wei@example.cn")) -> OutgoingMessage {
        OutgoingMessage(from: "Nordhav Privacy <privacy@nordhav.example>", to: to, subject: subject, body: body,
                        date: instant("2024-09-03T10:00:00Z"), attachments: attachments)
    }

    func testEmailIsOneOwnerOnlyEMLFileWithRFC5322Headers() throws {
        let name = try OutboxSender(directory: outbox, messageIDDomain: "nordhav.example").send(message())
        XCTAssertTrue(name.hasSuffix(".eml"))
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        XCTAssertEqual(files, [name], "exactly one file, no temporary file left behind")
        let url = outbox.appendingPathComponent(name)
        XCTAssertEqual(try mode(url), 0o600)
        XCTAssertEqual(try mode(outbox), 0o700)
        let text = try String(contentsOf: url, encoding: .utf8)
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
        let name = try OutboxSender(directory: outbox).send(message(subject: subject, body: body))
        let text = try String(contentsOf: outbox.appendingPathComponent(name), encoding: .utf8)
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
        let name = try OutboxSender(directory: outbox).send(message(attachments: [csv]))
        let text = try String(contentsOf: outbox.appendingPathComponent(name), encoding: .utf8)
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
        let sender = OutboxSender(directory: outbox)
        XCTAssertThrowsError(try sender.send(message(subject: "Hello\r\nBcc: victim@example.org"))) { error in
            XCTAssertEqual(error as? DeliveryError, .invalidHeader(field: "Subject"))
        }
        XCTAssertThrowsError(try sender.send(message(to: .email("a@example.org\nBcc: b@example.org"))))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outbox.path), [])
    }

    func testPostalContactsGiveALetterWithEnclosures() throws {
        let address = PostalAddress(recipient: "Åsa Öberg", lines: ["Storgatan 5"], postcode: "111 22", city: "Stockholm", country: "Sweden")
        let report = ExportFile(name: "access-report.html", mediaType: "text/html", text: "<html></html>")
        let name = try OutboxSender(directory: outbox).send(message(subject: "Your access report", body: "Enclosed is your report.",
                                                                   attachments: [report], to: .postal(address)))
        XCTAssertTrue(name.hasSuffix(".letter.txt"))
        let letterURL = outbox.appendingPathComponent(name)
        XCTAssertEqual(try mode(letterURL), 0o600)
        let letter = try String(contentsOf: letterURL, encoding: .utf8)
        XCTAssertTrue(letter.hasPrefix("Åsa Öberg\nStorgatan 5\n111 22 Stockholm\nSweden\n\n2024-09-03\n\nYour access report\n"))
        XCTAssertTrue(letter.contains("- access-report.html (SHA-256 \(report.sha256))"))
        let enclosure = outbox.appendingPathComponent(name.replacingOccurrences(of: ".letter.txt", with: ".enclosures"))
            .appendingPathComponent("access-report.html")
        XCTAssertEqual(try mode(enclosure), 0o600)
        XCTAssertEqual(try Data(contentsOf: enclosure), report.contents)
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
