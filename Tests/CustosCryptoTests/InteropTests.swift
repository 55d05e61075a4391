import CustosCrypto
import Foundation
import XCTest

/// Cross-checks with Python `cryptography`, driven by `scripts/interop/interop.py`.
///
/// Skipped unless `CUSTOS_INTEROP_DIR` names a folder. There this test reads `python_artifacts.json`
/// (written by the script) and opens/verifies every artifact in it, then writes
/// `swift_artifacts.json` (sealed boxes, signatures, MACs, HKDF and scrypt outputs made here)
/// and `swift_checks.json` (one line per check of the Python artifacts) for the script to verify.
final class InteropTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        guard let path = ProcessInfo.processInfo.environment["CUSTOS_INTEROP_DIR"], !path.isEmpty else {
            throw XCTSkip("set CUSTOS_INTEROP_DIR (scripts/interop/interop.py does) to run the interop checks")
        }
        folder = URL(fileURLWithPath: path, isDirectory: true)
    }

    func testInteropWithPythonCryptography() throws {
        let input = try JSONDecoder().decode(PythonArtifacts.self, from: Data(contentsOf: folder.appendingPathComponent("python_artifacts.json")))
        var checks: [InteropCheck] = []
        func check(_ name: String, _ passed: Bool) {
            checks.append(InteropCheck(name: name, passed: passed))
            XCTAssertTrue(passed, name)
        }

        for (index, item) in input.aesgcm.enumerated() {
            let key = SymmetricKey(bytes: try hex(item.key))
            let box = try AES.GCM.SealedBox(combined: try hex(item.combined))
            let aad = try hex(item.aad)
            let opened = try? AES.GCM.open(box, using: key, authenticating: aad)
            check("swift opens python AES-GCM box \(index) (\(item.plaintext.count / 2) bytes)", opened == (try hex(item.plaintext)))
            var altered = try hex(item.combined)
            altered[altered.count - 1] ^= 0x01
            let tampered = Result { try AES.GCM.open(try AES.GCM.SealedBox(combined: altered), using: key, authenticating: aad) }
            if case let .failure(error) = tampered {
                check("swift rejects tampered python AES-GCM box \(index)", error as? CryptoError == .authenticationFailure)
            } else {
                check("swift rejects tampered python AES-GCM box \(index)", false)
            }
        }

        for (index, item) in input.ed25519.enumerated() {
            let publicKey = try Curve25519.Signing.PublicKey(pemRepresentation: item.publicKeyPEM)
            let message = try hex(item.message)
            let signature = try hex(item.signature)
            check("swift verifies python Ed25519 signature \(index)", publicKey.isValidSignature(signature, for: message))
            check("swift rejects python Ed25519 signature \(index) on another message",
                  !publicKey.isValidSignature(signature, for: message + [0]))
            let privateKey = try Curve25519.Signing.PrivateKey(pemRepresentation: item.privateKeyPEM)
            check("swift reads python PKCS#8 private key \(index) with the same public key", (try? privateKey.publicKey) == publicKey)
            check("swift signature equals python signature \(index) (deterministic)", (try? privateKey.signature(for: message)) == signature)
        }

        for (index, item) in input.hmac.enumerated() {
            let mac = HMACSHA256.authenticationCode(for: try hex(item.message), using: SymmetricKey(bytes: try hex(item.key)))
            check("swift HMAC equals python HMAC \(index) (key \(item.key.count / 2) bytes)", mac == (try hex(item.mac)))
        }

        for (index, item) in input.hkdf.enumerated() {
            let okm = try? HKDF.deriveKey(
                inputKeyMaterial: SymmetricKey(bytes: try hex(item.ikm)), salt: try hex(item.salt), info: try hex(item.info),
                outputByteCount: item.length)
            check("swift HKDF equals python HKDF \(index) (L=\(item.length))", okm?.rawBytes == (try hex(item.okm)))
        }

        for (index, item) in input.scrypt.enumerated() {
            let key = try? Scrypt.deriveKey(
                passphrase: item.passphrase, salt: try hex(item.salt), n: item.n, r: item.r, p: item.p, outputByteCount: item.length)
            check("swift scrypt equals python scrypt \(index)", key?.rawBytes == (try hex(item.key)))
        }

        XCTAssertGreaterThan(checks.count, 10, "python_artifacts.json held too few artifacts")
        try write(checks, "swift_checks.json")
        try write(try makeSwiftArtifacts(), "swift_artifacts.json")
    }

    private func makeSwiftArtifacts() throws -> SwiftArtifacts {
        var aesgcm: [SwiftArtifacts.Sealed] = []
        for length in [0, 1, 15, 16, 17, 64, 1000, 65_537] {
            let key = SymmetricKey()
            let plaintext = SecureRandom.bytes(count: length)
            let aad = SecureRandom.bytes(count: length % 50)
            let box = try AES.GCM.seal(plaintext, using: key, authenticating: aad)
            aesgcm.append(.init(key: key.rawBytes.hexString, combined: box.combined.hexString, aad: aad.hexString,
                                plaintext: plaintext.hexString))
        }
        var ed25519: [SwiftArtifacts.Signed] = []
        for length in [0, 1, 32, 1023] {
            let key = Curve25519.Signing.PrivateKey()
            let message = SecureRandom.bytes(count: length)
            ed25519.append(.init(
                publicKeyPEM: try key.publicKey.pemRepresentation, privateKeyPEM: try key.pemRepresentation,
                publicKeyRaw: try key.publicKey.rawRepresentation.hexString, message: message.hexString,
                signature: try key.signature(for: message).hexString))
        }
        var hmac: [SwiftArtifacts.MAC] = []
        for keyLength in [0, 1, 32, 64, 65, 131] {
            let key = SymmetricKey(bytes: SecureRandom.bytes(count: keyLength))
            let message = SecureRandom.bytes(count: keyLength * 3 % 200)
            hmac.append(.init(key: key.rawBytes.hexString, message: message.hexString,
                              mac: HMACSHA256.authenticationCode(for: message, using: key).hexString))
        }
        var hkdf: [SwiftArtifacts.Derived] = []
        for (ikmLength, saltLength, infoLength, length) in [(32, 0, 0, 32), (22, 13, 10, 42), (0, 16, 5, 64), (80, 80, 80, 8160), (1, 1, 1, 1)] {
            let ikm = SecureRandom.bytes(count: ikmLength)
            let salt = SecureRandom.bytes(count: saltLength)
            let info = SecureRandom.bytes(count: infoLength)
            let okm = try HKDF.deriveKey(inputKeyMaterial: SymmetricKey(bytes: ikm), salt: salt, info: info, outputByteCount: length)
            hkdf.append(.init(ikm: ikm.hexString, salt: salt.hexString, info: info.hexString, length: length, okm: okm.rawBytes.hexString))
        }
        let salt = SecureRandom.bytes(count: 16)
        let scryptKey = try Scrypt.deriveKey(passphrase: "correct horse battery staple ✓", salt: salt, n: 1 << 12, r: 8, p: 1)
        let scrypt = [SwiftArtifacts.Stretched(passphrase: "correct horse battery staple ✓", salt: salt.hexString, n: 1 << 12, r: 8, p: 1,
                                               length: 32, key: scryptKey.rawBytes.hexString)]
        return SwiftArtifacts(aesgcm: aesgcm, ed25519: ed25519, hmac: hmac, hkdf: hkdf, scrypt: scrypt)
    }

    private func write<T: Encodable>(_ value: T, _ name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: folder.appendingPathComponent(name), options: .atomic)
    }
}

/// `python_artifacts.json`, written by scripts/interop/interop.py. All byte strings are hex.
struct PythonArtifacts: Decodable {
    struct Sealed: Decodable { let key, combined, aad, plaintext: String }
    struct Signed: Decodable { let publicKeyPEM, privateKeyPEM, message, signature: String }
    struct MAC: Decodable { let key, message, mac: String }
    struct Derived: Decodable {
        let ikm, salt, info: String
        let length: Int
        let okm: String
    }
    struct Stretched: Decodable {
        let passphrase, salt: String
        let n, r, p: UInt64
        let length: Int
        let key: String
    }
    let aesgcm: [Sealed]
    let ed25519: [Signed]
    let hmac: [MAC]
    let hkdf: [Derived]
    let scrypt: [Stretched]
}

/// `swift_artifacts.json`, read by scripts/interop/interop.py. All byte strings are hex.
struct SwiftArtifacts: Encodable {
    struct Sealed: Encodable { let key, combined, aad, plaintext: String }
    struct Signed: Encodable { let publicKeyPEM, privateKeyPEM, publicKeyRaw, message, signature: String }
    struct MAC: Encodable { let key, message, mac: String }
    struct Derived: Encodable {
        let ikm, salt, info: String
        let length: Int
        let okm: String
    }
    struct Stretched: Encodable {
        let passphrase, salt: String
        let n, r, p: UInt64
        let length: Int
        let key: String
    }
    let aesgcm: [Sealed]
    let ed25519: [Signed]
    let hmac: [MAC]
    let hkdf: [Derived]
    let scrypt: [Stretched]
}

/// One line of `swift_checks.json`.
struct InteropCheck: Encodable {
    let name: String
    let passed: Bool
}
