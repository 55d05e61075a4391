import CustosCrypto

/// How a column may reach a job, from most to least permissive. Where several permits match,
/// the most restrictive treatment wins.
public enum ColumnTreatment: String, Sendable, CaseIterable, Comparable {
    case allow
    case pseudonymize
    case generalize
    case dpOnly = "dp_only"
    case deny

    /// Higher is more restrictive.
    public var restrictiveness: Int {
        switch self {
        case .allow: return 0
        case .pseudonymize: return 1
        case .generalize: return 2
        case .dpOnly: return 3
        case .deny: return 4
        }
    }

    public static func < (a: ColumnTreatment, b: ColumnTreatment) -> Bool { a.restrictiveness < b.restrictiveness }
}

/// How results of a job may leave the engine.
public enum OutputMode: String, Sendable, CaseIterable {
    /// Differentially private aggregates; budget charged.
    case dpAggregate = "dp_aggregate"
    /// Exact aggregates over pseudonymised data, suppressed below the minimum group size.
    case pseudonymousAggregate = "pseudonymous_aggregate"
    /// Per-subject results keyed by purpose-specific pseudonyms.
    case pseudonymousRecords = "pseudonymous_records"
    /// Results joined back to identities for activation (e.g. a campaign list).
    case reidentifiedExport = "reidentified_export"
    /// A data-subject request reading one subject's own data.
    case subjectAccess = "subject_access"
}

/// Proof that the policy decision point allowed a read. The vault refuses to decrypt anything
/// without a grant whose tag verifies under the authority's per-process key, so no code path can
/// read customer data around the decision point.
public struct AccessGrant: Sendable {
    public let decisionID: String
    public let principal: String
    public let role: String
    public let purpose: String
    public let dataset: String
    /// Columns the grant covers, each with its treatment (denied columns are absent).
    public let treatments: [String: ColumnTreatment]
    public let outputMode: OutputMode
    public let policyVersion: String
    /// A single subject the grant is limited to (data-subject requests), as its internal id in hex.
    public let subjectScope: String?
    public let tag: [UInt8]

    /// Assembles a grant from its parts. Anyone can build one, but only grants whose tag was made
    /// by the process's `GrantAuthority` are honoured by the vault.
    public init(
        decisionID: String, principal: String, role: String, purpose: String, dataset: String,
        treatments: [String: ColumnTreatment], outputMode: OutputMode, policyVersion: String, subjectScope: String?, tag: [UInt8]
    ) {
        self.decisionID = decisionID
        self.principal = principal
        self.role = role
        self.purpose = purpose
        self.dataset = dataset
        self.treatments = treatments
        self.outputMode = outputMode
        self.policyVersion = policyVersion
        self.subjectScope = subjectScope
        self.tag = tag
    }

    /// The canonical bytes the tag authenticates.
    var message: [UInt8] {
        var parts = [decisionID, principal, role, purpose, dataset, outputMode.rawValue, policyVersion, subjectScope ?? "-"]
        for (column, treatment) in treatments.sorted(by: { $0.key < $1.key }) { parts.append("\(column)=\(treatment.rawValue)") }
        var out: [UInt8] = []
        for part in parts {
            let bytes = Array(part.utf8)
            var length = UInt32(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
        }
        return out
    }

    /// Columns the job may read (every treatment except deny).
    public var readableColumns: [String] { treatments.filter { $0.value != .deny }.map(\.key).sorted() }
}

/// Issues and checks access grants with a key that lives only in this process's memory.
public final class GrantAuthority: Sendable {
    private let key: SymmetricKey

    /// A new authority with a fresh random key.
    public init() { key = SymmetricKey() }

    /// Mints a grant. Only the policy decision point calls this.
    public func issue(
        decisionID: String, principal: String, role: String, purpose: String, dataset: String,
        treatments: [String: ColumnTreatment], outputMode: OutputMode, policyVersion: String, subjectScope: String? = nil
    ) -> AccessGrant {
        let unsigned = AccessGrant(
            decisionID: decisionID, principal: principal, role: role, purpose: purpose, dataset: dataset,
            treatments: treatments.filter { $0.value != .deny }, outputMode: outputMode, policyVersion: policyVersion,
            subjectScope: subjectScope, tag: [])
        let tag = HMACSHA256.authenticationCode(for: unsigned.message, using: key)
        return AccessGrant(
            decisionID: decisionID, principal: principal, role: role, purpose: purpose, dataset: dataset,
            treatments: unsigned.treatments, outputMode: outputMode, policyVersion: policyVersion,
            subjectScope: subjectScope, tag: tag)
    }

    /// True when the grant was issued by this authority and not altered since.
    public func verify(_ grant: AccessGrant) -> Bool {
        constantTimeEquals(HMACSHA256.authenticationCode(for: grant.message, using: key), grant.tag)
    }
}
