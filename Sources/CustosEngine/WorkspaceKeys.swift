import CustosVault
import Foundation

extension Workspace {
    /// Rotates the key-encryption key. A passphrase-protected workspace stays protected.
    public func rotateKeys(passphrase: String?) throws -> (version: Int, rewrapped: Int) {
        let protected = KeyHierarchy.isPassphraseProtected(keysDirectory, version: keys.currentVersion)
        if protected && passphrase == nil { throw VaultError.passphraseRequired }
        return try keys.rotate(passphrase: protected ? passphrase : nil)
    }
}
