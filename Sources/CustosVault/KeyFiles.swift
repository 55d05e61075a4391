import Foundation

/// Reading and writing key files with owner-only permissions.
enum KeyFiles {
    /// Writes `bytes` to `url` atomically with mode 0600 (created so, never widened then narrowed).
    static func write(_ bytes: [UInt8], to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw VaultError.storage("cannot create key file \(url.lastPathComponent): errno \(errno)") }
        var ok = bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, base + offset, buffer.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        ok = ok && fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw VaultError.storage("cannot write key file \(url.lastPathComponent)")
        }
        syncDirectory(url.deletingLastPathComponent())
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

    /// Makes a rename durable by syncing its directory.
    static func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
