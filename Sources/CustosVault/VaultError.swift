/// Failures of the key hierarchy and the encrypted store. Messages say what to do and never
/// contain key material or customer values.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    case workspaceMissing(path: String)
    case workspaceExists(path: String)
    case keyFileMissing(path: String)
    case keyFileTooOpen(path: String, mode: String)
    case keyFileCorrupt(path: String)
    case passphraseRequired
    case wrongPassphrase
    case wrongKeyEncryptionKey(version: Int)
    case kekVersionMissing(version: Int)
    case dataKeyMissing
    case integrityFailure(dataset: String, detail: String)
    case grantRejected(String)
    case unknownDataset(String)
    case storage(String)

    public var description: String {
        switch self {
        case let .workspaceMissing(path):
            return "no Custos workspace at \(path); run `custos init` there or pass --workspace DIR"
        case let .workspaceExists(path):
            return "a Custos workspace already exists at \(path); choose another folder or remove it first"
        case let .keyFileMissing(path):
            return "key file \(path) is missing; restore it from your key backup (data cannot be read without it)"
        case let .keyFileTooOpen(path, mode):
            return "refusing to start: key file \(path) is readable by group or others (mode \(mode)); run `chmod 600 \(path)`"
        case let .keyFileCorrupt(path):
            return "key file \(path) is damaged or not a Custos key; restore it from your key backup"
        case .passphraseRequired:
            return "the key-encryption key is passphrase-protected; set CUSTOS_PASSPHRASE or pass --passphrase-file"
        case .wrongPassphrase:
            return "the passphrase does not open the key-encryption key; check CUSTOS_PASSPHRASE"
        case let .wrongKeyEncryptionKey(version):
            return "key-encryption key v\(version) does not open the wrapped data keys: keys/ belongs to another workspace or was altered"
        case let .kekVersionMissing(version):
            return "a data key is wrapped with key-encryption key v\(version), which is not in keys/; finish `custos keys rotate` or restore the key"
        case .dataKeyMissing:
            return "the subject's data key no longer exists (erased by crypto-shredding); its records cannot be opened"
        case let .integrityFailure(dataset, detail):
            return "stored record in dataset '\(dataset)' failed authentication (\(detail)): it was altered or moved; restore from backup"
        case let .grantRejected(detail):
            return "the vault refused to read: \(detail); every read must go through the policy decision point"
        case let .unknownDataset(name):
            return "unknown dataset '\(name)'; declare it in policies/datasets/"
        case let .storage(detail):
            return "storage error: \(detail)"
        }
    }
}
