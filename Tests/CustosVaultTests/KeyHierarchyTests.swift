import CustosCrypto
import CustosSchema
@testable import CustosVault
import Foundation
import XCTest

final class KeyHierarchyTests: XCTestCase {
    func mode(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions]) as? Int) ?? -1
    }

    func testInitCreatesOwnerOnlyKeyFiles() throws {
        let f = try VaultFixture()
        let keys = f.root.appendingPathComponent("keys")
        for name in ["kek-v1.key", "keystore.sqlite", "audit.key"] {
            XCTAssertEqual(mode(keys.appendingPathComponent(name)), 0o600, name)
        }
        XCTAssertEqual(mode(keys) & 0o077, 0)
        let pem = try String(contentsOf: keys.appendingPathComponent("audit.pub"), encoding: .utf8)
        XCTAssertTrue(pem.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        XCTAssertEqual(try Curve25519.Signing.PublicKey(pemRepresentation: pem), try f.keys.auditSigningKey().publicKey)
    }

    func testWorldReadableKeyFileIsRefused() throws {
        let f = try VaultFixture()
        let kek = f.root.appendingPathComponent("keys/kek-v1.key")
        chmod(kek.path, 0o644)
        XCTAssertThrowsError(try KeyHierarchy.open(in: f.root.appendingPathComponent("keys"))) { error in
            XCTAssertEqual(error as? VaultError, .keyFileTooOpen(path: "keys/kek-v1.key", mode: "644"))
            XCTAssertTrue("\(error)".contains("chmod 600"))
        }
        chmod(kek.path, 0o600)
        XCTAssertNoThrow(try KeyHierarchy.open(in: f.root.appendingPathComponent("keys")))
        chmod(f.root.appendingPathComponent("keys/audit.key").path, 0o640)
        XCTAssertThrowsError(try KeyHierarchy.open(in: f.root.appendingPathComponent("keys")))
    }

    func testWrongKEKFailsClearly() throws {
        let a = try VaultFixture()
        let b = try VaultFixture()
        let target = a.root.appendingPathComponent("keys/kek-v1.key")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: b.root.appendingPathComponent("keys/kek-v1.key"), to: target)
        XCTAssertThrowsError(try KeyHierarchy.open(in: a.root.appendingPathComponent("keys"))) { error in
            XCTAssertEqual(error as? VaultError, .wrongKeyEncryptionKey(version: 1))
        }
    }

    func testPassphraseProtectedKEK() throws {
        let f = try VaultFixture(passphrase: "correct horse battery staple")
        let dir = f.root.appendingPathComponent("keys")
        XCTAssertTrue(KeyHierarchy.isPassphraseProtected(dir, version: 1))
        XCTAssertThrowsError(try KeyHierarchy.open(in: dir)) { XCTAssertEqual($0 as? VaultError, .passphraseRequired) }
        XCTAssertThrowsError(try KeyHierarchy.open(in: dir, passphrase: "wrong")) { XCTAssertEqual($0 as? VaultError, .wrongPassphrase) }
        XCTAssertNoThrow(try KeyHierarchy.open(in: dir, passphrase: "correct horse battery staple"))
        // The KEK file does not contain the raw key.
        let file = try Data(contentsOf: dir.appendingPathComponent("kek-v1.key"))
        XCTAssertFalse(file.isEmpty)
    }

    func testRotationRewrapsEveryKeyAndRetiresTheOldKEK() throws {
        let f = try VaultFixture()
        _ = try f.vault.ingest([f.row(2, id: "c1", email: nil, amount: 1, note: "before rotation"),
                                f.row(3, id: "c2", email: nil, amount: 2, note: "also before")],
                               dataset: VaultFixture.dataset, sourceDigest: [1])
        let root = try f.keys.derivedKey(label: "probe").rawBytes
        let result = try f.keys.rotate()
        XCTAssertEqual(result.version, 2)
        XCTAssertEqual(result.rewrapped, 2)
        let dir = f.root.appendingPathComponent("keys")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("kek-v1.key").path), "old KEK destroyed")
        // A fresh process with only the new KEK opens everything written before rotation.
        let reopened = try KeyHierarchy.open(in: dir)
        XCTAssertEqual(reopened.currentVersion, 2)
        XCTAssertEqual(try reopened.derivedKey(label: "probe").rawBytes, root, "derived keys survive rotation")
        let vault = try Vault(store: f.store, keys: reopened, authority: f.authority)
        var notes: [String] = []
        try vault.read(f.grant(), dataset: VaultFixture.dataset, columns: ["note"]) { _, v in
            if case let .string(s) = v[0] { notes.append(s) }
        }
        XCTAssertEqual(Set(notes), ["before rotation", "also before"])
        // Rotating twice works too.
        XCTAssertEqual(try reopened.rotate().version, 3)
    }
}
