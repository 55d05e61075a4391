import CustosCrypto
import CustosSchema
import CustosVault
import Foundation

/// Purpose-specific keyed pseudonyms: HMAC-SHA-256 under a key derived (HKDF) from the root key
/// and the purpose, so the same subject has a stable pseudonym within a purpose and unlinkable
/// ones across purposes.
final class SubjectPseudonymizer {
    private let mac: HMACSHA256

    init(root: SymmetricKey, purpose: String) throws {
        mac = HMACSHA256(key: try HKDF.deriveKey(from: root, label: "custos/pseudonym/v1/\(purpose)"))
    }

    func pseudonym(for subject: SubjectID) -> String { "p_" + Array(mac.authenticationCode(for: subject.bytes).prefix(10)).hexString }

    func pseudonym(of value: String, column: String) -> String {
        "p_" + Array(mac.authenticationCode(for: Array("\(column)\u{0}\(value)".utf8)).prefix(10)).hexString
    }
}

/// Column treatments applied right after decryption, before any algorithm sees a value.
enum Treatment {
    static func apply(_ treatment: ColumnTreatment, to value: Value, column: Column, pseudonymizer: SubjectPseudonymizer) -> Value {
        switch treatment {
        case .allow, .dpOnly: return value
        case .deny: return .missing
        case .pseudonymize:
            switch value {
            case .missing: return .missing
            default: return .string(pseudonymizer.pseudonym(of: value.rendered(scale: column.scale), column: column.name))
            }
        case .generalize: return generalize(value, column: column)
        }
    }

    /// Generalisation of quasi-identifiers: dates to their month, numbers to one of ten bands of the
    /// column's public range, free text to its first two characters (postcode prefixes).
    static func generalize(_ value: Value, column: Column) -> Value {
        switch value {
        case let .date(d):
            let date = CivilDate(daysSinceEpoch: Int(d))
            return .category(String(date.iso8601.prefix(7)))
        case let .timestamp(ms):
            return .category(String(Value.timestamp(ms).rendered().prefix(7)))
        case .integer, .decimal:
            guard let x = value.numeric(scale: column.scale), let bounds = column.bounds, bounds.upper > bounds.lower else { return .missing }
            let width = (bounds.upper - bounds.lower) / 10
            let band = min(9, max(0, Int(((x - bounds.lower) / width).rounded(.down))))
            let low = bounds.lower + Double(band) * width
            return .category(String(format: "%g–%g", low, low + width))
        case let .string(s): return .category(String(s.prefix(2)) + "…")
        default: return value
        }
    }
}
