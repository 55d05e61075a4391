import Foundation

/// Where a command may write a result: never into the workspace's keys/, data/, audit/ or
/// policies/ (after resolving symlinks, so a link cannot smuggle the write in), and never over an
/// existing file unless the caller forces it. A job's JSON written over `keys/kek-v1.key` would
/// destroy the workspace.
public enum OutputPathGuard {
    /// Folders of a workspace no output may land in.
    public static let protectedFolders = ["keys", "data", "audit", "policies"]

    /// Throws unless `path` is a safe place to write for the workspace at `workspace`.
    public static func check(_ path: URL, workspace: URL, force: Bool) throws {
        let target = resolved(path)
        let root = resolved(workspace)
        for folder in protectedFolders {
            let protected = root.appendingPathComponent(folder).path
            if target.path == protected || target.path.hasPrefix(protected + "/") {
                throw EngineError.invalidRequest(
                    "refusing to write \(path.path): it is inside the workspace's \(folder)/ folder, which holds keys, data, the audit log or policies; write the result somewhere else")
            }
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw EngineError.invalidRequest("\(path.path) is a folder; give a file name")
            }
            guard force else {
                throw EngineError.invalidRequest("\(path.path) already exists; pass --force to overwrite it, or choose another name")
            }
        }
    }

    /// `url` with every symlink resolved: the file itself if it exists, else its nearest existing
    /// ancestor folder resolved and the rest appended.
    static func resolved(_ url: URL) -> URL {
        let standard = url.standardizedFileURL
        if FileManager.default.fileExists(atPath: standard.path) { return standard.resolvingSymlinksInPath() }
        var missing: [String] = []
        var folder = standard
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            missing.insert(folder.lastPathComponent, at: 0)
            folder = folder.deletingLastPathComponent()
        }
        return missing.reduce(folder.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }
    }
}
