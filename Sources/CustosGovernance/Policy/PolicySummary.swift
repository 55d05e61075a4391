import CustosCrypto
import Foundation

/// What a policy set grants, in a form two versions can be compared by: the digest of each rule's
/// text by id, the declared roles, each principal's roles and state, the population budget and
/// the file manifest. A `policy.change` audit entry lists what differs from the previous set.
public struct PolicySummary: Sendable, Equatable {
    /// Rule id → SHA-256 (hex, 16 digits) of the rule's lines in its file.
    public var rules: [String: String] = [:]
    /// Declared role names.
    public var roles: Set<String> = []
    /// Principal id → "roles=a,b disabled=false token=<8 hex>".
    public var principals: [String: String] = [:]
    /// The population budget as `privacy.yaml` states it.
    public var population = ""
    /// Path → SHA-256 of each policy file.
    public var files: [String: String] = [:]

    public init() {}

    /// The summary of `policies`, loaded from `directory`.
    public init(_ policies: PolicySet, directory: URL) throws {
        var lines: [String: [Substring]] = [:]
        for (file, rules) in Dictionary(grouping: policies.rules, by: \.file) {
            let url = directory.appendingPathComponent(file)
            let text = lines[file] ?? String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
                .split(separator: "\n", omittingEmptySubsequences: false)
            lines[file] = text
            let starts = rules.compactMap(\.line).sorted()
            for rule in rules {
                let start = max((rule.line ?? 1) - 1, 0)
                let end = min((starts.first { $0 > (rule.line ?? 0) } ?? text.count + 1) - 1, text.count)
                let body = start < end ? text[start..<end].joined(separator: "\n") : rule.id
                self.rules[rule.id] = String(SHA256.hash(body).hexString.prefix(16))
            }
        }
        roles = Set(policies.roles.keys)
        for principal in policies.principals.entries.values {
            principals[principal.id] = "roles=\(principal.roles.sorted().joined(separator: ",")) disabled=\(principal.disabled) token=\(principal.tokenSHA256.prefix(8))"
        }
        population = policies.population?.summary ?? "none"
        for line in try PolicyVersion.manifest(directory: directory).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2 { files[parts[1].trimmingCharacters(in: .whitespaces)] = String(parts[0]) }
        }
    }

    /// A line-based text form (kept in the store's settings between versions).
    public var text: String {
        var out: [String] = []
        out += rules.sorted { $0.key < $1.key }.map { "rule \($0.key) \($0.value)" }
        out += roles.sorted().map { "role \($0)" }
        out += principals.sorted { $0.key < $1.key }.map { "principal \($0.key) \($0.value)" }
        out.append("population \(population)")
        out += files.sorted { $0.key < $1.key }.map { "file \($0.value) \($0.key)" }
        return out.joined(separator: "\n")
    }

    /// Parses ``text``; unknown lines are ignored.
    public init(text: String) {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2 else { continue }
            let rest = parts.count > 2 ? String(parts[2]) : ""
            switch parts[0] {
            case "rule": rules[String(parts[1])] = rest
            case "role": roles.insert(String(parts[1]))
            case "principal": principals[String(parts[1])] = rest
            case "population": population = String(line.dropFirst("population ".count))
            case "file": files[rest] = String(parts[1])
            default: continue
            }
        }
    }

    /// What changed from `previous` to this set, as audit details (only non-empty keys).
    public func changes(since previous: PolicySummary) -> [String: String] {
        var details: [String: String] = [:]
        func put(_ key: String, _ names: [String]) { if !names.isEmpty { details[key] = names.sorted().joined(separator: ",") } }
        put("rules_added", rules.keys.filter { previous.rules[$0] == nil })
        put("rules_removed", previous.rules.keys.filter { rules[$0] == nil })
        put("rules_changed", rules.keys.filter { id in previous.rules[id].map { $0 != rules[id] } ?? false })
        put("roles_added", Array(roles.subtracting(previous.roles)))
        put("roles_removed", Array(previous.roles.subtracting(roles)))
        put("principals_added", principals.keys.filter { previous.principals[$0] == nil })
        put("principals_removed", previous.principals.keys.filter { principals[$0] == nil })
        put("principals_changed", principals.keys.filter { id in previous.principals[id].map { $0 != principals[id] } ?? false })
        put("files_changed", Set(files.keys).union(previous.files.keys).filter { files[$0] != previous.files[$0] }.map { $0 })
        if population != previous.population { details["population"] = population }
        return details
    }
}
