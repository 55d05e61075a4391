import Foundation

extension KeyHierarchy {
    /// Writes an owner-only (0600) file in `keys/`, atomically: key material kept beside the key
    /// hierarchy, such as the pinned policy signers.
    public func writeKeyFile(named name: String, _ bytes: [UInt8]) throws {
        try KeyFiles.write(bytes, to: directory.appendingPathComponent(name))
    }

    /// Reads a file written by `writeKeyFile`, refusing it when group or others can read or write
    /// it; nil when there is none.
    public func readKeyFile(named name: String) throws -> [UInt8]? {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try KeyFiles.read(url, displayPath: "keys/\(name)")
    }
}
