import Foundation

/// Searches every file under a folder for a value in the encodings a careless implementation
/// might leave behind: UTF-8, UTF-16 (both byte orders), hexadecimal (both cases) and base64, the
/// latter also across MIME's 76-column line breaks (how `outbox/` messages and their attachments
/// would carry it). Used by the demo and the encryption-at-rest tests.
public enum PlaintextProbe {
    public struct Finding: Sendable, CustomStringConvertible {
        public let file: String
        public let encoding: String
        public var description: String { "\(file) contains the value (\(encoding))" }
    }

    /// Every encoding of `value` that is searched for.
    public static func encodings(of value: String) -> [(String, [UInt8])] {
        let utf8 = Array(value.utf8)
        var list: [(String, [UInt8])] = [("utf-8", utf8)]
        list.append(("utf-16le", value.utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }))
        list.append(("utf-16be", value.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }))
        let hex = utf8.map { String(format: "%02x", $0) }.joined()
        list.append(("hex", Array(hex.utf8)))
        list.append(("HEX", Array(hex.uppercased().utf8)))
        // Base64 of the value at each of the three alignments, minus the partial edge characters.
        for offset in 0..<3 {
            let padded = [UInt8](repeating: 0, count: offset) + utf8
            let encoded = Array(Data(padded).base64EncodedString().utf8)
            let skip = offset == 0 ? 0 : (offset * 4 + 2) / 3
            let usable = (utf8.count + offset) / 3 * 4
            if usable - skip >= 8 { list.append(("base64", Array(encoded[skip..<usable]))) }
        }
        return list
    }

    /// Files under `directory` that contain any encoding of any of `values`.
    public static func scan(directory: URL, for values: [String]) -> [Finding] {
        let patterns = values.flatMap { encodings(of: $0) }
        var findings: [Finding] = []
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = FileManager.default.contents(atPath: url.path)
            else { continue }
            let bytes = [UInt8](data)
            let file = url.path.replacingOccurrences(of: directory.path + "/", with: "")
            var found = Set<String>()
            for (encoding, pattern) in patterns where contains(bytes, pattern) {
                findings.append(Finding(file: file, encoding: encoding))
                found.insert(encoding)
            }
            // Base64 wrapped into lines (MIME bodies and attachments): search again with line breaks removed.
            if bytes.contains(0x0A) {
                let unwrapped = bytes.filter { $0 != 0x0A && $0 != 0x0D }
                for (encoding, pattern) in patterns where encoding == "base64" && !found.contains(encoding) && contains(unwrapped, pattern) {
                    findings.append(Finding(file: file, encoding: "base64 in wrapped lines"))
                    found.insert(encoding)
                }
            }
        }
        return findings
    }

    /// Byte-string search: memchr for the first byte, memcmp for the rest.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                guard let hBase = h.baseAddress, let nBase = n.baseAddress else { return false }
                let first = Int32(needle[0])
                var offset = 0
                let last = h.count - n.count
                while offset <= last {
                    guard let hit = memchr(hBase + offset, first, last - offset + 1) else { return false }
                    let position = hBase.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, nBase, n.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }
}
