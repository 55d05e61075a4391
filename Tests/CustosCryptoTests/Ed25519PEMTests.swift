import CustosCrypto
import XCTest

/// PEM export/import of Ed25519 keys, and keys written by the `openssl` CLI (fixtures under Vectors/,
/// made with `openssl genpkey -algorithm ed25519`; see Vectors/README.md).
final class Ed25519PEMTests: XCTestCase {
    func testPrivateAndPublicPEMRoundTrip() throws {
        let key = Curve25519.Signing.PrivateKey()
        let privatePEM = try key.pemRepresentation
        XCTAssertTrue(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        XCTAssertTrue(privatePEM.hasSuffix("-----END PRIVATE KEY-----\n"))
        let reread = try Curve25519.Signing.PrivateKey(pemRepresentation: privatePEM)
        XCTAssertEqual(reread.rawRepresentation, key.rawRepresentation)

        let publicPEM = try key.publicKey.pemRepresentation
        XCTAssertTrue(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let rereadPublic = try Curve25519.Signing.PublicKey(pemRepresentation: publicPEM)
        XCTAssertEqual(rereadPublic, try key.publicKey)
    }

    func testRFC8032KeyExportsTheDocumentedDEREncoding() throws {
        // RFC 8410 section 10.3 shows the PKCS#8 and SPKI layouts; for the RFC 8032 TEST 1 seed the
        // base64 bodies are the fixed prefixes (302e020100300506032b657004220420 / 302a300506032b6570032100)
        // followed by the raw key.
        let seed = try hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let privateDER = try derBody(try key.pemRepresentation)
        XCTAssertEqual(privateDER, try hex("302e020100300506032b657004220420") + seed)
        let publicDER = try derBody(try key.publicKey.pemRepresentation)
        XCTAssertEqual(publicDER, try hex("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
    }

    func testOpenSSLCLIKeyIsRead() throws {
        let privateKey = try Curve25519.Signing.PrivateKey(pemRepresentation: try VectorFiles.text("openssl_ed25519_private.pem"))
        let publicKey = try Curve25519.Signing.PublicKey(pemRepresentation: try VectorFiles.text("openssl_ed25519_public.pem"))
        let (rawPrivate, rawPublic) = try openSSLTextDump()
        XCTAssertEqual(privateKey.rawRepresentation, rawPrivate)
        XCTAssertEqual(publicKey.rawRepresentation, rawPublic)
        XCTAssertEqual(try privateKey.publicKey, publicKey)
        // The PEMs Custos writes are byte-identical to the ones the CLI wrote.
        XCTAssertEqual(try privateKey.pemRepresentation, try VectorFiles.text("openssl_ed25519_private.pem"))
        XCTAssertEqual(try publicKey.pemRepresentation, try VectorFiles.text("openssl_ed25519_public.pem"))

        // `openssl pkeyutl -sign -rawin` signed the message fixture; Ed25519 is deterministic.
        let message = [UInt8](try VectorFiles.data("openssl_ed25519_message.txt"))
        let cliSignature = try hex(try VectorFiles.text("openssl_ed25519_message.sig.hex")
            .trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(try privateKey.signature(for: message), cliSignature)
        XCTAssertTrue(publicKey.isValidSignature(cliSignature, for: message))
        XCTAssertFalse(publicKey.isValidSignature(cliSignature, for: message + [0x0a]))
    }

    func testNonEd25519AndMalformedPEMsAreRefused() throws {
        let x25519 = try VectorFiles.text("openssl_x25519_private.pem")
        XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(pemRepresentation: x25519)) {
            guard case .invalidKeyEncoding = $0 as? CryptoError else { return XCTFail("\($0)") }
        }
        let publicPEM = try VectorFiles.text("openssl_ed25519_public.pem")
        let privatePEM = try VectorFiles.text("openssl_ed25519_private.pem")
        for bad in ["", "hello", publicPEM, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] {
            XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(pemRepresentation: bad)) {
                guard case .invalidKeyEncoding = $0 as? CryptoError else { return XCTFail("\($0)") }
            }
        }
        for bad in ["", "hello", privatePEM] {
            XCTAssertThrowsError(try Curve25519.Signing.PublicKey(pemRepresentation: bad)) {
                guard case .invalidKeyEncoding = $0 as? CryptoError else { return XCTFail("\($0)") }
            }
        }
    }

    /// An encrypted PKCS#8 key must be refused at once: OpenSSL's default behaviour with no password
    /// callback is to prompt on the terminal, which would hang a server.
    func testEncryptedPEMIsRefusedWithoutPrompting() throws {
        let encrypted = try VectorFiles.text("openssl_ed25519_encrypted.pem")
        XCTAssertThrowsError(try Curve25519.Signing.PrivateKey(pemRepresentation: encrypted)) {
            guard case .invalidKeyEncoding = $0 as? CryptoError else { return XCTFail("\($0)") }
        }
    }

    func testDescriptionsRedactKeys() throws {
        let key = try Curve25519.Signing.PrivateKey(pemRepresentation: try VectorFiles.text("openssl_ed25519_private.pem"))
        XCTAssertEqual("\(key)", "Ed25519 private key (redacted)")
    }

    private func openSSLTextDump() throws -> ([UInt8], [UInt8]) {
        // `openssl pkey -noout -text` prints "priv:" and "pub:" blocks of colon-separated hex.
        var blocks: [String: String] = [:]
        var current: String?
        for line in try VectorFiles.text("openssl_ed25519_private.txt").split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "priv:" || trimmed == "pub:" {
                current = String(trimmed.dropLast())
            } else if let name = current, line.hasPrefix(" ") {
                blocks[name, default: ""] += trimmed.replacingOccurrences(of: ":", with: "")
            }
        }
        return (try hex(try XCTUnwrap(blocks["priv"])), try hex(try XCTUnwrap(blocks["pub"])))
    }

    private func derBody(_ pem: String) throws -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](try XCTUnwrap(Data(base64Encoded: body)))
    }
}
