import Foundation

/// What `custos serve` checks before it unseals anything: the workspace's keys, policies, store and
/// audit log belong to the account the service runs as and nobody else can write them (the
/// workspace's own open checks modes; this adds ownership, which matters once a service account
/// and people share a machine).
enum ServiceAccountCheck {
    static func check(workspace: URL) throws {
        let me = geteuid()
        for name in ["", "keys", "policies", "data", "audit"] {
            let path = name.isEmpty ? workspace.path : workspace.appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_uid != me {
                throw CommandFailure("\(name.isEmpty ? "the workspace folder" : name + "/") is owned by uid \(info.st_uid), not by the account "
                    + "running the service (uid \(me)); run `custos serve` as the workspace's owner (see deploy/custos.service)")
            }
            if info.st_mode & S_IWOTH != 0 {
                throw CommandFailure("\(name.isEmpty ? "the workspace folder" : name + "/") is writable by every account; run chmod o-w on it and start again")
            }
        }
    }

    /// Reads a passphrase from a file descriptor (systemd `LoadCredential=` or a pipe), up to 4 KiB.
    static func readPassphrase(fd: Int32) throws -> String {
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 4096 {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 { throw CommandFailure("cannot read the passphrase from file descriptor \(fd) (errno \(errno))") }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty, let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure("file descriptor \(fd) gave no passphrase (or not UTF-8 text)")
        }
        return text
    }
}
