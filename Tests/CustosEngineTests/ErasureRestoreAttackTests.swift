import CustosDemo
import CustosAudit
@testable import CustosEngine
import CustosRights
import CustosSchema
import CustosTesting
import CustosVault
import Foundation
import XCTest

/// Issue 10 item 9: restoring `data/vault.sqlite` and `keys/keystore.sqlite` from before an erasure
/// brought the erased customer back in full. The erasure ledger in the audit log re-shreds them on open.
final class ErasureRestoreAttackTests: XCTestCase {
    enum Restore { case both, keysOnly, dataOnly }

    struct Erased {
        let root: URL
        let subject: SubjectID
        let marker: String
        let email: String
        let request: String
        let subjectsBefore: Int
        let dana: Caller
    }

    /// Builds a workspace, copies both files aside, erases the marker customer through a verified and
    /// approved request, closes everything, then puts the old copies back as an operator with a shell would.
    func eraseThenRestore(_ restore: Restore) throws -> Erased {
        var fixture: EngineFixture? = try EngineFixture(customers: 60)
        guard let f = fixture else { throw CocoaError(.featureUnsupported) }
        let ws = f.engine.workspace
        let root = ws.root
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: f.generated.markerCustomerID))
        let subjectsBefore = try ws.records.allSubjects().count
        try ws.records.checkpoint()
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("custos-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: backup, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: backup) }
        try FileManager.default.copyItem(at: ws.dataDirectory.appendingPathComponent("vault.sqlite"), to: backup.appendingPathComponent("vault.sqlite"))
        try FileManager.default.copyItem(at: ws.keysDirectory.appendingPathComponent("keystore.sqlite"), to: backup.appendingPathComponent("keystore.sqlite"))

        let request = try f.engine.rights.fileRequest(type: .erasure, jurisdiction: .gdpr, channel: .email, contact: .email(f.generated.markerEmail),
                                                      customer: f.generated.markerCustomerID, actor: f.dana)
        let id = request.id.rawValue
        let challenge = try f.engine.rights.sendVerificationCode(id, actor: f.dana)
        _ = try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: try f.sendmail.latestCode(for: id), actor: f.dana)
        _ = try f.engine.rights.approveRequest(id, actor: f.dana)
        XCTAssertTrue(try f.engine.rights.fulfilRequest(id, actor: f.dana).summary.hasPrefix("erased"))
        XCTAssertEqual(try ws.keys.dataKeys(for: [subject]).count, 0)
        // The entry names the subject only sealed.
        let shred = try XCTUnwrap(try f.entries().last { $0.action == .keyShred && $0.requestID == id })
        let sealed = try XCTUnwrap(shred.details[ErasureLedger.detailKey])
        XCTAssertFalse(sealed.lowercased().contains(subject.hex))
        let erased = Erased(root: root, subject: subject, marker: f.generated.markerCustomerID, email: f.generated.markerEmail, request: id,
                            subjectsBefore: subjectsBefore, dana: f.dana)
        try f.engine.close()
        fixture = nil  // closes the store and key store

        let fm = FileManager.default
        if restore != .keysOnly {
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(at: root.appendingPathComponent("data/vault.sqlite" + suffix)) }
            try fm.copyItem(at: backup.appendingPathComponent("vault.sqlite"), to: root.appendingPathComponent("data/vault.sqlite"))
        }
        if restore != .dataOnly {
            for suffix in ["", "-journal"] { try? fm.removeItem(at: root.appendingPathComponent("keys/keystore.sqlite" + suffix)) }
            try fm.copyItem(at: backup.appendingPathComponent("keystore.sqlite"), to: root.appendingPathComponent("keys/keystore.sqlite"))
            chmod(root.appendingPathComponent("keys/keystore.sqlite").path, 0o600)
        }
        return erased
    }

    func testRestoringVaultAndKeyStoreFromBeforeAnErasureDoesNotBringTheCustomerBack() throws {
        let erased = try eraseThenRestore(.both)
        // The old copies really do hold the customer: read them without the engine's open-time check.
        let raw = try Workspace.open(at: erased.root)
        XCTAssertEqual(try raw.keys.dataKeys(for: [erased.subject]).count, 1, "the restored key store has the shredded key again")
        XCTAssertFalse(try raw.records.blocks(of: erased.subject).isEmpty, "and the restored store has the records")

        let engine = try Engine.open(raw)
        defer { try? engine.close() }
        engine.context.mailTransportOverride = DemoMailbox()
        XCTAssertEqual(try raw.keys.dataKeys(for: [erased.subject]).count, 0, "shredded again on open")
        XCTAssertEqual(try raw.records.blocks(of: erased.subject).count, 0)
        XCTAssertNil(try engine.subject(identifierColumn: "customer_id", value: erased.marker))
        XCTAssertNil(try engine.subject(identifierColumn: "email", value: erased.email))
        XCTAssertEqual(try raw.records.allSubjects().count, erased.subjectsBefore - 1)
        // Audited as a re-applied erasure of the same request, and the log still verifies.
        let entries = try engine.audit.entries()
        let reapplied = try XCTUnwrap(entries.last { $0.action == .keyShred && $0.details["reapplied"] == "true" })
        XCTAssertEqual(reapplied.requestID, erased.request)
        XCTAssertEqual(reapplied.details["key_was_back"], "true")
        XCTAssertTrue(try engine.verifyAudit().isValid)

        // In no job's input: the store no longer lists them.
        XCTAssertFalse(try raw.records.allSubjects().contains(erased.subject))
        // In no access report: an access request in their name meets no customer and no contact on file,
        // so nothing is sent (the same answer as for a stranger) and it can never be approved or fulfilled.
        let access = try engine.rights.fileRequest(type: .access, jurisdiction: .gdpr, channel: .email, contact: .email(erased.email),
                                                   customer: erased.marker, actor: erased.dana)
        let id = access.id.rawValue
        XCTAssertNil(access.personal.contactOnFile)
        XCTAssertEqual(try engine.rights.sendVerificationCode(id, actor: erased.dana).outcome.name, "issued")
        let mailbox = try XCTUnwrap(engine.context.mailTransportOverride as? DemoMailbox)
        XCTAssertEqual(mailbox.received, [], "no message: there is nobody on file to send it to")
        XCTAssertThrowsError(try engine.rights.approveRequest(id, actor: erased.dana))
        XCTAssertThrowsError(try engine.rights.fulfilRequest(id, actor: erased.dana))
        // A second open finds nothing more to do.
        XCTAssertEqual(try ErasureLedger(context: engine.context).enforce(), [])
    }

    func testRestoringOnlyTheOldKeyStoreIsShreddedAgain() throws {
        let erased = try eraseThenRestore(.keysOnly)
        let ws = try Workspace.open(at: erased.root)
        XCTAssertEqual(try ws.keys.dataKeys(for: [erased.subject]).count, 1)
        let engine = try Engine.open(ws)
        defer { try? engine.close() }
        XCTAssertEqual(try ws.keys.dataKeys(for: [erased.subject]).count, 0)
        XCTAssertTrue(try engine.audit.entries().contains { $0.details["reapplied"] == "true" && $0.details["key_was_back"] == "true" })
    }

    func testRestoringOnlyTheOldStoreRemovesTheRecordsAgain() throws {
        let erased = try eraseThenRestore(.dataOnly)
        let ws = try Workspace.open(at: erased.root)
        XCTAssertFalse(try ws.records.blocks(of: erased.subject).isEmpty)
        let engine = try Engine.open(ws)
        defer { try? engine.close() }
        XCTAssertEqual(try ws.records.blocks(of: erased.subject).count, 0)
        XCTAssertNil(try engine.subject(identifierColumn: "customer_id", value: erased.marker))
        XCTAssertTrue(try engine.audit.entries().contains { $0.details["reapplied"] == "true" && $0.details["key_was_back"] == "false" })
    }
}

/// `custos backup` / `custos restore`: what a backup is, and that restoring one never undoes an erasure.
final class BackupRestoreTests: XCTestCase {
    func testRestoringABackupFromBeforeAnErasureFindsNothingOfTheErasedCustomer() throws {
        var fixture: EngineFixture? = try EngineFixture(customers: 50)
        guard let f = fixture else { throw CocoaError(.featureUnsupported) }
        let root = f.engine.workspace.root
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("custos-backup-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: backup) }
        let oscar = f.oscar
        XCTAssertThrowsError(try f.engine.backup(to: root.appendingPathComponent("exports/backup"), actor: oscar), "a backup inside the workspace is refused")
        XCTAssertThrowsError(try f.engine.backup(to: backup, actor: f.dana), "only a role allowed to back up") { error in
            guard case EngineError.denied = error else { return XCTFail("\(error)") }
        }
        let manifest = try f.engine.backup(to: backup, actor: oscar)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: backup.path)), ["vault.sqlite", "keystore.sqlite", "manifest.json"],
                       "no KEK, no signing key, no audit log")
        XCTAssertEqual(manifest.kekVersions, [1])
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: f.generated.markerCustomerID))
        let before = try f.engine.workspace.records.allSubjects().count
        let marker = f.generated.markerCustomerID, email = f.generated.markerEmail, name = f.generated.markerName

        let request = try f.engine.rights.fileRequest(type: .erasure, jurisdiction: .gdpr, channel: .email, contact: .email(email),
                                                      customer: marker, actor: f.dana)
        let id = request.id.rawValue
        let challenge = try f.engine.rights.sendVerificationCode(id, actor: f.dana)
        _ = try f.engine.rights.checkVerificationCode(id, challenge: challenge.challengeID ?? "", code: try f.sendmail.latestCode(for: id), actor: f.dana)
        _ = try f.engine.rights.approveRequest(id, actor: f.dana)
        _ = try f.engine.rights.fulfilRequest(id, actor: f.dana)
        try f.engine.close()
        fixture = nil

        // A tampered backup is refused before anything is replaced.
        let liveBefore = try Data(contentsOf: root.appendingPathComponent("keys/keystore.sqlite"))
        let tampered = FileManager.default.temporaryDirectory.appendingPathComponent("custos-backup-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: tampered) }
        try FileManager.default.copyItem(at: backup, to: tampered)
        var bytes = try Data(contentsOf: tampered.appendingPathComponent("vault.sqlite"))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: tampered.appendingPathComponent("vault.sqlite"))
        XCTAssertThrowsError(try Engine.restore(workspace: root, from: backup, actor: Caller(principal: "oscar", role: "operator", token: "custos_wrong")))
        XCTAssertThrowsError(try Engine.restore(workspace: root, from: tampered, actor: oscar)) { XCTAssertTrue("\($0)".contains("does not match its manifest"), "\($0)") }
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("keys/keystore.sqlite")), liveBefore)

        let outcome = try Engine.restore(workspace: root, from: backup, actor: oscar)
        XCTAssertEqual(outcome.erasuresReapplied, 1)
        let ws = try Workspace.open(at: root)
        let engine = try Engine.open(ws)
        defer { try? engine.close() }
        XCTAssertEqual(engine.erasuresReappliedOnOpen, 0, "done once, on the restore")
        XCTAssertEqual(try ws.keys.dataKeys(for: [subject]).count, 0)
        XCTAssertEqual(try ws.records.blocks(of: subject).count, 0)
        XCTAssertNil(try engine.subject(identifierColumn: "email", value: email))
        XCTAssertEqual(try ws.records.allSubjects().count, before - 1, "everyone else is back")
        try ws.records.checkpoint()
        XCTAssertEqual(PlaintextProbe.scan(directory: ws.root, for: [name, marker, email]).filter { !$0.file.hasPrefix("sources/") }.map(\.description), [])
        let actions = try engine.audit.entries().map(\.action.rawValue)
        XCTAssertTrue(actions.contains("backup.create") && actions.contains("backup.restore"))
        XCTAssertTrue(try engine.audit.entries().contains { $0.action.rawValue == "backup.restore" && $0.decision == .deny && $0.actor == "oscar" },
                      "the refused restore is audited")
        XCTAssertTrue(try engine.verifyAudit().isValid)
    }
}
