import CustosCrypto
@testable import CustosGovernance
import Foundation
import XCTest

/// The signature file and the pinned-signer file, byte by byte: what verifies, and every way a
/// file can be wrong, each refused with its reason.
final class PolicySignatureTests: XCTestCase {
    let officer = Curve25519.Signing.PrivateKey()
    let macKey = SymmetricKey()

    func pinned() throws -> PolicySigners { try PolicySigners([.init(id: "dana", publicKey: try officer.publicKey)]) }

    func testASignedSetVerifiesAndTheFileRoundTrips() throws {
        let dir = try scratchPolicies()
        let signature = try PolicySignature.sign(directory: dir, signer: "dana", key: officer, time: Date(timeIntervalSince1970: 1_700_000_000))
        try signature.write(to: dir)
        XCTAssertEqual(try PolicySignature.read(directory: dir), signature)
        XCTAssertEqual(signature.timeMilliseconds, 1_700_000_000_000)
        XCTAssertTrue(signature.text.hasPrefix("custos policy signature v1\nversion \(try PolicyVersion.digest(directory: dir))\nsigner dana\nkey "))
        // The signature file is hidden, so it is not part of the version it signs.
        XCTAssertEqual(signature.version, try PolicyVersion.digest(directory: dir))
        let verified = try PolicyTrust.verify(directory: dir, currentVersion: try PolicySet.load(directory: dir).version, signers: try pinned())
        XCTAssertEqual(verified.signer, "dana")
    }

    func testTheSignatureCoversSignerAndTime() throws {
        let dir = try scratchPolicies()
        let genuine = try PolicySignature.sign(directory: dir, signer: "dana", key: officer)
        let renamed = PolicySignature(version: genuine.version, signer: "erin", publicKey: genuine.publicKey,
                                      timeMilliseconds: genuine.timeMilliseconds, signature: genuine.signature)
        let redated = PolicySignature(version: genuine.version, signer: "dana", publicKey: genuine.publicKey,
                                      timeMilliseconds: genuine.timeMilliseconds + 1, signature: genuine.signature)
        XCTAssertTrue(genuine.isValid)
        XCTAssertFalse(renamed.isValid)
        XCTAssertFalse(redated.isValid)
    }

    func testMalformedSignatureFilesAreRefusedWithTheirReason() throws {
        let dir = try scratchPolicies()
        let good = Array(try PolicySignature.sign(directory: dir, signer: "dana", key: officer).text.utf8)
        let cases: [([UInt8], String)] = [
            (Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8), "CR (Windows) line ends"),
            ([0xEF, 0xBB, 0xBF] + good, "byte-order mark"),
            (Array(good.prefix(40)) + [0] + Array(good.dropFirst(40)), "NUL byte"),
            (Array(good.prefix(40)) + [0xC3, 0x28] + Array(good.dropFirst(40)), "not ASCII"),
            (Array(good.dropLast()), "does not end with a newline"),
            (Array(good.prefix(good.count / 2)) + [0x0A], "expected the line"),
            (Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "signer dana", with: "signer Dana!").utf8), "not a principal id"),
            (Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "time ", with: "time -").utf8), "Unix milliseconds"),
            ([], "does not end with a newline"),
        ]
        for (bytes, reason) in cases {
            XCTAssertThrowsError(try PolicySignature.parse(bytes)) { error in
                guard case let PolicyTrustError.malformedSignature(why) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(why.contains(reason), "\(why) should say \(reason)")
            }
        }
    }

    func testThePinnedSignersFileAuthenticatesAndAnyEditIsRefused() throws {
        let signers = try pinned()
        let text = signers.rendered(macKey: macKey)
        XCTAssertEqual(try PolicySigners.parse(Array(text.utf8), macKey: macKey), signers)
        let attacker = try Curve25519.Signing.PrivateKey().publicKey
        let added = text.replacingOccurrences(of: "mac ", with: "signer mallory \(Data(attacker.rawRepresentation).base64EncodedString())\nmac ")
        let swapped = text.replacingOccurrences(of: Data(try officer.publicKey.rawRepresentation).base64EncodedString(),
                                                with: Data(attacker.rawRepresentation).base64EncodedString())
        for bytes in [Array(added.utf8), Array(swapped.utf8), Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8), Array(text.utf8.dropLast()), []] {
            XCTAssertThrowsError(try PolicySigners.parse(bytes, macKey: macKey)) { XCTAssertEqual($0 as? PolicyTrustError, .signersAltered) }
        }
        XCTAssertThrowsError(try PolicySigners.parse(Array(text.utf8), macKey: SymmetricKey()), "another workspace's key") {
            XCTAssertEqual($0 as? PolicyTrustError, .signersAltered)
        }
    }

    func testAChangedFileAfterSigningNamesBothVersions() throws {
        let dir = try scratchPolicies()
        try PolicySignature.sign(directory: dir, signer: "dana", key: officer).write(to: dir)
        try write("# a comment is a change too\n", to: dir.appendingPathComponent("notices/extra.txt"))
        let current = try PolicyVersion.digest(directory: dir)
        XCTAssertThrowsError(try PolicyTrust.verify(directory: dir, currentVersion: current, signers: try pinned())) { error in
            guard case let PolicyTrustError.changedSinceSigning(_, now, signer) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(now, current)
            XCTAssertEqual(signer, "dana")
        }
    }

    func testSignerIDsAreChecked() {
        XCTAssertTrue(PolicySigners.isValidSignerID("dsr-demo-0001"))
        for bad in ["", "Dana", "-x", "a b", "a\nb", String(repeating: "a", count: 65), "dané"] {
            XCTAssertFalse(PolicySigners.isValidSignerID(bad), bad)
        }
    }
}
