import CustosCrypto
import XCTest

/// The bulk context skips key set-up when the same key is used again; results must not change.
final class ContextKeyReuseTests: XCTestCase {
    func testSameKeyManyNoncesInterleavedWithOtherKeysAndFailures() throws {
        let context = AESGCMContext()
        let kek = SymmetricKey()
        let other = SymmetricKey()
        for i in 0..<200 {
            let key = i % 7 == 3 ? other : kek
            let message = Array("message \(i)".utf8)
            let aad = Array("aad \(i % 5)".utf8)
            let nonce = try AES.GCM.Nonce()
            var ct = [UInt8](repeating: 0, count: message.count), tag = [UInt8](repeating: 0, count: 16)
            try message.withUnsafeBytes { m in try nonce.bytes.withUnsafeBytes { n in try aad.withUnsafeBytes { a in
                try ct.withUnsafeMutableBytes { c in try tag.withUnsafeMutableBytes { t in
                    try context.seal(m, key: key, nonce: n, aad: a, ciphertext: c, tag: t)
                } }
            } } }
            let reference = try AES.GCM.seal(message, using: key, nonce: nonce, authenticating: aad)
            XCTAssertEqual(ct, reference.ciphertext)
            XCTAssertEqual(tag, reference.tag)
            // Open with the same context, once tampered (must fail) and once intact (must succeed).
            var out = [UInt8](repeating: 0, count: message.count)
            var bad = tag
            bad[0] ^= 1
            XCTAssertThrowsError(try ct.withUnsafeBytes { c in try nonce.bytes.withUnsafeBytes { n in try aad.withUnsafeBytes { a in
                try bad.withUnsafeBytes { t in try out.withUnsafeMutableBytes { o in
                    try context.open(c, key: key, nonce: n, aad: a, tag: t, plaintext: o)
                } }
            } } })
            try ct.withUnsafeBytes { c in try nonce.bytes.withUnsafeBytes { n in try aad.withUnsafeBytes { a in
                try tag.withUnsafeBytes { t in try out.withUnsafeMutableBytes { o in
                    try context.open(c, key: key, nonce: n, aad: a, tag: t, plaintext: o)
                } }
            } } }
            XCTAssertEqual(out, message)
        }
    }
}
