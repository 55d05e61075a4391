import CustosBase
@testable import CustosRights
import CustosSchema
import Foundation
import XCTest
import Synchronization

/// A calendar date from `YYYY-MM-DD` (tests only).
func day(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> CivilDate {
    guard let date = ISODate(text)?.date else {
        XCTFail("bad test date \(text)", file: file, line: line)
        return CivilDate(daysSinceEpoch: 0)
    }
    return date
}

/// An instant from an ISO 8601 timestamp (tests only).
func instant(_ text: String) -> Date {
    guard let ms = ValueParser.parseTimestamp(text) else { fatalError("bad test timestamp \(text)") }
    return Date(timeIntervalSince1970: Double(ms) / 1000)
}

/// A settable clock shared with the verifier.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Keeps sent messages in memory so tests can read the code that was delivered.
final class CapturingSender: MessageSender, Sendable {
    private let stored = Mutex<[OutgoingMessage]>([])
    var messages: [OutgoingMessage] { stored.withLock { $0 } }
    func send(_ message: OutgoingMessage) throws -> String {
        stored.withLock { $0.append(message) }
        return "memory-\(messages.count)"
    }
    /// The 6-8 digit code in the last message body.
    var lastCode: String? {
        guard let body = messages.last?.body else { return nil }
        return body.split(whereSeparator: { $0.isWhitespace }).map(String.init)
            .first { (6...8).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}

/// A sender that always fails.
struct FailingSender: MessageSender {
    struct Down: Error {}
    func send(_ message: OutgoingMessage) throws -> String { throw Down() }
}

enum Sample {
    static let staff = RequestActor(principal: "dpo-anna", role: "compliance_officer")
    static let webForm = RequestActor(principal: "web-form", role: "intake")
    static let personal = RequestPersonalData(
        contact: .email("li.wei@example.cn"), subjectReference: "CUST-000123", note: "Please send me everything",
        subject: "00112233445566778899aabbccddeeff", contactOnFile: .email("li.wei@example.cn"))

    /// A calculator on UK time with England and Wales bank holidays.
    static func ukCalculator() throws -> DeadlineCalculator {
        DeadlineCalculator(
            calendar: try HolidayCalendar.parse(HolidayFixtures.englandAndWales2023to2024),
            timeZone: try XCTUnwrap(TimeZone(identifier: "Europe/London")))
    }

    static func request(
        _ type: RequestType = .access, jurisdiction: Jurisdiction = .gdpr, receivedAt: Date = instant("2024-09-03T10:00:00Z"),
        scope: ProcessingScope? = nil, calculator: DeadlineCalculator? = nil
    ) throws -> DataSubjectRequest {
        try DataSubjectRequest(
            jurisdiction: jurisdiction, type: type, channel: .web, personal: personal, scope: scope, receivedAt: receivedAt,
            recordedBy: webForm, calculator: try calculator ?? ukCalculator())
    }

    /// The repository's shipped dataset schemas (policies/datasets).
    static func catalog() throws -> DatasetCatalog {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies/datasets")
        return try DatasetCatalog.load(directory: dir)
    }

    static let controller = ControllerIdentity(
        name: "Nordhav Handel AB", address: "Storgatan 1, 111 22 Stockholm, Sweden", contact: "privacy@nordhav.example",
        dataProtectionOfficer: "dpo@nordhav.example")

    static let authority = ComplaintAuthority(
        name: "Integritetsskyddsmyndigheten (IMY)", contact: "Box 8114, 104 20 Stockholm; imy@imy.se", website: "https://www.imy.se")

    static func information(recipients: Disclosure<[Recipient]>? = nil) -> ProcessingInformation {
        ProcessingInformation(
            controller: controller,
            purposes: [
                PurposeDescription(key: "orders.fulfilment", name: "Order fulfilment", description: "Deliver what you bought.",
                                   lawfulBasis: .contract, datasets: ["customers", "orders"]),
                PurposeDescription(key: "marketing.email", name: "Email newsletter", description: "Send offers you asked for.",
                                   lawfulBasis: .consent, datasets: ["customers"]),
            ],
            categoryLabels: ["user.contact.email": "Email address"],
            recipients: recipients ?? .stated([
                Recipient(name: "PostNord AB", role: "processor", purpose: "parcel delivery", country: "SE"),
            ]),
            retention: [RetentionRule(dataset: "orders", period: "7 years", criteria: "Swedish Accounting Act (1999:1078)")],
            complaintAuthority: authority,
            automatedDecisionMaking: .notApplicable(reason: "We make no decisions about you by automated means alone."),
            internationalTransfers: .notApplicable(reason: "Your data is processed only within the EU/EEA."))
    }
}
