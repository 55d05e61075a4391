import CustosBase
import CustosAudit
import CustosCrypto
import Foundation
import XCTest

/// Every kind of tampering is detected by `AuditVerifier` with a location.
final class TamperTests: XCTestCase {
    private var original: URL!
    private let count = 40

    override func setUpWithError() throws {
        original = try TestSupport.temporaryDirectory(self, "original")
        // Checkpoints every 10 entries; ~4 kB segments so the log spans several segment files.
        try TestSupport.writeLog(original, count: count, every: 10, segmentBytes: 4000)
        XCTAssertTrue(try TestSupport.verify(original).isValid)
    }

    private func copy() throws -> URL {
        let target = try TestSupport.temporaryDirectory(self, "copy")
        try FileManager.default.copyItem(at: original, to: target)
        return target
    }

    /// Segment files and their lines (newline excluded).
    private func segments(_ dir: URL) throws -> [(URL, [[UInt8]])] {
        var out = [(URL, [[UInt8]])]()
        var n = 1
        while FileManager.default.fileExists(atPath: TestSupport.segmentURL(dir, n).path) {
            let url = TestSupport.segmentURL(dir, n)
            let data = [UInt8](try Data(contentsOf: url))
            out.append((url, data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init)))
            n += 1
        }
        return out
    }

    private func write(_ url: URL, _ lines: [[UInt8]]) throws {
        try Data(lines.flatMap { $0 + [0x0A] }).write(to: url)
    }

    private func failures(_ dir: URL) throws -> String {
        let result = try TestSupport.verify(dir)
        XCTAssertFalse(result.isValid, "tampering went undetected")
        XCTAssertFalse(result.problems.isEmpty)
        return result.problems.map(\.description).joined(separator: "\n")
    }

    func testEditingAnyByteOfAnEntryIsDetectedAndLocated() throws {
        let layout = try segments(original)
        XCTAssertGreaterThanOrEqual(layout.count, 3)
        // Global entry index of each segment's first line.
        var firstIndex = [Int]()
        var running = 0
        for (_, lines) in layout {
            firstIndex.append(running)
            running += lines.count
        }
        XCTAssertEqual(running, count)
        var rng = SplitMix64(seed: 7)
        var probes = 0
        for (s, (url, lines)) in layout.enumerated() {
            for (l, line) in lines.enumerated() where l % 2 == 0 || l == lines.count - 1 {
                // First byte, last byte, and a few random positions inside the line.
                var positions = [0, line.count - 1]
                for _ in 0..<2 { positions.append(rng.next(line.count)) }
                for p in positions {
                    let dir = try copy()
                    var edited = lines
                    edited[l][p] = edited[l][p] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
                    try write(TestSupport.segmentURL(dir, s + 1), edited)
                    let index = firstIndex[s] + l
                    let text = try failures(dir)
                    let a = index / 10 * 10
                    let b = min(a + 10, count)
                    let named = text.contains("(entry \(index))") || text.contains("entries \(a)…\(b - 1)")
                    XCTAssertTrue(named, "entry \(index) byte \(p): location not named in\n\(text)")
                    XCTAssertTrue(text.contains("segments/" + url.lastPathComponent), text)
                    probes += 1
                }
            }
        }
        XCTAssertGreaterThan(probes, 60)
    }

    func testDeletingAnEntryIsDetected() throws {
        let dir = try copy()
        var layout = try segments(dir)
        layout[1].1.remove(at: 2)
        try write(layout[1].0, layout[1].1)
        let text = try failures(dir)
        XCTAssertTrue(text.contains("do not reproduce its signed root"), text)
        XCTAssertTrue(text.contains("segments/00000002.jsonl"), text)
    }

    func testInsertingAnEntryIsDetected() throws {
        let dir = try copy()
        var layout = try segments(dir)
        let forged = try TestSupport.entry(999).canonicalLine()
        layout[0].1.insert(forged, at: 3)
        try write(layout[0].0, layout[0].1)
        let text = try failures(dir)
        XCTAssertTrue(text.contains("checkpoints/00000000000000000010.checkpoint"), text)
        XCTAssertTrue(text.contains("entries 0…9"), text)
    }

    func testReorderingEntriesIsDetected() throws {
        let dir = try copy()
        var layout = try segments(dir)
        layout[0].1.swapAt(4, 5)
        try write(layout[0].0, layout[0].1)
        let text = try failures(dir)
        XCTAssertTrue(text.contains("entries 0…9"), text)
    }

    func testTruncatingTheLogIsDetected() throws {
        let dir = try copy()
        var layout = try segments(dir)
        let last = layout.count - 1
        layout[last].1.removeLast(3)
        try write(layout[last].0, layout[last].1)
        let text = try failures(dir)
        XCTAssertTrue(text.contains("checkpoints/00000000000000000040.checkpoint"), text)
        XCTAssertTrue(text.contains("covers 40 entries but the log holds only 37"), text)
        // The writer refuses to open it instead of silently continuing.
        XCTAssertThrowsError(try TestSupport.open(dir)) { error in
            guard case .checkpointAheadOfLog(_, 40, 37) = error as? AuditError else {
                return XCTFail("unexpected error \(error)")
            }
        }
    }

    func testRemovingASegmentIsDetected() throws {
        let dir = try copy()
        try FileManager.default.removeItem(at: TestSupport.segmentURL(dir, 2))
        let text = try failures(dir)
        XCTAssertTrue(text.contains("segments/00000002.jsonl"), text)
    }

    func testReplacingACheckpointSignatureIsDetected() throws {
        let dir = try copy()
        let url = dir.appendingPathComponent("checkpoints/00000000000000000020.checkpoint")
        let note = try String(contentsOf: url, encoding: .utf8)
        // Re-sign the same body with another key under the same name: the key ID and signature differ.
        let body = String(note[..<note.range(of: "\n\n")!.upperBound].dropLast())
        let forger = try NoteSigner(name: TestSupport.origin, privateKey: Curve25519.Signing.PrivateKey())
        try forger.sign(body).write(to: url, atomically: true, encoding: .utf8)
        var text = try failures(dir)
        XCTAssertTrue(text.contains("checkpoints/00000000000000000020.checkpoint"), text)
        XCTAssertTrue(text.contains("no signature by the audit key"), text)

        // Flip one character of the original signature instead.
        let sigStart = note.range(of: "— ")!.upperBound
        var chars = Array(note)
        let i = note.distance(from: note.startIndex, to: sigStart) + TestSupport.origin.count + 10
        chars[i] = chars[i] == "A" ? "B" : "A"
        try String(chars).write(to: url, atomically: true, encoding: .utf8)
        text = try failures(dir)
        XCTAssertTrue(text.contains("checkpoints/00000000000000000020.checkpoint"), text)
    }

    func testEditingACheckpointBodyIsDetected() throws {
        let dir = try copy()
        let url = dir.appendingPathComponent("checkpoints/00000000000000000030.checkpoint")
        var note = try String(contentsOf: url, encoding: .utf8)
        note = note.replacingOccurrences(of: "\n30\n", with: "\n31\n")
        try note.write(to: url, atomically: true, encoding: .utf8)
        let text = try failures(dir)
        XCTAssertTrue(text.contains("checkpoints/00000000000000000030.checkpoint"), text)
        XCTAssertTrue(text.contains("signature does not verify"), text)
    }

    func testDeletingAllCheckpointsIsDetected() throws {
        let dir = try copy()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("checkpoints"))
        let text = try failures(dir)
        XCTAssertTrue(text.contains("no checkpoint with a valid signature"), text)
    }

    func testRollbackIsDetectedAgainstAnExternallyKeptCheckpoint() throws {
        let kept = try Data(contentsOf: original.appendingPathComponent("checkpoints/00000000000000000040.checkpoint"))
        let dir = try copy()
        // Roll the whole log back to 30 entries, checkpoints included.
        var layout = try segments(dir)
        var remove = 10
        while remove > 0, let last = layout.indices.last {
            let take = min(remove, layout[last].1.count)
            layout[last].1.removeLast(take)
            remove -= take
            if layout[last].1.isEmpty {
                try FileManager.default.removeItem(at: layout[last].0)
                layout.removeLast()
            } else {
                try write(layout[last].0, layout[last].1)
            }
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("checkpoints/00000000000000000040.checkpoint"))
        XCTAssertTrue(try TestSupport.verify(dir).isValid, "a consistent rollback cannot be seen from inside")
        let result = try AuditVerifier.verify(directory: dir, publicKey: TestSupport.publicKey(),
                                              externalCheckpoints: [[UInt8](kept)])
        XCTAssertFalse(result.isValid)
        XCTAssertTrue(result.summary.contains("rolled back"), result.summary)
    }
}
