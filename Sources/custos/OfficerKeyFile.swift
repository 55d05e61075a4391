import ArgumentParser
import CustosCrypto
import Foundation

/// The compliance officer's policy-signing key as a PEM file: written once by `init` (owner-only,
/// never inside the workspace, never over an existing file), read by `policy sign`.
enum OfficerKeyFile {
    /// Refuses a destination inside the workspace (after resolving symbolic links) or one that exists.
    static func checkDestination(_ file: URL, workspace: URL) throws {
        let root = workspace.standardizedFileURL.resolvingSymlinksInPath().path
        let target = file.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath()
            .appendingPathComponent(file.lastPathComponent).path
        if target == root || target.hasPrefix(root + "/") {
            throw ValidationError("--officer-key must be outside the workspace: a signing key kept beside the policies lets anyone who can edit them sign them")
        }
        if FileManager.default.fileExists(atPath: file.path) {
            throw ValidationError("\(file.path) already exists; choose another --officer-key file (an existing key is never overwritten)")
        }
    }

    /// Writes `key` as PKCS#8 PEM with mode 0600, refusing to replace an existing file.
    static func write(_ key: Curve25519.Signing.PrivateKey, to file: URL) throws {
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CommandFailure("cannot create \(file.path) (errno \(errno)); the workspace was created, its policy signer is pinned but its key is lost: run init again in a new folder") }
        defer { close(fd) }
        let bytes = Array(try key.pemRepresentation.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw CommandFailure("cannot write \(file.path)")
        }
    }

    /// Reads a PEM private key.
    static func read(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read the key file \(path)") }
        do { return try Curve25519.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw ValidationError("\(path) is not a PEM Ed25519 private key")
        }
    }
}
