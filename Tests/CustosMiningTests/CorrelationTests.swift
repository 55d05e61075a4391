import XCTest
@testable import CustosMining

final class CorrelationTests: XCTestCase {
    func testCdnowMeasuresMatchNumpy() throws {
        var points: [Double] = []
        for line in try Fixture.lines("cdnow_lifetimes_summary.csv").dropFirst() {
            points.append(contentsOf: line.split(separator: ",").dropFirst().map { Double($0)! })
        }
        let matrix = try CorrelationMatrix(points: points, rows: points.count / 4, cols: 4)
        let reference = try Fixture.json("cdnow_correlation.json")["matrix"] as! [[Double]]
        for i in 0..<4 { for j in 0..<4 { XCTAssertEqual(matrix[i, j], reference[i][j], accuracy: 1e-12) } }
    }

    func testHandComputedAndMerged() throws {
        // x = 1,2,3,4; y = 2x (r = 1); z = 4,3,2,1 (r = -1); w = 1,0,0,1 (r with x = 0).
        let rows: [[Double]] = [[1, 2, 4, 1], [2, 4, 3, 0], [3, 6, 2, 0], [4, 8, 1, 1]]
        let m = try CorrelationMatrix(points: rows.flatMap { $0 }, rows: 4, cols: 4)
        XCTAssertEqual(m[0, 1], 1, accuracy: 1e-15)
        XCTAssertEqual(m[0, 2], -1, accuracy: 1e-15)
        XCTAssertEqual(m[0, 3], 0, accuracy: 1e-15)
        XCTAssertEqual(m[2, 2], 1)
        // Two shards with a common public shift merge to the same matrix.
        var a = try CorrelationStatistics(columns: 4, shift: [2, 5, 2, 0.5])
        try a.add(points: rows[0..<2].flatMap { $0 }, rows: 2)
        var b = try CorrelationStatistics(columns: 4, shift: [2, 5, 2, 0.5])
        try b.add(points: rows[2...].flatMap { $0 }, rows: 2)
        try a.merge(b)
        XCTAssertEqual(a.count, 4)
        let merged = CorrelationMatrix(statistics: a)
        for (x, y) in zip(merged.values, m.values) { XCTAssertEqual(x, y, accuracy: 1e-14) }
        XCTAssertThrowsError(try a.merge(CorrelationStatistics(columns: 4)))
        // A constant column has no correlation (NaN), as numpy.
        let constant = try CorrelationMatrix(points: [1, 5, 2, 5, 3, 5], rows: 3, cols: 2)
        XCTAssertTrue(constant[0, 1].isNaN)
    }
}
