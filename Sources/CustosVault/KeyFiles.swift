import CustosBase
import Foundation

/// Reading and writing key files with owner-only permissions.
enum KeyFiles {
    /// Writes `bytes` to `url` atomically with mode 0600 (created so, never widened then narrowed).
    static func write(_ bytes: [UInt8], to url: URL) throws {
        do {
            try AtomicFile.write(bytes, to: url.path, permissions: .exactly(0o600))
        } catch {
            if error.operation == "open" {
                throw VaultError.storage("cannot create key file \(url.lastPathComponent): errno \(error.code)")
            }
            throw VaultError.storage("cannot write key file \(url.lastPathComponent)")
        }
    }

    /// Reads a key file, refusing it when group or others can read or write it.
    static func read(_ url: URL, displayPath: String) throws -> [UInt8] {
        try checkPermissions(url, displayPath: displayPath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VaultError.keyFileMissing(path: displayPath)
        }
        return [UInt8](data)
    }

    static func checkPermissions(_ url: URL, displayPath: String) throws {
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw VaultError.keyFileMissing(path: displayPath) }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw VaultError.keyFileTooOpen(path: displayPath, mode: String(mode, radix: 8))
        }
    }
}
