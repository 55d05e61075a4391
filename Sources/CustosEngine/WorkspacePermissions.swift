import Foundation

/// The file modes of a workspace, set explicitly so that the umask of whoever ran `custos init`
/// never decides who can rewrite keys or policies, and checked on every open.
///
/// | what | folders | files |
/// |---|---|---|
/// | the workspace folder | 0700 | |
/// | `keys/`, `data/`, `outbox/` (secrets and personal data) | 0700 | 0600 |
/// | everything else (`policies/`, `audit/`, `exports/`, organisation.yaml) | 0750 | 0640 |
enum WorkspacePermissions {
    static let root: mode_t = 0o700
    static let secretFolder: mode_t = 0o700
    static let secretFile: mode_t = 0o600
    static let folder: mode_t = 0o750
    static let file: mode_t = 0o640
    /// Top-level folders holding secrets or personal data.
    static let secretFolders: Set<String> = ["keys", "data", "outbox"]
    /// What `open` checks: whoever else can write these can widen access or replace keys.
    static let guarded = ["keys", "policies", "data", "audit", "organisation.yaml", "holidays.txt"]

    /// Creates the workspace folder with mode 0700 (or narrows an existing one to it).
    static func prepareRoot(_ url: URL) throws {
        if mkdir(url.path, root) != 0 && errno != EEXIST {
            if errno == ENOENT {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard mkdir(url.path, root) == 0 || errno == EEXIST else { throw failure(url, "cannot create the workspace folder") }
            } else {
                throw failure(url, "cannot create the workspace folder")
            }
        }
        guard chmod(url.path, root) == 0 else { throw failure(url, "cannot set mode 0700 on the workspace folder") }
    }

    /// Gives every folder and file under `root` its explicit mode (symbolic links are left alone).
    static func apply(to rootURL: URL) throws {
        guard chmod(rootURL.path, root) == 0 else { throw failure(rootURL, "cannot set mode 0700 on the workspace folder") }
        for name in try FileManager.default.contentsOfDirectory(atPath: rootURL.path) {
            let secret = secretFolders.contains(name)
            try applyTree(rootURL.appendingPathComponent(name), folderMode: secret ? secretFolder : folder, fileMode: secret ? secretFile : file)
        }
    }

    private static func applyTree(_ url: URL, folderMode: mode_t, fileMode: mode_t) throws {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            guard chmod(url.path, folderMode) == 0 else { throw failure(url, "cannot set the folder's mode") }
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) {
                try applyTree(url.appendingPathComponent(name), folderMode: folderMode, fileMode: fileMode)
            }
        case S_IFREG:
            guard chmod(url.path, fileMode) == 0 else { throw failure(url, "cannot set the file's mode") }
        default:
            break
        }
    }

    /// Refuses a workspace whose folder, keys, policies, store or audit log another account could
    /// rewrite: anything writable by group or others, or owned by someone other than this account
    /// (or root). Symbolic links are judged by what they point to.
    static func check(root rootURL: URL) throws {
        try checkOne(rootURL, display: ".", rootURL: rootURL)
        for name in guarded {
            let url = rootURL.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            try checkTree(url, display: name, rootURL: rootURL)
        }
    }

    private static func checkTree(_ url: URL, display: String, rootURL: URL) throws {
        let isFolder = try checkOne(url, display: display, rootURL: rootURL)
        guard isFolder else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
            try checkTree(url.appendingPathComponent(name), display: display + "/" + name, rootURL: rootURL)
        }
    }

    @discardableResult
    private static func checkOne(_ url: URL, display: String, rootURL: URL) throws -> Bool {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return false }
        let mode = info.st_mode & 0o7777
        let isFolder = info.st_mode & S_IFMT == S_IFDIR
        if info.st_uid != geteuid() && info.st_uid != 0 {
            throw WorkspacePermissionError(path: display, absolutePath: url.path, mode: mode, problem: .foreignOwner(uid: info.st_uid))
        }
        if mode & 0o022 != 0 {
            throw WorkspacePermissionError(path: display, absolutePath: url.path, mode: mode, problem: isFolder ? .writableFolder : .writableFile)
        }
        return isFolder
    }

    private static func failure(_ url: URL, _ what: String) -> WorkspacePermissionError {
        WorkspacePermissionError(path: url.lastPathComponent, absolutePath: url.path, mode: 0, problem: .cannotSet(what: what, errno: errno))
    }
}

/// A workspace file or folder that another account could rewrite, so the workspace is not opened.
public struct WorkspacePermissionError: Error, Sendable, CustomStringConvertible {
    enum Problem: Sendable {
        case writableFile, writableFolder
        case foreignOwner(uid: uid_t)
        case cannotSet(what: String, errno: Int32)
    }

    /// The path inside the workspace (`.` for the workspace folder itself).
    public let path: String
    let absolutePath: String
    let mode: mode_t
    let problem: Problem

    public var description: String {
        let modeText = "0" + String(mode, radix: 8)
        let quoted = "'" + absolutePath.replacingOccurrences(of: "'", with: "'\\''") + "'"
        switch problem {
        case .writableFile, .writableFolder:
            let what = path == "." ? "the workspace folder" : path
            return "\(what) is writable by group or others (mode \(modeText)), so another account could change keys, policies or data; "
                + "Custos will not open this workspace. Fix it with: chmod go-w \(quoted)"
                + " (and check that nobody changed it: `custos policy check`, `custos audit verify`)"
        case let .foreignOwner(uid):
            return "\(path) belongs to another account (uid \(uid)), which could rewrite it; Custos will not open this workspace. "
                + "Fix it with: chown $(id -u) \(quoted), after checking its contents"
        case let .cannotSet(what, code):
            return "\(what) (\(absolutePath), errno \(code)); check the parent folder's owner and permissions"
        }
    }
}
