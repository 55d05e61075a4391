import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// The worked example of audit/README.md §10. The expected bytes were produced independently with
/// Python's hashlib and cryptography (Ed25519 seed 0x01…0x20); Custos must produce the same.
final class ReadmeExampleTests: XCTestCase {
    static let line0 = #"{"action":"job.run","actor":"alice","dataset":"orders","decision":"allow","details":{"period":"2025-03"},"epsilon":"0.25","jobID":"job-17","policyVersion":"v7","purpose":"marketing.segmentation","role":"analyst","rows":1200,"subjectCount":310,"time":"2025-03-01T09:30:00.250Z"}"#
    static let line1 = #"{"action":"dsr.state","actor":"dpo","details":{"due":"2025-03-31","jurisdiction":"GDPR","state":"received","type":"erasure"},"requestID":"dsr-0042","role":"dpo","subjects":["ps_8f3a1c"],"time":"2025-03-01T10:00:00.000Z"}"#
    static let note = """
    example.com/custos/audit
    2
    HUrZgiE7W6lYkkSTZCwxAorXrBko17l+G9Q2q5GUUDs=
    time 2025-03-01T10:00:05.000Z

    — example.com/custos/audit 3EubPbUjMW74RuynlETxYv46AfUItVqo4xuJZVIfn+vFW2jt4vRYgqWDI9lbsfKtCO4/Xho14kb2B8omD2UjYuiRcQo=

    """
    static let publicKeyPEM = """
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEAebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=
    -----END PUBLIC KEY-----

    """

    func testEntriesHashesAndCheckpointMatchTheReadme() throws {
        let e0 = AuditEntry(
            time: Date(timeIntervalSince1970: 1_740_821_400.25), actor: "alice", role: "analyst", action: .jobRun,
            purpose: "marketing.segmentation", dataset: "orders", decision: .allow, policyVersion: "v7", epsilon: 0.25,
            subjectCount: 310, rows: 1200, jobID: "job-17", details: ["period": "2025-03"])
        let e1 = AuditEntry(
            time: Date(timeIntervalSince1970: 1_740_823_200), actor: "dpo", role: "dpo", action: .dsrState,
            subjects: ["ps_8f3a1c"], requestID: "dsr-0042",
            details: ["type": "erasure", "jurisdiction": "GDPR", "state": "received", "due": "2025-03-31"])
        XCTAssertEqual(String(decoding: try e0.canonicalLine(), as: UTF8.self), Self.line0)
        XCTAssertEqual(String(decoding: try e1.canonicalLine(), as: UTF8.self), Self.line1)
        let leaves = [RFC6962.leafHash(Array(Self.line0.utf8)), RFC6962.leafHash(Array(Self.line1.utf8))]
        XCTAssertEqual(leaves[0].hex, "98de487afeb298765cf86a4d31dfd9d989a8c3d53aa61c5f26b24edecc1eee50")
        XCTAssertEqual(leaves[1].hex, "646fa8e0a569c403d227ecf1d02606678088da4efbc703a90d12403cc7bb3edf")
        let root = RFC6962.rootHash(leafHashes: leaves)
        XCTAssertEqual(root.hex, "1d4ad982213b5ba958924493642c31028ad7ac1928d7b97e1bd436ab9194503b")

        let key = try TestSupport.signingKey()
        XCTAssertEqual(try key.publicKey.pemRepresentation, Self.publicKeyPEM)
        let signer = try NoteSigner(name: "example.com/custos/audit", privateKey: key)
        XCTAssertEqual(signer.verifierKey.keyIDHex, "dc4b9b3d")
        let checkpoint = try Checkpoint(size: 2, rootHash: root,
                                        timeMilliseconds: AuditTimestamp.parse("2025-03-01T10:00:05.000Z")!, signer: signer)
        XCTAssertEqual(checkpoint.signedNote, Self.note)
    }

    /// The README example as a directory passes the Swift verifier.
    func testReadmeDirectoryVerifies() throws {
        let dir = try TestSupport.temporaryDirectory(self)
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("segments"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        try AuditLayout.formatLine.write(to: dir.appendingPathComponent("FORMAT"), atomically: true, encoding: .utf8)
        try (Self.line0 + "\n" + Self.line1 + "\n").write(
            to: TestSupport.segmentURL(dir), atomically: true, encoding: .utf8)
        try Self.note.write(to: dir.appendingPathComponent("checkpoints/00000000000000000002.checkpoint"),
                            atomically: true, encoding: .utf8)
        let result = try AuditVerifier.verify(directory: dir, publicKeyPEM: Self.publicKeyPEM)
        XCTAssertTrue(result.isValid, result.summary)
        XCTAssertEqual(result.checkpointsMatchingEntries, 1)
    }
}
