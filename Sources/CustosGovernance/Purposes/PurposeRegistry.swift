import CustosCrypto
import CustosSchema
import Foundation

/// Parsing `purposes.yaml`.
extension PurposeRegistry {
    static let purposeKeys: Set<String> = [
        "key", "name", "description", "version", "lawful_basis", "data_categories", "retention", "recipients",
        "sensitive", "cross_border", "continues_under_restriction", "continues_under_legal_hold", "requires_legal_hold", "notice",
    ]

    /// Parses `purposes.yaml`. Notice files named in it are read relative to `directory`.
    static func parse(_ yaml: YAMLValue, directory: URL, errors: inout [ConfigurationError]) -> PurposeRegistry {
        parse(yaml, listKey: "purposes", required: true, errors: &errors) { item, declared in
            let purpose = try parsePurpose(item, directory: directory)
            guard !declared.contains(purpose.key) else { throw item.error("purpose '\(purpose.key)' is declared twice") }
            return purpose
        }
    }

    static func parsePurpose(_ item: YAMLValue, directory: URL) throws -> Purpose {
        try item.checkKeys(purposeKeys)
        let key = try item.string("key")
        guard Identifiers.isPurposeKey(key) else {
            throw item.error("purpose key '\(key)' must be dot-separated lower-case words, e.g. marketing.segmentation")
        }
        let versionNode = try item.required("version")
        let version = try versionNode.int()
        guard version >= 1 else { throw versionNode.error("purpose '\(key)': version must be 1 or more") }
        let basisNode = try item.required("lawful_basis")
        guard let basis = LawfulBasis(rawValue: try basisNode.string()) else {
            throw basisNode.error("purpose '\(key)': unknown lawful_basis; use one of \(LawfulBasis.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let categories = try item.stringList("data_categories")
        guard !categories.isEmpty else { throw item.error("purpose '\(key)': data_categories must list the data categories it may use") }
        for category in categories where !Identifiers.isPurposeKey(category) {
            throw ConfigurationError(file: item.file, line: item.line(ofKey: "data_categories"),
                                     message: "purpose '\(key)': data category '\(category)' must be a dotted key such as user.behavior")
        }
        let retentionNode = try item.required("retention")
        try retentionNode.checkKeys(["days", "criteria"])
        let days = try retentionNode.optionalInt("days")
        if let days, days < 1 { throw retentionNode.error("purpose '\(key)': retention days must be 1 or more") }
        let retention = Retention(days: days, criteria: try retentionNode.string("criteria"))
        let sensitive = try item.optionalBool("sensitive", default: false)
        let crossBorder = try item.optionalBool("cross_border", default: false)
        if crossBorder && basis != .consent {
            throw ConfigurationError(
                file: item.file, line: item.line(ofKey: "cross_border"),
                message: "purpose '\(key)' transfers data across borders, which needs the subject's separate consent (PIPL art. 39); set lawful_basis: consent")
        }
        let continuesUnderHold = try item.optionalBool("continues_under_legal_hold", default: false)
        let requiresHold = try item.optionalBool("requires_legal_hold", default: false)
        if requiresHold && !continuesUnderHold {
            throw ConfigurationError(file: item.file, line: item.line(ofKey: "requires_legal_hold"),
                                     message: "purpose '\(key)' requires a legal hold but does not continue under one; set continues_under_legal_hold: true")
        }
        return Purpose(
            key: key, name: try item.optionalString("name") ?? key, description: try item.optionalString("description") ?? "",
            version: version, lawfulBasis: basis, dataCategories: categories, retention: retention,
            recipients: try item.stringList("recipients"), sensitive: sensitive, crossBorder: crossBorder,
            continuesUnderRestriction: try item.optionalBool("continues_under_restriction", default: false),
            continuesUnderLegalHold: continuesUnderHold, requiresLegalHold: requiresHold,
            notice: try parseNotice(try item.required("notice"), purpose: key, directory: directory), line: item.line)
    }

    static func parseNotice(_ node: YAMLValue, purpose: String, directory: URL) throws -> Notice {
        try node.checkKeys(["version", "file", "sha256"])
        let version = try node.string("version")
        switch (try node.optionalString("file"), try node.optionalString("sha256")) {
        case let (file?, nil):
            let url = directory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw node.error("purpose '\(purpose)': notice file '\(file)' cannot be read; paths are relative to the policies directory")
            }
            return Notice(version: version, sha256: SHA256.hash([UInt8](data)).hexString, file: file)
        case let (nil, digest?):
            guard let bytes = [UInt8](hexString: digest), bytes.count == 32 else {
                throw node.error("purpose '\(purpose)': notice sha256 must be 64 hex characters")
            }
            return Notice(version: version, sha256: digest.lowercased())
        default:
            throw node.error("purpose '\(purpose)': notice needs exactly one of 'file' (the notice text) or 'sha256' (its digest)")
        }
    }
}
