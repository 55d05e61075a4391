import CustosCrypto
import Foundation
import XCTest

/// Reads the known-answer files committed under `Tests/CustosCryptoTests/Vectors` (see the README there).
enum VectorFiles {
    /// The bundled `Vectors` folder.
    static func url(_ name: String) throws -> URL {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Vectors", withExtension: nil), "Vectors folder not bundled")
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw VectorFileError.missing(name)
        }
        return file
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    static func json<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name))
    }

    /// Parses a NIST CAVP `.rsp` file into records. A record starts at a line whose key is
    /// `firstKey` (for example `Count`), holds every `Key = value` line after it, and marks a bare
    /// `FAIL` line as the key `FAIL`. Section headers (`[Keylen = 256]`) are copied into each record.
    static func cavpRecords(_ name: String, firstKey: String) throws -> [[String: String]] {
        var records: [[String: String]] = []
        var section: [String: String] = [:]
        var sectionOpen = false
        for rawLine in try text(name).split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                if !sectionOpen { section = [:]; sectionOpen = true }
                let inner = line.dropFirst().dropLast()
                let parts = inner.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2 { section["[\(parts[0])]"] = parts[1] }
                continue
            }
            sectionOpen = false
            if line == "FAIL" {
                if !records.isEmpty { records[records.count - 1]["FAIL"] = "" }
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw VectorFileError.unparsable(name, line) }
            if parts[0] == firstKey { records.append(section) }
            guard !records.isEmpty else { continue }  // file-level lines before the first record (e.g. Seed)
            records[records.count - 1][parts[0]] = parts[1]
        }
        return records
    }

    /// The file-level `Key = value` lines that come before the first record (for example the Monte Carlo `Seed`).
    static func cavpPreamble(_ name: String, firstKey: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in try text(name).split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("[") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == firstKey { break }
            values[parts[0]] = parts[1]
        }
        return values
    }
}

enum VectorFileError: Error, CustomStringConvertible {
    case missing(String)
    case unparsable(String, String)
    case badHex(String)

    var description: String {
        switch self {
        case let .missing(name): return "vector file \(name) is not in the test bundle"
        case let .unparsable(name, line): return "could not parse line in \(name): \(line)"
        case let .badHex(field): return "field \(field) is not hexadecimal"
        }
    }
}

/// Hex text to bytes; fails the test (throws) rather than trapping on bad input.
func hex(_ text: String, field: String = "value") throws -> [UInt8] {
    guard let bytes = [UInt8](hexString: text) else { throw VectorFileError.badHex(field) }
    return bytes
}

/// A field of a CAVP record as bytes.
func field(_ record: [String: String], _ key: String) throws -> [UInt8] {
    let value = try XCTUnwrap(record[key], "record lacks \(key)")
    return try hex(value, field: key)
}
