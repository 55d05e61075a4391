import CustosBase
import XCTest
@testable import CustosMining

final class PrefixSpanTests: XCTestCase {
    private func reference(_ name: String) throws -> [[Int32]: Int] {
        var result: [[Int32]: Int] = [:]
        for line in try Fixture.lines(name) {
            let parts = line.split(separator: "\t")
            result[parts[1].split(separator: " ").map { Int32($0)! }] = Int(parts[0])!
        }
        return result
    }

    private func flatten(_ patterns: [SequentialPattern]) -> [[Int32]: Int] {
        var result: [[Int32]: Int] = [:]
        for p in patterns {
            XCTAssertTrue(p.elements.allSatisfy { $0.count == 1 })
            let key = p.elements.map { $0[0] }
            XCTAssertNil(result[key], "pattern \(key) reported twice")
            result[key] = p.count
        }
        return result
    }

    private func kosarak() throws -> SequenceDatabase {
        let text = try Fixture.text("kosarak10k.txt")
        let sequences = Fixture.integerLines(text)
        XCTAssertEqual(sequences.count, 10_000)
        return try SequenceDatabase(itemSequences: sequences)
    }

    func testKosarakMatchesPrefixspanPackage() throws {
        let db = try kosarak()
        for minCount in [500, 200, 50] {
            let expected = try reference("kosarak_prefixspan_\(minCount).txt")
            for threads in [1, 2] {
                let got = flatten(try PrefixSpan.mine(sequences: db, minCount: minCount, threads: threads))
                XCTAssertEqual(got.count, expected.count, "pattern count at \(minCount)")
                XCTAssertEqual(got, expected, "patterns and counts at \(minCount)")
            }
        }
        let expected = try reference("kosarak_prefixspan_100_maxlen2.txt")
        XCTAssertEqual(flatten(try PrefixSpan.mine(sequences: db, minCount: 100, maxLength: 2)), expected)
    }

    /// Brute force: does `sequence` contain `pattern` (itemsets) with consecutive elements at most `gap` apart?
    private func contains(_ sequence: [[Int32]], _ pattern: [[Int32]], gap: Int?) -> Bool {
        func search(_ j: Int, after: Int) -> Bool {
            if j == pattern.count { return true }
            let lo = after + 1
            let hi = (j == 0 || gap == nil) ? sequence.count - 1 : min(sequence.count - 1, after + gap!)
            if lo > hi { return false }
            for q in lo...hi where Set(pattern[j]).isSubset(of: Set(sequence[q])) {
                if search(j + 1, after: q) { return true }
            }
            return false
        }
        return search(0, after: -1)
    }

    func testItemsetSequencesWithGapAgainstBruteForce() throws {
        // Small random database of itemset sequences; every reported pattern's count is checked by brute
        // force, and every brute-force frequent pattern up to length 3 must be reported.
        var generator = SplitMix64(seed: 11)
        var sequences: [[[Int32]]] = []
        for _ in 0..<60 {
            let length = Int.random(in: 1...7, using: &generator)
            sequences.append((0..<length).map { _ in
                let size = Int.random(in: 1...3, using: &generator)
                return Array(Set((0..<size).map { _ in Int32.random(in: 0..<5, using: &generator) })).sorted()
            })
        }
        let db = try SequenceDatabase(sequences: sequences)
        XCTAssertTrue(db.hasMultiItemElements)
        for gap in [nil, 1, 2] as [Int?] {
            let mined = try PrefixSpan.mine(sequences: db, minCount: 8, maxLength: 3, maxGap: gap)
            var found = Set<[[Int32]]>()
            for p in mined {
                XCTAssertTrue(found.insert(p.elements).inserted, "duplicate \(p.elements)")
                let count = sequences.filter { contains($0, p.elements, gap: gap) }.count
                XCTAssertEqual(p.count, count, "count of \(p.elements) with gap \(String(describing: gap))")
                XCTAssertGreaterThanOrEqual(p.count, 8)
            }
            // Enumerate all candidate patterns of length <= 3 over items 0..<5.
            var candidates: [[[Int32]]] = []
            let singles: [[Int32]] = (0..<5).map { [Int32($0)] }
            let pairs: [[Int32]] = (0..<5).flatMap { a in ((a + 1)..<5).map { [Int32(a), Int32($0)] } }
            let triples: [[Int32]] = (0..<5).flatMap { a in ((a + 1)..<5).flatMap { b in ((b + 1)..<5).map { [Int32(a), Int32(b), Int32($0)] } } }
            for e in singles + pairs + triples { candidates.append([e]) }
            for a in singles + pairs { for b in singles + pairs where a.count + b.count <= 3 { candidates.append([a, b]) } }
            for a in singles { for b in singles { for c in singles { candidates.append([a, b, c]) } } }
            let frequent = Set(candidates.filter { c in sequences.filter { contains($0, c, gap: gap) }.count >= 8 })
            XCTAssertEqual(found, frequent, "pattern set with gap \(String(describing: gap))")
        }
    }

    func testHandComputedExample() throws {
        // Sequences: <a b c>, <a c>, <b a c>, <c a>  (a=1, b=2, c=3)
        let db = try SequenceDatabase(itemSequences: [[1, 2, 3], [1, 3], [2, 1, 3], [3, 1]])
        let got = flatten(try PrefixSpan.mine(sequences: db, minCount: 2))
        XCTAssertEqual(got, [[1]: 4, [2]: 2, [3]: 4, [1, 3]: 3, [2, 3]: 2])
        // With maxGap 1 (consecutive only): <b c> holds only in <a b c>; <a c> in <a c> and <b a c>.
        let consecutive = flatten(try PrefixSpan.mine(sequences: db, minCount: 2, maxGap: 1))
        XCTAssertEqual(consecutive, [[1]: 4, [2]: 2, [3]: 4, [1, 3]: 2])
        XCTAssertThrowsError(try PrefixSpan.mine(sequences: db, minCount: 0))
        XCTAssertThrowsError(try PrefixSpan.mine(sequences: db, minCount: 1, maxGap: 0))
    }
}
