import Foundation

/// A restriction of processing (GDPR art. 18): while it lasts, data is only stored, except for
/// purposes that continue under restriction (legal claims, the subject's own requests).
public struct Restriction: Sendable, Equatable, Codable {
    /// When it took effect.
    public let since: Date
    /// The art. 18(1) ground, in words, e.g. "accuracy contested (art. 18(1)(a))".
    public let ground: String

    /// Creates the value from its parts.
    public init(since: Date, ground: String) {
        self.since = since
        self.ground = ground
    }
}

/// An objection (GDPR art. 21) to one purpose or to every purpose under a prefix (`marketing.*`).
public struct Objection: Sendable, Equatable, Codable {
    /// A purpose key or pattern: `marketing.advertising`, `marketing.*`, `*`.
    public let purposes: String
    /// When it took effect.
    public let since: Date

    /// Creates the value from its parts.
    public init(purposes: String, since: Date) {
        self.purposes = purposes
        self.since = since
    }

    /// Whether the objection covers `purpose`.
    public func covers(_ purpose: String) -> Bool { KeyPattern(purposes).matches(purpose) }
}

/// A legal hold: data kept for a claim or an authority's order; other processing stops
/// (PIPL art. 47(2): only storage and necessary security measures).
public struct LegalHold: Sendable, Equatable, Codable {
    /// The internal case reference (never the subject's name).
    public let caseReference: String
    /// When it took effect.
    public let since: Date

    /// Creates the value from its parts.
    public init(caseReference: String, since: Date) {
        self.caseReference = caseReference
        self.since = since
    }
}

/// What a subject has asked for (or the law imposes) beyond consent: restriction, objections,
/// legal holds. The engine stores it sealed in the vault (`encoded()` bytes).
public struct SubjectProcessingState: Sendable, Equatable, Codable {
    /// The restriction in force, if any.
    public var restriction: Restriction?
    /// Objections, each to a purpose or purpose pattern.
    public var objections: [Objection]
    /// Legal holds on the subject.
    public var legalHolds: [LegalHold]

    /// Creates the value from its parts.
    public init(restriction: Restriction? = nil, objections: [Objection] = [], legalHolds: [LegalHold] = []) {
        self.restriction = restriction
        self.objections = objections
        self.legalHolds = legalHolds
    }

    /// Whether processing is restricted at `time`.
    public func isRestricted(at time: Date) -> Bool { restriction.map { $0.since <= time } ?? false }

    /// Whether an objection in force at `time` covers `purpose`.
    public func objects(to purpose: String, at time: Date) -> Bool {
        objections.contains { $0.since <= time && $0.covers(purpose) }
    }

    /// Whether a legal hold is in force at `time`.
    public func isUnderLegalHold(at time: Date) -> Bool { legalHolds.contains { $0.since <= time } }

    enum CodingKeys: String, CodingKey {
        case restriction, objections
        case legalHolds = "legal_holds"
    }

    /// Canonical JSON bytes for sealed storage.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return (try? [UInt8](encoder.encode(self))) ?? []
    }

    /// Decodes bytes written by `encoded()`.
    public init(bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        do { self = try decoder.decode(SubjectProcessingState.self, from: Data(bytes)) } catch {
            throw GovernanceError.malformedConsentRecord(reason: "processing state: \(type(of: error))")
        }
    }
}
