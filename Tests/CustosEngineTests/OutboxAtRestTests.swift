import CustosDemo
import CustosAudit
@testable import CustosEngine
import CustosRights
import CustosTesting
import CustosVault
import Foundation
import XCTest

/// Issue 10 item 8: `outbox/*.eml` kept access packages, requester addresses and live one-time codes
/// in the clear, indefinitely. An attacker with a shell reads outbox/ and finds nothing.
final class OutboxAtRestTests: XCTestCase {
    /// A mail system that is down: everything stays queued, sealed.
    struct DownMailSystem: MailTransport {
        func deliver(_ message: [UInt8]) throws { throw DeliveryError.transportFailed("down for the test") }
    }

    func testAttackerReadingTheOutboxFindsNoAddressCodeOrAccessPackage() throws {
        let f = try EngineFixture(customers: 40)
        f.engine.context.mailTransportOverride = DownMailSystem()
        let marker = f.generated.markerCustomerID
        let ws = f.engine.workspace
        let request = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email, contact: .email(f.generated.markerEmail),
                                                      customer: marker, actor: f.dana)
        let id = request.id.rawValue
        let challenge = try f.engine.rights.sendVerificationCode(id, actor: f.dana)
        let outbox = try f.engine.rights.outbox
        XCTAssertEqual(try outbox.pending().count, 1, "the code message waits, sealed")
        // Only the engine (holding the KEK) can open it: that is the code the customer would get.
        let code = try XCTUnwrap(try outbox.open(try outbox.pending()[0]).text
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.count == 6 && $0.allSatisfy(\.isNumber) })
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.root, for: [code]).filter { !$0.file.hasPrefix("sources/") }.map(\.description), [],
                       "the live code is in no file, in any encoding")
        XCTAssertEqual(try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: code, actor: f.dana).outcome, .verified)
        _ = try f.engine.rights.approveRequest(id, actor: f.dana)
        let outcome = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        XCTAssertFalse(outcome.delivered)
        XCTAssertEqual(try outbox.pending().count, 2)
        try ws.records.checkpoint()
        // The access package (name, surname, id) and the address: in no outbox file, even across MIME line breaks.
        let needles = [f.generated.markerName, "Markersson", marker, f.generated.markerEmail]
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.outboxDirectory, for: needles).map(\.description), [])
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.root, for: needles).filter { !$0.file.hasPrefix("sources/") }.map(\.description), [])
        for name in try FileManager.default.contentsOfDirectory(atPath: ws.outboxDirectory.path) {
            XCTAssertTrue(name.hasSuffix(".sealed"), name)
        }
        // Sealed is not delivered: once the mail system is back, the queue drains and the outbox is empty.
        f.engine.context.mailTransportOverride = nil
        let delivered = try f.engine.rights.maintainOutbox(deliver: true, actor: f.dana)
        XCTAssertEqual(delivered.delivered, 2)
        XCTAssertEqual(try outbox.pending(), [])
        XCTAssertTrue(try f.sendmail.messages().contains { $0.contains(code) })
        XCTAssertTrue(try f.entries().contains { $0.action.rawValue == "outbox.maintain" && $0.details["delivered"] == "2" })
    }

    /// The plaintext probe itself must see what MIME hides: base64 wrapped at 76 columns.
    func testProbeFindsAValueInLineWrappedBase64() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("outbox"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let padding = String(repeating: "x", count: 50)
        let wrapped = Data((padding + "Markersson Wang").utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        XCTAssertFalse(wrapped.replacingOccurrences(of: "\r\n", with: "").isEmpty)
        try Data(("Content-Transfer-Encoding: base64\r\n\r\n" + wrapped).utf8).write(to: folder.appendingPathComponent("outbox/old.eml"))
        let findings = PlaintextProbe.scan(directory: folder, for: ["Markersson Wang"])
        XCTAssertEqual(findings.map(\.file), ["outbox/old.eml"])
    }

    /// Undelivered messages are purged past the retention limit when the engine opens, audited.
    func testUndeliveredMessagesArePurgedPastRetentionOnOpen() throws {
        let f = try EngineFixture(customers: 20)
        f.engine.context.mailTransportOverride = DownMailSystem()
        let request = try f.engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email, contact: try f.emailOnFile(f.generated.markerCustomerID),
                                                      customer: f.generated.markerCustomerID, actor: f.dana)
        _ = try f.engine.rights.sendVerificationCode(request.id.rawValue, actor: f.dana)
        XCTAssertEqual(try f.engine.rights.outbox.pending().count, 1)
        let ws = f.engine.workspace
        try f.engine.close()
        let later = Date().addingTimeInterval(15 * 86_400)
        let reopened = try Engine.open(ws, clock: { later })
        defer { try? reopened.close() }
        XCTAssertEqual(try reopened.rights.outbox.pending(), [], "14 days is the default retention")
        XCTAssertTrue(try reopened.audit.entries().contains { $0.action.rawValue == "outbox.maintain" && $0.details["purged"] == "1" })
    }
}
