import CustosCrypto
import Foundation

/// Why a policy set was not trusted, each saying what to do.
public enum PolicyTrustError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `keys/policy-signers` is missing: nobody is pinned, so nothing can be trusted.
    case noSignersPinned
    /// `keys/policy-signers` does not authenticate (edited, or from another workspace).
    case signersAltered
    /// `policies/.signature` is missing.
    case unsigned(version: String)
    /// `policies/.signature` cannot be read.
    case malformedSignature(String)
    /// The files changed after they were signed.
    case changedSinceSigning(signed: String, current: String, signer: String)
    /// Signed with a key that is not pinned.
    case signerNotPinned(signer: String, keyID: String)
    /// The signature does not verify.
    case badSignature(signer: String)
    /// A file the loaders would read but the signed manifest does not cover (hidden, or a symbolic link).
    case uncoveredFile(String)
    /// A signer id that is not a principal id.
    case invalidSignerID(String)
    /// A validly signed set that is older than the one already in force.
    case olderThanInForce(signedAt: Int64, inForce: Int64)

    static let advice = "ask a compliance officer to review the policies and sign them with `custos policy sign --key <officer key> --signer <id>`"

    public var description: String {
        switch self {
        case .noSignersPinned:
            return "no policy signers are pinned (keys/policy-signers is missing), so no policy set can be trusted; "
                + "restore keys/policy-signers from the backup of keys/, or re-create the workspace with `custos init`"
        case .signersAltered:
            return "keys/policy-signers does not authenticate under this workspace's keys (it was edited or copied from elsewhere); "
                + "restore it from the backup of keys/"
        case let .unsigned(version):
            return "the policies (version \(version.prefix(12))) are not signed (policies/.signature is missing); \(Self.advice)"
        case let .malformedSignature(why):
            return "policies/.signature cannot be read: \(why); \(Self.advice)"
        case let .changedSinceSigning(signed, current, signer):
            return "the policies changed after \(signer) signed them (signed version \(signed.prefix(12)), files now \(current.prefix(12))); "
                + "an edit takes effect only once signed: \(Self.advice)"
        case let .signerNotPinned(signer, keyID):
            return "the policies are signed as '\(signer)' with key \(keyID), which is not a pinned policy signer; "
                + "only keys pinned in keys/policy-signers count: \(Self.advice)"
        case let .badSignature(signer):
            return "the signature in policies/.signature (by '\(signer)') does not verify; \(Self.advice)"
        case let .uncoveredFile(path):
            return "policies/\(path) is hidden or a symbolic link, so the signed manifest does not cover it; remove it (or replace the link with the file) and sign again"
        case let .invalidSignerID(id):
            return "'\(id)' is not a principal id (1-64 of a-z, 0-9, '.', '_', '-')"
        case let .olderThanInForce(signedAt, inForce):
            return "the policies were signed at \(signedAt) ms, before the set already in force (signed at \(inForce) ms): an older policy set was put back; "
                + "\(Self.advice)"
        }
    }
}

/// Checks a policy set against the pinned signers: the engine loads only a set whose manifest a
/// pinned compliance officer signed, unchanged since.
public enum PolicyTrust {
    /// The signature of the policies in `directory`, once it is known to cover exactly the files
    /// there (`currentVersion`: their ``PolicyVersion`` digest) and to verify under a pinned key.
    public static func verify(directory: URL, currentVersion: String, signers: PolicySigners) throws -> PolicySignature {
        if let uncovered = try uncoveredFiles(directory).first { throw PolicyTrustError.uncoveredFile(uncovered) }
        guard let signature = try PolicySignature.read(directory: directory) else {
            throw PolicyTrustError.unsigned(version: currentVersion)
        }
        guard let pinned = signers.signer(for: signature.publicKey) else {
            throw PolicyTrustError.signerNotPinned(signer: signature.signer, keyID: signature.keyID)
        }
        guard signature.isValid, pinned.id == signature.signer else { throw PolicyTrustError.badSignature(signer: signature.signer) }
        guard signature.version == currentVersion else {
            throw PolicyTrustError.changedSinceSigning(signed: signature.version, current: currentVersion, signer: signature.signer)
        }
        return signature
    }

    /// Paths (relative to `directory`) the loaders could read that the manifest skips: hidden files
    /// and folders (except `.signature`) and symbolic links, outside `tests/` and `README.md`.
    public static func uncoveredFiles(_ directory: URL) throws -> [String] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isSymbolicLinkKey]) else { return [] }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var found: [String] = []
        for case let url as URL in enumerator {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            let relative = String(path.dropFirst(rootPath.count))
            if relative == "tests" || relative.hasPrefix("tests/") || relative == PolicySignature.fileName { continue }
            let hidden = relative.split(separator: "/").contains { $0.hasPrefix(".") }
            let link = (try url.resourceValues(forKeys: [.isSymbolicLinkKey])).isSymbolicLink == true
            if hidden || link { found.append(relative) }
        }
        return found.sorted()
    }
}
