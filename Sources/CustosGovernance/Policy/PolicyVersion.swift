import CustosCrypto
import Foundation

/// The version of a policy set: a SHA-256 digest over its files, so any change to a dataset
/// schema, role, principal, purpose, notice or rule yields a new version, and every decision names
/// the exact policy it was made under.
///
/// The digest is that of a `sha256sum`-style manifest: one line `HEX  PATH\n` per file, where HEX
/// is the SHA-256 of the file's bytes and PATH its path relative to the policies directory with
/// `/` separators, lines sorted by PATH (byte order). Files counted: every regular, non-hidden
/// file except `README.md` at the top and anything under `tests/`. An auditor can recompute it:
///
/// ```sh
/// cd policies && find . -type f ! -path './tests/*' ! -path './README.md' ! -name '.*' \
///   | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum
/// ```
public enum PolicyVersion {
    /// The manifest text the version is the digest of.
    public static func manifest(directory: URL) throws -> String {
        var lines: [(String, String)] = []
        for path in try files(in: directory) {
            let data = try Data(contentsOf: directory.appendingPathComponent(path))
            lines.append((path, SHA256.hash([UInt8](data)).hexString))
        }
        lines.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        return lines.map { "\($0.1)  \($0.0)\n" }.joined()
    }

    /// Lower-case hex SHA-256 of the manifest.
    public static func digest(directory: URL) throws -> String {
        SHA256.hash(Array(try manifest(directory: directory).utf8)).hexString
    }

    /// Relative paths of the files that make up the policy set.
    static func files(in directory: URL) throws -> [String] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var paths: [String] = []
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let resolved = url.standardizedFileURL.resolvingSymlinksInPath()
            guard (try resolved.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            guard resolved.path.hasPrefix(rootPath) else { continue }
            let relative = String(resolved.path.dropFirst(rootPath.count))
            if relative == "README.md" || relative.hasPrefix("tests/") { continue }
            paths.append(relative)
        }
        return paths
    }
}
