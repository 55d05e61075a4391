import CustosCrypto
import XCTest

/// SecureRandom, BufferedSecureRandom, constantTimeEquals, hex helpers and key redaction.
final class RandomAndComparisonTests: XCTestCase {
    /// 10,000 64-bit draws from one buffered stream (crossing many 4 KiB refills) are all distinct.
    /// For a true random source the chance of any collision is about n^2 / 2^65 = 2.7e-12.
    func testBufferedSecureRandomGivesDistinctOutputs() {
        let stream = BufferedSecureRandom()
        var seen = Set<UInt64>()
        for _ in 0..<10_000 { seen.insert(stream.next()) }
        XCTAssertEqual(seen.count, 10_000)

        // Two streams do not repeat each other (false-failure chance 2^-64 per pair).
        let other = BufferedSecureRandom()
        XCTAssertNotEqual(BufferedSecureRandom().next(), other.next())
    }

    /// Bytes handed out by fill() are not handed out again, across block boundaries and odd sizes.
    func testBufferedFillAcrossBlockBoundaries() {
        let stream = BufferedSecureRandom(blockSize: 64)
        var chunks: [[UInt8]] = []
        for size in [1, 63, 64, 65, 200, 7] {
            var chunk = [UInt8](repeating: 0, count: size)
            chunk.withUnsafeMutableBytes { stream.fill($0) }
            chunks.append(chunk)
        }
        // Every chunk of 16+ bytes is non-zero and unique (false-failure chance below 2^-100).
        let large = chunks.filter { $0.count >= 16 }
        XCTAssertEqual(Set(large.map(\.hexString)).count, large.count)
        XCTAssertTrue(large.allSatisfy { $0.contains { $0 != 0 } })
        // Bit balance over all 400 bytes: 3200 bits, expect 1600 ones, sigma ~28; allow 6 sigma
        // (false-failure rate about 2e-9).
        let ones = chunks.joined().reduce(0) { $0 + $1.nonzeroBitCount }
        XCTAssertLessThan(abs(ones - 1600), 170)
    }

    func testSecureRandomDistinctAndSized() {
        XCTAssertEqual(SecureRandom.bytes(count: 0), [])
        XCTAssertEqual(SecureRandom.bytes(count: 33).count, 33)
        XCTAssertNotEqual(SecureRandom.bytes(count: 32), SecureRandom.bytes(count: 32))
        XCTAssertNotEqual(SecureRandom.uint64(), SecureRandom.uint64())
        XCTAssertNotEqual(SymmetricKey().rawBytes, SymmetricKey().rawBytes)
        XCTAssertEqual(SymmetricKey().byteCount, 32)
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(constantTimeEquals([], []))
        XCTAssertTrue(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(constantTimeEquals([0, 2, 3], [1, 2, 3]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertFalse(constantTimeEquals([], [0]))
        let long = SecureRandom.bytes(count: 1000)
        for index in [0, 499, 999] {
            var other = long
            other[index] ^= 0x01
            XCTAssertFalse(constantTimeEquals(long, other))
        }
        XCTAssertTrue(constantTimeEquals(long, Array(long)))
    }

    func testHexHelpers() {
        XCTAssertEqual([0x00, 0x0f, 0xab, 0xff].hexString, "000fabff")
        XCTAssertEqual([UInt8](hexString: "000FabFF"), [0x00, 0x0f, 0xab, 0xff])
        XCTAssertEqual([UInt8](hexString: ""), [])
        XCTAssertNil([UInt8](hexString: "abc"))
        XCTAssertNil([UInt8](hexString: "zz"))
        XCTAssertNil([UInt8](hexString: "0x00"))
    }

    func testKeyDescriptionIsRedacted() {
        let key = SymmetricKey(bytes: [UInt8](repeating: 0xAB, count: 32))
        XCTAssertEqual("\(key)", "SymmetricKey(256 bits, redacted)")
        XCTAssertFalse("\(key)".contains("ab"))
    }
}
