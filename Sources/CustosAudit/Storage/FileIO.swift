import CustosBase
import Foundation
import Synchronization

/// Thin, throwing wrappers over the POSIX calls the log needs (durability needs fsync and flock,
/// which FileHandle does not expose fully).
enum FileIO {
    static func fail(_ operation: String, _ path: String) -> AuditError {
        .io(operation: operation, path: path, errno: errno)
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o640) throws(AuditError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw fail("open", path) }
        }
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(AuditError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("write", path)
            }
            offset += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AuditError) {
        var result: AuditError?
        bytes.withUnsafeBytes { raw in
            do throws(AuditError) { try writeAll(fd, raw, path: path) } catch { result = error }
        }
        if let result { throw result }
    }

    static func sync(_ fd: Int32, path: String) throws(AuditError) {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw fail("fdatasync", path) }
        }
    }

    static func syncDirectory(_ path: String) throws(AuditError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw fail("fsync", path) }
        }
    }

    static func truncate(_ fd: Int32, to length: UInt64, path: String) throws(AuditError) {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno != EINTR { throw fail("ftruncate", path) }
        }
    }

    static func size(_ path: String) throws(AuditError) -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw fail("stat", path) }
        return UInt64(info.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func makeDirectory(_ path: String) throws(AuditError) {
        if Glibc.mkdir(path, 0o750) != 0 && errno != EEXIST { throw fail("mkdir", path) }
    }

    /// Deletes a file (a missing one is not an error).
    static func remove(_ path: String) throws(AuditError) {
        if Glibc.unlink(path) != 0 && errno != ENOENT { throw fail("unlink", path) }
    }

    /// Reads a whole file (segments are bounded by the roll size, checkpoints are small).
    static func read(_ path: String) throws(AuditError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("fstat", path) }
        var out = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        var failure: AuditError?
        out.withUnsafeMutableBytes { raw in
            while filled < raw.count {
                let n = Glibc.read(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = fail("read", path)
                    return
                }
                if n == 0 { break }
                filled += n
            }
        }
        if let failure { throw failure }
        if filled < out.count { out.removeSubrange(filled...) }
        return out
    }

    /// Writes a file so that it is either absent or complete: temporary file, fsync, rename, fsync dir.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o640) throws(AuditError) {
        do {
            try AtomicFile.write(bytes, to: path, permissions: .umasked(mode))
        } catch {
            throw .io(operation: error.operation, path: error.path, errno: error.code)
        }
    }

    static func list(_ directory: String) throws(AuditError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .io(operation: "list", path: directory, errno: ENOENT)
        }
    }
}

/// An exclusive, process-wide writer lock on `audit.lock` (flock). Released when closed or when the
/// process dies, so a crashed writer never leaves the log locked.
final class WriterLock: Sendable {
    /// The open lock file; nil once released (`close` and `deinit` may both release).
    private let fd: Mutex<Int32?>

    init(path: String, directory: String, timeout: TimeInterval) throws(AuditError) {
        let fd = try FileIO.open(path, O_RDWR | O_CREAT)
        let start = Date()
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                FileIO.close(fd)
                throw .io(operation: "flock", path: path, errno: code)
            }
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                FileIO.close(fd)
                throw .logLocked(directory: directory, waitedSeconds: (waited * 10).rounded() / 10)
            }
            usleep(5_000)
        }
        self.fd = Mutex(fd)
    }

    func release() {
        fd.withLock { fd in
            guard let open = fd else { return }
            fd = nil
            _ = flock(open, LOCK_UN)
            FileIO.close(open)
        }
    }

    deinit { release() }
}
