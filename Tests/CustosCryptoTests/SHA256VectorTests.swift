import CustosCrypto
import XCTest

/// SHA-256: the FIPS 180-2 examples and the NIST CAVP byte-oriented response files.
final class SHA256VectorTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let message: String
        let repeatCount: Int

        enum CodingKeys: String, CodingKey { case name, message, repeatCount = "repeat", digest }
        let digest: String
    }

    struct File: Decodable {
        let source: String
        let cases: [Case]
    }

    func testFIPS180Examples() throws {
        let file = try VectorFiles.json(File.self, "fips180_sha256_examples.json")
        XCTAssertEqual(file.cases.count, 4)
        for vector in file.cases {
            let unit = try hex(vector.message)
            let expected = try hex(vector.digest)
            if vector.repeatCount == 1 {
                XCTAssertEqual(SHA256.hash(unit), expected, vector.name)
                var streaming = SHA256()
                for byte in unit { streaming.update([byte]) }
                let digest = streaming.finalize()
                XCTAssertEqual(digest, expected, vector.name + " (byte at a time)")
            } else {
                // One million 'a' fed in uneven chunks through the streaming interface.
                var streaming = SHA256()
                var remaining = vector.repeatCount
                let chunkSizes = [1, 7, 64, 1000, 4093]
                var turn = 0
                while remaining > 0 {
                    let size = min(chunkSizes[turn % chunkSizes.count], remaining)
                    let chunk = [UInt8]((0..<size).map { _ in unit[0] })
                    chunk.withUnsafeBytes { streaming.update($0) }
                    remaining -= size
                    turn += 1
                }
                let digest = streaming.finalize()
                XCTAssertEqual(digest, expected, vector.name)
                XCTAssertEqual(SHA256.hash([UInt8](repeating: unit[0], count: vector.repeatCount)), expected)
            }
        }
        XCTAssertEqual(SHA256.hash("abc").hexString, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var text = SHA256()
        text.update("ab")
        text.update("c")
        let textDigest = text.finalize()
        XCTAssertEqual(textDigest.hexString, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        print("SHA-256 FIPS 180-2 examples checked: \(file.cases.count)")
    }

    func testCAVPShortAndLongMessages() throws {
        var checked = 0
        for name in ["SHA256ShortMsg.rsp", "SHA256LongMsg.rsp"] {
            let records = try VectorFiles.cavpRecords(name, firstKey: "Len")
            XCTAssertGreaterThan(records.count, 60)
            for record in records {
                let bitLength = try XCTUnwrap(Int(try XCTUnwrap(record["Len"])))
                // A zero-length message is written as "Msg = 00".
                let message = bitLength == 0 ? [] : try field(record, "Msg")
                XCTAssertEqual(message.count * 8, bitLength)
                XCTAssertEqual(SHA256.hash(message), try field(record, "MD"), "\(name) Len=\(bitLength)")
                checked += 1
            }
        }
        print("SHA-256 CAVP short/long message cases checked: \(checked)")
        XCTAssertEqual(checked, 129)
    }

    /// SHAVS Monte Carlo: MD_i = SHA-256(MD_{i-3} || MD_{i-2} || MD_{i-1}), 1000 rounds per checkpoint.
    func testCAVPMonteCarlo() throws {
        let seed = try hex(try XCTUnwrap(VectorFiles.cavpPreamble("SHA256Monte.rsp", firstKey: "COUNT")["Seed"]))
        let records = try VectorFiles.cavpRecords("SHA256Monte.rsp", firstKey: "COUNT")
        XCTAssertEqual(records.count, 100)
        var current = seed
        for record in records {
            var window = [current, current, current]
            for _ in 0..<1000 {
                let next = SHA256.hash(window[0] + window[1] + window[2])
                window = [window[1], window[2], next]
            }
            current = window[2]
            XCTAssertEqual(current, try field(record, "MD"), "Monte Carlo COUNT \(record["COUNT"] ?? "?")")
        }
        print("SHA-256 CAVP Monte Carlo checkpoints checked: \(records.count)")
    }
}
