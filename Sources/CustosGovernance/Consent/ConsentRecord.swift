import CustosCrypto
import CustosSchema
import Foundation

/// Whether a consent record gives or takes back consent.
public enum ConsentAction: String, Sendable, Codable, CaseIterable {
    case granted
    case withdrawn
}

/// One consent event for one subject and one purpose: proof of what the subject agreed to (or
/// withdrew), when, how, and which notice they were shown. Records are never overwritten; a
/// withdrawal is a new record. The engine stores them sealed in the vault (`encoded()` bytes).
/// The event's fields read directly on the record (`record.purpose`, `record.time`).
@dynamicMemberLookup
public struct ConsentRecord: Sendable, Equatable, Codable {
    /// Random 128-bit id (hex) of this record.
    public let id: String
    /// Opaque internal subject id (never an email or customer number).
    public let subject: String
    /// What the subject was asked, what they answered, and when and how.
    public let event: ConsentEvent

    /// A field of the event.
    public subscript<T>(dynamicMember field: KeyPath<ConsentEvent, T>) -> T { event[keyPath: field] }

    /// Creates the value from its parts.
    public init(id: String = SecureRandom.bytes(count: 16).hexString, subject: String, event: ConsentEvent) {
        self.id = id
        self.subject = subject
        self.event = event
    }

    /// Creates the value from the event's fields.
    public init(
        id: String = SecureRandom.bytes(count: 16).hexString, subject: String, purpose: String, purposeVersion: Int,
        action: ConsentAction, noticeVersion: String, noticeSHA256: String, language: String, time: Date,
        channel: String, collector: String, separateConsent: Bool = false
    ) {
        self.init(id: id, subject: subject, event: ConsentEvent(
            purpose: purpose, purposeVersion: purposeVersion, action: action, noticeVersion: noticeVersion,
            noticeSHA256: noticeSHA256, language: language, time: time, channel: channel, collector: collector,
            separateConsent: separateConsent))
    }

    enum CodingKeys: String, CodingKey {
        case id, subject, purpose, action, language, time, channel, collector
        case purposeVersion = "purpose_version"
        case noticeVersion = "notice_version"
        case noticeSHA256 = "notice_sha256"
        case separateConsent = "separate_consent"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(subject, forKey: .subject)
        try c.encode(event.purpose, forKey: .purpose)
        try c.encode(event.purposeVersion, forKey: .purposeVersion)
        try c.encode(event.action, forKey: .action)
        try c.encode(event.noticeVersion, forKey: .noticeVersion)
        try c.encode(event.noticeSHA256, forKey: .noticeSHA256)
        try c.encode(event.language, forKey: .language)
        try c.encode(ConsentTime.render(event.time), forKey: .time)
        try c.encode(event.channel, forKey: .channel)
        try c.encode(event.collector, forKey: .collector)
        try c.encode(event.separateConsent, forKey: .separateConsent)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .time)
        guard let time = ConsentTime.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: c, debugDescription: "time is not an ISO 8601 timestamp")
        }
        self.init(
            id: try c.decode(String.self, forKey: .id), subject: try c.decode(String.self, forKey: .subject),
            purpose: try c.decode(String.self, forKey: .purpose), purposeVersion: try c.decode(Int.self, forKey: .purposeVersion),
            action: try c.decode(ConsentAction.self, forKey: .action), noticeVersion: try c.decode(String.self, forKey: .noticeVersion),
            noticeSHA256: try c.decode(String.self, forKey: .noticeSHA256), language: try c.decode(String.self, forKey: .language),
            time: time, channel: try c.decode(String.self, forKey: .channel), collector: try c.decode(String.self, forKey: .collector),
            separateConsent: try c.decode(Bool.self, forKey: .separateConsent))
    }

    /// Canonical JSON bytes (sorted keys) for sealed storage.
    public func encoded() -> [UInt8] { ConsentTime.canonicalJSON(self) }

    /// What makes two records the same consent event for the same subject: the canonical
    /// encoding without the random record id. An import stores a record only once per identity.
    public var identity: [UInt8] { ConsentRecord(id: "", subject: subject, event: event).encoded() }

    /// ``identity`` of an encoded record, or nil when the bytes are not a consent record.
    public static func identity(ofEncoded bytes: [UInt8]) -> [UInt8]? { (try? ConsentRecord(bytes: bytes))?.identity }

    /// Decodes bytes written by `encoded()`.
    public init(bytes: [UInt8]) throws {
        do { self = try JSONDecoder().decode(ConsentRecord.self, from: Data(bytes)) } catch {
            throw GovernanceError.malformedConsentRecord(reason: "\(type(of: error))")
        }
    }
}

/// Time and JSON helpers shared by consent records and processing state.
enum ConsentTime {
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// ISO 8601 UTC with milliseconds when non-zero, e.g. `2025-03-01T09:30:00Z`.
    static func render(_ date: Date) -> String { Value.timestamp(millis(date)).rendered() }

    static func parse(_ text: String) -> Date? {
        ValueParser.parseTimestamp(text).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    static func canonicalJSON<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and booleans cannot fail.
        return (try? [UInt8](encoder.encode(value))) ?? []
    }
}
