import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// The signed-note reference example from golang.org/x/mod/sumdb/note (note_test.go): the
/// PeterNeumann key pair, its key ID c74f20a3 and the published signature. Ed25519 is deterministic,
/// so our signer must reproduce the signature line byte for byte.
final class SignedNoteTests: XCTestCase {
    static let verifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let privateKeyBlob = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  // 0x01 || 32-byte seed
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let signatureLine = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    func testGoReferenceNoteIsReproducedAndVerified() throws {
        let blob = [UInt8](Data(base64Encoded: Self.privateKeyBlob)!)
        XCTAssertEqual(blob.first, 0x01)
        let signer = try NoteSigner(name: "PeterNeumann",
                                    privateKey: Curve25519.Signing.PrivateKey(rawRepresentation: Array(blob.dropFirst())))
        XCTAssertEqual(signer.verifierKey.keyIDHex, "c74f20a3")
        XCTAssertEqual(signer.verifierKey.verifierKeyText, Self.verifierKey)
        XCTAssertEqual(try signer.sign(Self.text), Self.text + "\n" + Self.signatureLine)

        let key = try NoteVerifierKey(verifierKey: Self.verifierKey)
        let note = try SignedNote(parsing: Array((Self.text + "\n" + Self.signatureLine).utf8), file: "note")
        XCTAssertEqual(note.text, Self.text)
        XCTAssertTrue(note.verify(key))
        let altered = try SignedNote(
            parsing: Array((Self.text.replacingOccurrences(of: "cryptography", with: "cryptographY") + "\n"
                + Self.signatureLine).utf8), file: "note")
        XCTAssertFalse(altered.verify(key))
        // Unknown signers are ignored; a note with only unknown signatures does not verify.
        let other = try NoteVerifierKey(name: "Someone", publicKey: key.publicKey)
        XCTAssertFalse(note.verify(other))
    }

    func testCheckpointFormatAndSignature() throws {
        let signer = try NoteSigner(name: "example.com/custos", privateKey: TestSupport.signingKey())
        let root = MerkleHash(hex: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")!
        let checkpoint = try Checkpoint(size: 8, rootHash: root, timeMilliseconds: 1_740_787_200_000, signer: signer)
        XCTAssertEqual(checkpoint.body, "example.com/custos\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2025-03-01T00:00:00.000Z\n")
        XCTAssertTrue(checkpoint.signedNote.hasPrefix(checkpoint.body + "\n— example.com/custos "))
        let parsed = try Checkpoint(parsing: Array(checkpoint.signedNote.utf8), file: "c", verifier: signer.verifierKey)
        XCTAssertEqual(parsed, checkpoint)
        var tampered = Array(checkpoint.signedNote.utf8)
        tampered[19] = UInt8(ascii: "9")  // the size line: 8 becomes 9
        XCTAssertThrowsError(try Checkpoint(parsing: tampered, file: "c", verifier: signer.verifierKey))
        XCTAssertThrowsError(try NoteSigner(name: "has space", privateKey: TestSupport.signingKey()))
        XCTAssertThrowsError(try NoteSigner(name: "a+b", privateKey: TestSupport.signingKey()))
    }
}
