import Foundation
import XCTest

/// Reads committed fixtures (see Fixtures/SOURCES.md) and the optional large data sets in ../shared/data.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if let url = Bundle.module.url(forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil, subdirectory: "Fixtures") {
            return url
        }
        // Names with several dots (groceries_itemsets_0.01.txt).
        let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        let url = dir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("fixture \(name) missing")
        }
        return url
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    /// Non-empty, non-comment lines.
    static func lines(_ name: String) throws -> [Substring] {
        try text(name).split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Whitespace-separated integer lines (FIMI .dat / one sequence a line).
    static func integerLines(_ text: String) -> [[Int32]] {
        text.split(separator: "\n").map { line in line.split(separator: " ").map { Int32($0)! } }
    }

    /// A large shared data set (../shared/data/NAME relative to the package root), if present.
    static func sharedData(_ name: String) -> String? {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        let url = dir.deletingLastPathComponent().appendingPathComponent("shared/data/\(name)")
        return try? String(contentsOf: url, encoding: .utf8)
    }
}
