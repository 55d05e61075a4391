import Foundation

/// Why a subject is left out of a job. Jobs report counts per reason, never who.
public enum ConsentExclusion: String, Sendable, Codable, CodingKeyRepresentable, CaseIterable {
    /// The purpose is not declared.
    case unknownPurpose = "unknown_purpose"
    /// The purpose serves legal holds and the subject is not under one.
    case notUnderLegalHold = "not_under_legal_hold"
    /// A legal hold stops all processing except storage and security (PIPL art. 47(2)).
    case legalHold = "legal_hold"
    /// Processing is restricted (GDPR art. 18).
    case restricted
    /// The subject objected to this purpose (GDPR art. 21).
    case objected
    /// No consent record for this purpose.
    case noConsent = "no_consent"
    /// The latest record for this purpose is a withdrawal.
    case withdrawn
    /// Consent was given to an earlier version of the purpose (PIPL art. 14: a change needs new consent).
    case outdatedPurposeVersion = "outdated_purpose_version"
    /// The purpose needs separate consent (sensitive data or cross-border transfer) and the consent was not separate.
    case separateConsentMissing = "separate_consent_missing"
}

/// Whether a subject's data may be used for a purpose at job time.
public enum ConsentStatus: Sendable, Equatable {
    /// In force, on this lawful basis.
    case inForce(LawfulBasis)
    case excluded(ConsentExclusion)

    /// Whether the subject may be included.
    public var isInForce: Bool { if case .inForce = self { return true } else { return false } }
}

/// Decides, per subject and purpose, whether processing is allowed at job time:
///
/// 1. a legal hold excludes the subject unless the purpose continues under legal hold; a purpose
///    that requires a legal hold (reading held records) excludes subjects who are not under one;
/// 2. a restriction excludes the subject unless the purpose continues under restriction;
/// 3. an objection covering the purpose excludes the subject when the purpose relies on
///    legitimate interest or consent (art. 21 does not reach contract or legal obligation);
/// 4. for consent-based purposes, the latest record for the purpose (at or before job time;
///    a withdrawal wins a tie) must be a grant, for the purpose's current version, and separate
///    where the purpose needs separate consent.
public struct ConsentEvaluator: Sendable {
    /// The declared purposes.
    public let purposes: PurposeRegistry

    /// An evaluator over the declared purposes.
    public init(purposes: PurposeRegistry) { self.purposes = purposes }

    /// The status of one subject for `purpose` at `time`, from that subject's consent records and state.
    public func evaluate(purpose key: String, records: [ConsentRecord], state: SubjectProcessingState, at time: Date) -> ConsentStatus {
        guard let purpose = purposes[key] else { return .excluded(.unknownPurpose) }
        if state.isUnderLegalHold(at: time) && !purpose.continuesUnderLegalHold { return .excluded(.legalHold) }
        if purpose.requiresLegalHold && !state.isUnderLegalHold(at: time) { return .excluded(.notUnderLegalHold) }
        if state.isRestricted(at: time) && !purpose.continuesUnderRestriction { return .excluded(.restricted) }
        if purpose.lawfulBasis.honoursObjection && state.objects(to: key, at: time) { return .excluded(.objected) }
        guard purpose.requiresConsent else { return .inForce(purpose.lawfulBasis) }
        guard let latest = Self.latest(records, purpose: key, at: time) else { return .excluded(.noConsent) }
        guard latest.action == .granted else { return .excluded(.withdrawn) }
        guard latest.purposeVersion == purpose.version else { return .excluded(.outdatedPurposeVersion) }
        if purpose.requiresSeparateConsent && !latest.separateConsent { return .excluded(.separateConsentMissing) }
        return .inForce(.consent)
    }

    /// The record that decides: latest at or before `time`; on equal times a withdrawal wins.
    static func latest(_ records: [ConsentRecord], purpose: String, at time: Date) -> ConsentRecord? {
        var best: ConsentRecord?
        for record in records where record.purpose == purpose && record.time <= time {
            guard let current = best else {
                best = record
                continue
            }
            if record.time > current.time || (record.time == current.time && record.action == .withdrawn) { best = record }
        }
        return best
    }
}

/// Counts of subjects included and excluded per reason, for job reports (never who).
public struct ConsentTally: Sendable, Equatable, Codable {
    /// Subjects included.
    public private(set) var included: Int = 0
    /// Subjects excluded, per reason.
    public private(set) var excluded: [ConsentExclusion: Int] = [:]

    /// An empty value.
    public init() {}

    /// Counts one subject's status.
    public mutating func add(_ status: ConsentStatus) {
        switch status {
        case .inForce: included += 1
        case let .excluded(reason): excluded[reason, default: 0] += 1
        }
    }

    /// Total subjects excluded.
    public var excludedTotal: Int { excluded.values.reduce(0, +) }
}
