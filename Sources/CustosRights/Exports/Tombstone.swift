import CustosCrypto
import CustosSchema
import Foundation

/// Proof that an erasure was carried out, with no personal data: a digest of the request id (not
/// the id itself, so the tombstone does not link back to the case file on its own), when, how, and
/// how many records per dataset became unreadable. The engine stores it and logs `digest`.
public struct Tombstone: Hashable, Sendable, Codable {
    /// Records made unreadable in one dataset.
    public struct DatasetErasure: Hashable, Sendable, Codable {
        /// Dataset name.
        public let dataset: String
        /// Records made unreadable.
        public let records: Int
    }

    /// Hex SHA-256 of `custos/rights/v1/tombstone`, a zero byte and the request id. Anyone holding the
    /// request id can recompute it with `requestDigest(for:)` and match the tombstone.
    public let requestDigest: String
    /// The law the erasure was requested under.
    public let jurisdiction: Jurisdiction
    /// When the key was destroyed (millisecond precision).
    public let erasedAt: Date
    /// How the data was erased.
    public let method: String
    /// Datasets affected, sorted by name.
    public let datasets: [DatasetErasure]

    private enum CodingKeys: String, CodingKey {
        case jurisdiction, method, datasets
        case requestDigest = "request_digest"
        case erasedAt = "erased_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestDigest = try container.decode(String.self, forKey: .requestDigest)
        jurisdiction = try container.decode(Jurisdiction.self, forKey: .jurisdiction)
        method = try container.decode(String.self, forKey: .method)
        datasets = try container.decode([DatasetErasure].self, forKey: .datasets)
        let text = try container.decode(String.self, forKey: .erasedAt)
        guard let ms = ValueParser.parseTimestamp(text) else {
            throw DecodingError.dataCorruptedError(forKey: .erasedAt, in: container, debugDescription: "expected an ISO 8601 timestamp")
        }
        erasedAt = Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// Encodes with `erased_at` as ISO 8601 UTC text (millisecond precision).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requestDigest, forKey: .requestDigest)
        try container.encode(jurisdiction, forKey: .jurisdiction)
        try container.encode(method, forKey: .method)
        try container.encode(datasets, forKey: .datasets)
        try container.encode(VerificationResult.timestamp(erasedAt), forKey: .erasedAt)
    }

    /// The method text for crypto-shredding.
    public static let cryptoShredding = "crypto-shredding: the subject's data key was destroyed, so every sealed copy "
        + "of their records (backups included) is unreadable"

    /// A tombstone for request `requestID`; `recordsByDataset` counts the records made unreadable.
    public init(
        requestID: DataSubjectRequestID, jurisdiction: Jurisdiction, erasedAt: Date, recordsByDataset: [String: Int],
        method: String = Tombstone.cryptoShredding
    ) {
        requestDigest = Self.requestDigest(for: requestID)
        self.jurisdiction = jurisdiction
        // Millisecond precision, as in the canonical JSON, so a decoded tombstone equals the original.
        self.erasedAt = Date(timeIntervalSince1970: (erasedAt.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        self.method = method
        datasets = recordsByDataset.keys.sorted().map { DatasetErasure(dataset: $0, records: recordsByDataset[$0] ?? 0) }
    }

    /// The digest that stands for `requestID` in tombstones.
    public static func requestDigest(for requestID: DataSubjectRequestID) -> String {
        SHA256.hash(Array("custos/rights/v1/tombstone".utf8) + [0] + Array(requestID.rawValue.utf8)).hexString
    }

    /// Total records made unreadable.
    public var totalRecords: Int { datasets.reduce(0) { $0 + $1.records } }

    /// Canonical JSON: sorted keys, no spaces, dates as ISO 8601 UTC text.
    public func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Hex SHA-256 of `canonicalJSON()`, for the audit entry and `FulfilmentRecord.evidenceDigests`.
    public func digest() throws -> String {
        SHA256.hash([UInt8](try canonicalJSON())).hexString
    }

    /// The audit summary of the erasure: digests, time, method and counts; no personal data.
    public func auditSummary() throws -> [String: String] {
        var summary = [
            "request_digest": requestDigest,
            "tombstone_digest": try digest(),
            "jurisdiction": jurisdiction.rawValue,
            "erased_at": VerificationResult.timestamp(erasedAt),
            "total_records": String(totalRecords),
        ]
        summary["datasets"] = datasets.map { "\($0.dataset)=\($0.records)" }.joined(separator: ",")
        return summary
    }
}
