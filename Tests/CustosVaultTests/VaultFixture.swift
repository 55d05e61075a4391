import CustosCrypto
import CustosSchema
import CustosVault
import Foundation
import XCTest

/// A throw-away key hierarchy and store in a temporary folder.
struct VaultFixture {
    let root: URL
    let keys: KeyHierarchy
    let store: SQLiteRecordStore
    let authority: GrantAuthority
    let vault: Vault

    static let dataset = DatasetSchema(
        name: "orders", description: "", subjectKeys: ["customer_id", "email"],
        columns: [
            Column(name: "customer_id", type: .string, columnClass: .directIdentifier, category: "user.unique_id", normalization: .identifier),
            Column(name: "email", type: .string, columnClass: .directIdentifier, category: "user.contact.email", normalization: .email),
            Column(name: "amount", type: .decimal, columnClass: .measure, category: "user.financial", scale: 2,
                   bounds: Bounds(lower: 0, upper: 1000)),
            Column(name: "note", type: .string, columnClass: .sensitive, category: "user.content"),
        ], source: "test", file: "orders.yaml")

    init(passphrase: String? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        keys = try KeyHierarchy.create(in: root.appendingPathComponent("keys"), passphrase: passphrase)
        store = try SQLiteRecordStore(path: root.appendingPathComponent("data/vault.sqlite").path)
        authority = GrantAuthority()
        vault = try Vault(store: store, keys: keys, authority: authority)
    }

    func row(_ line: Int, id: String?, email: String?, amount: Int64, note: String) -> IngestRow {
        IngestRow(line: line, values: [id.map { .string($0) } ?? .missing, email.map { .string($0) } ?? .missing, .decimal(amount), .string(note)])
    }

    func grant(columns: [String] = ["amount", "note"], subject: SubjectID? = nil, authority other: GrantAuthority? = nil) -> AccessGrant {
        (other ?? authority).issue(
            decisionID: "d1", principal: "tester", role: "analyst", purpose: "analytics.reporting", dataset: "orders",
            treatments: Dictionary(uniqueKeysWithValues: columns.map { ($0, ColumnTreatment.allow) }), outputMode: .pseudonymousAggregate,
            policyVersion: "v-test", subjectScope: subject?.hex)
    }

    /// Every (subject, note) readable with a fresh grant.
    func readNotes() throws -> [SubjectID: [String]] {
        var out: [SubjectID: [String]] = [:]
        try vault.read(grant(), dataset: Self.dataset, columns: ["note"]) { subject, values in
            if case let .string(note) = values[0] { out[subject, default: []].append(note) }
        }
        return out
    }
}
