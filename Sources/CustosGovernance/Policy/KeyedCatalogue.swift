import CustosSchema

/// Something declared once in a policy file and found by one key: a role by name, a principal by
/// id, a purpose by key.
public protocol CatalogueEntry: Sendable {
    /// The key the entry is found by.
    var catalogueKey: String { get }
    /// The policy file that declares entries of this kind, e.g. `roles.yaml`.
    static var catalogueFile: String { get }
}

/// The entries of one policy file, keyed: ``RoleCatalog``, ``PrincipalDirectory`` and
/// ``PurposeRegistry`` are this one type.
public struct KeyedCatalogue<Entry: CatalogueEntry>: Sendable {
    /// The entries by key.
    public let entries: [String: Entry]
    /// Display name of the source file, for diagnostics.
    public let file: String

    /// A catalogue of `entries`; when two share a key, the later one is kept.
    public init(_ entries: [Entry], file: String = Entry.catalogueFile) {
        var byKey: [String: Entry] = [:]
        for entry in entries { byKey[entry.catalogueKey] = entry }
        self.entries = byKey
        self.file = file
    }

    /// The entry with `key`, if declared.
    public subscript(key: String) -> Entry? { entries[key] }

    /// Whether `key` is declared.
    public func contains(_ key: String) -> Bool { entries[key] != nil }

    /// Declared keys, sorted.
    public var keys: [String] { entries.keys.sorted() }
}

/// The roles declared in `roles.yaml`, keyed by name.
public typealias RoleCatalog = KeyedCatalogue<Role>

/// The principals file (`principals.yaml`), keyed by principal id.
public typealias PrincipalDirectory = KeyedCatalogue<Principal>

/// The purposes declared in `purposes.yaml`, keyed by purpose key.
public typealias PurposeRegistry = KeyedCatalogue<Purpose>

extension Role: CatalogueEntry {
    /// The role's name.
    public var catalogueKey: String { name }
    /// `roles.yaml`.
    public static var catalogueFile: String { "roles.yaml" }
}

extension Principal: CatalogueEntry {
    /// The principal's id.
    public var catalogueKey: String { id }
    /// `principals.yaml`.
    public static var catalogueFile: String { "principals.yaml" }
}

extension Purpose: CatalogueEntry {
    /// The purpose key.
    public var catalogueKey: String { key }
    /// `purposes.yaml`.
    public static var catalogueFile: String { "purposes.yaml" }
}

extension KeyedCatalogue {
    /// Parses a policy file whose entries are listed under `listKey`, each through `entry` (which
    /// gets the keys declared so far, to reject repeats where it finds the key). A bad entry is
    /// reported in `errors` and skipped; the others are kept.
    static func parse(
        _ yaml: YAMLValue, listKey: String, required: Bool, errors: inout [ConfigurationError],
        entry: (_ item: YAMLValue, _ declared: Set<String>) throws -> Entry
    ) -> KeyedCatalogue {
        var entries: [Entry] = []
        var declared: Set<String> = []
        do {
            try yaml.checkKeys([listKey])
            for item in required ? try yaml.required(listKey).list() : try yaml[listKey]?.list() ?? [] {
                do {
                    let parsed = try entry(item, declared)
                    entries.append(parsed)
                    declared.insert(parsed.catalogueKey)
                } catch let error as ConfigurationError {
                    errors.append(error)
                }
            }
        } catch let error as ConfigurationError {
            errors.append(error)
        } catch {
            errors.append(yaml.error("\(error)"))
        }
        return KeyedCatalogue(entries, file: yaml.file)
    }
}
