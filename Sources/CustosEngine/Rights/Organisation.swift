import CustosRights
import CustosSchema
import Foundation

/// The controller's identity and the texts the rights exports need, from `organisation.yaml` at the
/// workspace root.
public struct Organisation: Sendable {
    public var controller: ControllerIdentity
    public var mailFrom: String
    public var supervisoryAuthority: ComplaintAuthority
    public var piplAuthority: ComplaintAuthority
    public var securityMeasures: [String]
    public var automatedDecisionMaking: String
    /// How outgoing messages leave the outbox (`outbox:` in organisation.yaml).
    public var outbox: OutboxSettings = OutboxSettings()

    /// `outbox.sendmail`: absolute path of a `sendmail -t` compatible program (none: messages stay
    /// sealed in outbox/); `outbox.retention_days`: how long an undelivered message may wait (default 14).
    public struct OutboxSettings: Sendable, Equatable {
        public var sendmail: String?
        public var retentionDays = 14
    }

    static func load(_ url: URL) throws -> Organisation {
        let yaml = try YAMLValue.load(url, displayName: "organisation.yaml")
        let c = try yaml.required("controller")
        let authority = try yaml.required("supervisory_authority")
        let pipl = yaml["pipl_authority"] ?? authority
        var outbox = OutboxSettings()
        if let settings = yaml["outbox"] {
            try settings.checkKeys(["sendmail", "retention_days"])
            outbox.sendmail = try settings.optionalString("sendmail")
            if let days = try settings.optionalInt("retention_days") {
                guard (1...365).contains(days) else { throw settings.error("outbox.retention_days must be 1 to 365 days") }
                outbox.retentionDays = days
            }
        }
        var organisation = Organisation(
            controller: ControllerIdentity(name: try c.string("name"), address: try c.string("address"), contact: try c.string("contact"),
                                           dataProtectionOfficer: try c.optionalString("data_protection_officer"),
                                           representative: try c.optionalString("representative")),
            mailFrom: try yaml.string("mail_from"),
            supervisoryAuthority: ComplaintAuthority(name: try authority.string("name"), contact: try authority.string("contact"),
                                                     website: try authority.optionalString("website")),
            piplAuthority: ComplaintAuthority(name: try pipl.string("name"), contact: try pipl.string("contact"), website: try pipl.optionalString("website")),
            securityMeasures: try yaml.stringList("security_measures"),
            automatedDecisionMaking: try yaml.optionalString("automated_decision_making") ?? "No automated decision-making.")
        organisation.outbox = outbox
        return organisation
    }

    /// The file shipped with Custos (repository root), for new workspaces.
    static var bundled: URL? {
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("organisation.yaml"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("organisation.yaml"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
