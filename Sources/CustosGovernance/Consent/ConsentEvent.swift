import Foundation

/// What a consent event says, apart from whose it is: the purpose and notice the subject was
/// shown, their answer, and when, where and by whom it was collected. A ``ConsentRecord`` is one
/// of these for an internal subject; a ``ConsentImportRow`` is one for a customer identifier not
/// yet resolved.
public struct ConsentEvent: Sendable, Equatable {
    /// Purpose key, e.g. `marketing.segmentation`.
    public let purpose: String
    /// The purpose version the subject was asked about.
    public let purposeVersion: Int
    /// Granted or withdrawn.
    public let action: ConsentAction
    /// Version of the notice shown.
    public let noticeVersion: String
    /// Lower-case hex SHA-256 of the notice text shown.
    public let noticeSHA256: String
    /// Language of the notice (BCP 47 tag, e.g. `sv-SE`).
    public let language: String
    /// When it happened.
    public let time: Date
    /// Where consent was collected: `web`, `app`, `store`, `email`, `import`...
    public let channel: String
    /// Who or which system collected it (a system name or employee id, never the subject).
    public let collector: String
    /// A separate, specific consent (PIPL art. 29 for sensitive data, art. 39 for cross-border transfer).
    public let separateConsent: Bool

    /// Creates the value from its parts.
    public init(
        purpose: String, purposeVersion: Int, action: ConsentAction, noticeVersion: String, noticeSHA256: String,
        language: String, time: Date, channel: String, collector: String, separateConsent: Bool = false
    ) {
        self.purpose = purpose
        self.purposeVersion = purposeVersion
        self.action = action
        self.noticeVersion = noticeVersion
        self.noticeSHA256 = noticeSHA256
        self.language = language
        self.time = time
        self.channel = channel
        self.collector = collector
        self.separateConsent = separateConsent
    }
}
