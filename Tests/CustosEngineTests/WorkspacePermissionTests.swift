@testable import CustosEngine
import Foundation
import XCTest

/// Issue 10, item 5: under `umask 000`, `init` left `policies/principals.yaml` 0666 and the workspace
/// 0777. Modes are now explicit whatever the umask, and a workspace whose keys or policies others can
/// write is not opened.
final class WorkspacePermissionTests: XCTestCase {
    func mode(_ url: URL) -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(url.path, &info), 0, url.path)
        return info.st_mode & 0o7777
    }

    /// Every file and folder under `root` with its mode, by path inside the workspace.
    func modes(_ root: URL) -> [String: mode_t] {
        var out: [String: mode_t] = [".": mode(root)]
        for case let relative as String in FileManager.default.enumerator(atPath: root.path) ?? FileManager.DirectoryEnumerator() {
            out[relative] = mode(root.appendingPathComponent(relative))
        }
        return out
    }

    /// Attack: run `custos init` (and the first commands) under `umask 000`, then rewrite
    /// principals.yaml as another account. Nothing is writable by group or others any more.
    func testInitUnderUmask000LeavesNothingWritableByOthers() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-umask-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let previous = umask(0)
        defer { umask(previous) }
        let workspace = try Workspace.initialize(at: root)
        let tokens = Dictionary(uniqueKeysWithValues: try workspace.issueFreshTokens().map { ($0.principal, $0.token) })
        let engine = try Engine.open(workspace)
        try engine.recordInitialisation()
        let file = root.deletingLastPathComponent().appendingPathComponent("\(root.lastPathComponent)-customers.csv")
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        try Data("customer_id,email,phone,full_name,birth_date,postcode,country,gender,signup_date,loyalty_tier\nC1,a@example.se,,A,,,SE,,,\n".utf8)
            .write(to: file)
        _ = try engine.ingest(file: file, dataset: "customers", actor: Caller(principal: "oscar", role: "operator", token: tokens["oscar"]))
        try engine.close()
        umask(previous)

        let found = modes(root)
        XCTAssertEqual(found["."], 0o700, "the workspace folder")
        XCTAssertEqual(found["policies/principals.yaml"], 0o640, "rewritten with fresh token hashes, still 0640")
        XCTAssertEqual(found["keys"], 0o700)
        XCTAssertEqual(found["keys/kek-v1.key"], 0o600)
        XCTAssertEqual(found["keys/audit.key"], 0o600)
        XCTAssertEqual(found["data/vault.sqlite"], 0o600)
        XCTAssertEqual(found["policies"], 0o750)
        XCTAssertEqual(found["policies/rules"], 0o750)
        XCTAssertEqual(found["organisation.yaml"], 0o640)
        let writable = found.filter { $0.value & 0o022 != 0 }.keys.sorted()
        XCTAssertEqual(writable, [], "writable by group or others")
        let secretsReadable = found.filter { ($0.key.hasPrefix("keys") || $0.key.hasPrefix("data")) && $0.value & 0o077 != 0 }.keys.sorted()
        XCTAssertEqual(secretsReadable, [], "keys and data are the owner's alone")
        // And the workspace opens again.
        _ = try Workspace.open(at: root)
    }

    /// Attack: leave policies or keys writable by others (a sloppy chmod, a shared group). Opening
    /// refuses, names the file and says which chmod fixes it.
    func testOpenRefusesAWorkspaceWhoseKeysOrPoliciesOthersCanWrite() throws {
        let workspace = try makeWorkspace()
        let root = workspace.root
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        for (path, loose, fixed) in [("policies/principals.yaml", 0o666, 0o640), ("policies/rules/marketing.yaml", 0o646, 0o640),
                                     ("policies/rules", 0o777, 0o750), ("keys", 0o770, 0o700), ("keys/keystore.sqlite", 0o620, 0o600),
                                     (".", 0o777, 0o700)] as [(String, mode_t, mode_t)] {
            let url = path == "." ? root : root.appendingPathComponent(path)
            XCTAssertEqual(chmod(url.path, loose), 0)
            XCTAssertThrowsError(try Workspace.open(at: root), path) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(path == "." ? "the workspace folder is writable by group or others" : "\(path) is writable by group or others"), text)
                XCTAssertTrue(text.contains("(mode 0\(String(loose, radix: 8)))"), text)
                XCTAssertTrue(text.contains("Fix it with: chmod go-w '\(url.path)'"), text)
            }
            XCTAssertEqual(chmod(url.path, fixed), 0)
        }
        // A policy file replaced by a symbolic link to a file anyone can write counts as that file.
        let outside = root.deletingLastPathComponent().appendingPathComponent("\(root.lastPathComponent)-evil.yaml")
        addTeardownBlock { try? FileManager.default.removeItem(at: outside) }
        let purposes = root.appendingPathComponent("policies/purposes.yaml")
        try FileManager.default.copyItem(at: purposes, to: outside)
        XCTAssertEqual(chmod(outside.path, 0o666), 0)
        try FileManager.default.removeItem(at: purposes)
        try FileManager.default.createSymbolicLink(at: purposes, withDestinationURL: outside)
        XCTAssertThrowsError(try Workspace.open(at: root)) { XCTAssertTrue("\($0)".hasPrefix("policies/purposes.yaml is writable"), "\($0)") }
        XCTAssertEqual(chmod(outside.path, 0o640), 0)
        _ = try Workspace.open(at: root)
    }
}
