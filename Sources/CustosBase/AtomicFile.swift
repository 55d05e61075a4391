#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it is either absent or complete, never half written: a fresh temporary
/// file beside it (`.<name>.tmp`), fsync, rename over the target, fsync of the directory.
///
/// The temporary file is always created anew (a stale one from a crash is removed first) with
/// `O_EXCL | O_NOFOLLOW`, so its permissions are never inherited from an old file and a planted
/// symbolic link is refused. Key files and outbox letters are written with `0o600`.
package enum AtomicFile {
    /// What failed: the system call, the file it was applied to and `errno`.
    package struct Failure: Error, Sendable, Equatable {
        /// The system call: `open`, `write`, `fchmod`, `fsync`, `rename` or `fsync-directory`.
        package let operation: String
        /// The path the call was applied to (the temporary file, the target or its directory).
        package let path: String
        /// `errno` after the call.
        package let code: Int32
    }

    /// How the new file's permissions are set.
    package enum Permissions: Sendable {
        /// Exactly this mode, whatever the process umask (key files, outbox letters).
        case exactly(mode_t)
        /// This mode narrowed by the process umask, as `open(2)` does (audit log files).
        case umasked(mode_t)
    }

    /// Replaces `path` with `bytes` atomically and durably.
    /// - Throws: ``Failure`` naming the call that failed; no temporary file is left behind.
    package static func write(_ bytes: [UInt8], to path: String, permissions: Permissions = .exactly(0o600)) throws(Failure) {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + ".tmp"
        let mode: mode_t
        switch permissions {
        case let .exactly(m), let .umasked(m): mode = m
        }
        _ = unlink(temporary)
        let fd = try retrying("open", temporary) { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode) }
        do throws(Failure) {
            try writeAll(fd, bytes, path: temporary)
            if case .exactly = permissions { _ = try retrying("fchmod", temporary) { fchmod(fd, mode) } }
            _ = try retrying("fsync", temporary) { fsync(fd) }
            _ = close(fd)
            _ = try retrying("rename", path) { rename(temporary, path) }
        } catch {
            _ = close(fd)
            _ = unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Makes a rename in `directory` durable.
    package static func syncDirectory(_ directory: String) throws(Failure) {
        let fd = try retrying("fsync-directory", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { _ = close(fd) }
        _ = try retrying("fsync-directory", directory) { fsync(fd) }
    }

    /// The folder (`.` when none is given) and file name of `path`.
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Runs a call until it does not fail with EINTR; a negative result is a ``Failure``.
    static func retrying(_ operation: String, _ path: String, _ call: () -> Int32) throws(Failure) -> Int32 {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno != EINTR { throw Failure(operation: operation, path: path, code: errno) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var failure: Failure?
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = Failure(operation: "write", path: path, code: errno)
                    return
                }
                offset += n
            }
        }
        if let failure { throw failure }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
