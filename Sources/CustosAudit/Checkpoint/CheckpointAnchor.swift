import Foundation

/// Somewhere outside `audit/` that remembers the latest signed checkpoint, so that deleting
/// checkpoints, restoring an older copy of `audit/`, or rewriting the tail past the newest surviving
/// checkpoint is noticed on the next open instead of being sealed by a fresh signature.
///
/// The engine implements it over the vault store's settings table. It only raises the bar: whoever can
/// write both `audit/` and the anchor (and holds the signing key) can still forge an unwitnessed tail.
/// Witness cosignatures (`WitnessCosigner`) are what close that gap.
public protocol CheckpointAnchor: Sendable {
    /// Where the anchor lives, for error messages (e.g. `data/vault.sqlite setting audit_anchor`).
    var location: String { get }
    /// The stored signed checkpoint note, or nil if none was ever stored.
    func load() throws -> String?
    /// Replaces the stored checkpoint note with `signedNote` (called after each checkpoint is signed).
    func store(_ signedNote: String) throws
}

/// A `CheckpointAnchor` kept in one file (outside the audit directory), written atomically.
public struct FileCheckpointAnchor: CheckpointAnchor {
    /// The anchor file.
    public let path: String

    /// An anchor stored at `url`.
    public init(url: URL) { path = url.standardizedFileURL.path }

    public var location: String { path }

    public func load() throws -> String? {
        guard FileIO.exists(path) else { return nil }
        return String(decoding: try FileIO.read(path), as: UTF8.self)
    }

    public func store(_ signedNote: String) throws {
        try FileIO.writeAtomically(path, Array(signedNote.utf8))
    }
}

extension Checkpoint {
    /// Reads an anchor and verifies its signature; nil when the anchor is empty.
    static func anchored(_ anchor: any CheckpointAnchor, verifier: NoteVerifierKey) throws(AuditError) -> Checkpoint? {
        let text: String?
        do {
            text = try anchor.load()
        } catch {
            throw .anchorUnavailable(location: anchor.location, reason: "\(error)")
        }
        guard let text, !text.isEmpty else { return nil }
        do {
            return try Checkpoint(parsing: Array(text.utf8), file: anchor.location, verifier: verifier)
        } catch {
            throw .anchorUnavailable(location: anchor.location, reason: "the anchored checkpoint is not valid: \(error)")
        }
    }
}
