import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// Shared helpers for the audit tests.
enum TestSupport {
    static let origin = "test.custos.local/audit"

    /// A fixed Ed25519 key (seed 0x01…0x20) so that failures are reproducible.
    static func signingKey() throws -> Curve25519.Signing.PrivateKey {
        try Curve25519.Signing.PrivateKey(rawRepresentation: (1...32).map { UInt8($0) })
    }

    static func publicKey() throws -> Curve25519.Signing.PublicKey { try signingKey().publicKey }

    /// A fresh empty directory under the system temporary folder, removed by the test's teardown.
    static func temporaryDirectory(_ test: XCTestCase, _ name: String = "audit") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("custos-audit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.appendingPathComponent(name)
    }

    /// A plausible entry number `i` (time advances one minute per entry from 2025-03-01).
    static func entry(_ i: Int, action: AuditAction = .jobRun) -> AuditEntry {
        AuditEntry(
            time: Date(timeIntervalSince1970: 1_740_787_200 + Double(i) * 60),
            actor: "analyst-\(i % 3)", role: "analyst", action: action, purpose: "marketing.segmentation",
            dataset: i % 2 == 0 ? "orders" : "events", decision: .allow, policyVersion: "v7",
            epsilon: 0.25, subjectCount: Int64(100 + i), rows: Int64(1000 + i), jobID: "job-\(i)",
            details: ["seq": String(i)])
    }

    static func open(_ directory: URL, every: UInt64 = 10, segmentBytes: UInt64 = 64 << 20) throws -> AuditLog {
        try AuditLog.open(directory: directory, signingKey: signingKey(), origin: origin,
                          options: .init(checkpointEvery: every, segmentBytes: segmentBytes, lockTimeout: 2))
    }

    /// Writes `count` entries with checkpoints every `every` entries and closes the log.
    static func writeLog(_ directory: URL, count: Int, every: UInt64 = 10, segmentBytes: UInt64 = 64 << 20) throws {
        let log = try open(directory, every: every, segmentBytes: segmentBytes)
        for i in 0..<count { try log.append(entry(i)) }
        try log.close()
    }

    /// Runs `body` on `count` dedicated threads (DispatchQueue.concurrentPerform would cap concurrency
    /// at the core count) and waits for all of them.
    static func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for t in 0..<count {
            group.enter()
            Thread {
                body(t)
                group.leave()
            }.start()
        }
        group.wait()
    }

    static func verify(_ directory: URL) throws -> AuditVerificationResult {
        try AuditVerifier.verify(directory: directory, publicKey: publicKey())
    }

    static func segmentURL(_ directory: URL, _ number: Int = 1) -> URL {
        directory.appendingPathComponent("segments").appendingPathComponent(AuditLayout.segmentName(number))
    }
}
