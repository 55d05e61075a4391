import CustosCrypto
import CustosPrivacy
import CustosSchema
import CustosVault
import Foundation

/// Purpose-specific keyed pseudonyms for subjects and pseudonymised column values, over the privacy
/// layer's `Pseudonymizer` (HMAC-SHA-256 under a key derived per purpose from the root key).
final class SubjectPseudonymizer {
    private let pseudonymizer: Pseudonymizer

    init(root: SymmetricKey, purpose: String) throws {
        pseudonymizer = try Pseudonymizer(rootKey: root, purpose: purpose)
    }

    func pseudonym(for subject: SubjectID) -> String {
        subject.bytes.withUnsafeBytes { pseudonymizer.pseudonym(forBytes: $0).text }
    }

    /// A value's pseudonym, domain-separated by column so equal values in two columns do not link.
    func pseudonym(of value: String, column: String) -> String {
        Array("\(column)\u{0}\(value)".utf8).withUnsafeBytes { pseudonymizer.pseudonym(forBytes: $0).text }
    }
}

/// Column treatments applied right after decryption, before any algorithm sees a value.
enum Treatment {
    static func apply(_ treatment: ColumnTreatment, to value: Value, column: Column, pseudonymizer: SubjectPseudonymizer, today: Int) -> Value {
        switch treatment {
        case .allow, .dpOnly: return value
        case .deny: return .missing
        case .pseudonymize:
            if case .missing = value { return .missing }
            return .string(pseudonymizer.pseudonym(of: value.rendered(scale: column.scale), column: column.name))
        case .generalize: return generalize(value, column: column, today: today)
        }
    }

    static let ageBands = try? AgeBand(width: 10, topCode: 80)
    static let postcodes = try? PostcodePrefix(length: 2)

    /// Generalisation of quasi-identifiers: birth dates to ten-year age bands (top-coded at 80),
    /// other dates to their month, postcodes to a two-character prefix, numbers to one of ten bands
    /// of the column's public range.
    static func generalize(_ value: Value, column: Column, today: Int) -> Value {
        switch value {
        case let .date(d) where column.category.hasSuffix("date_of_birth"):
            let age = (today - Int(d)) * 400 / 146_097
            return ageBands?.label(forAge: age).map { .category($0) } ?? .missing
        case let .date(d):
            return .category(DateTruncation.month.label(forDaysSinceEpoch: Int64(d)))
        case let .timestamp(ms):
            return .category(DateTruncation.month.label(forDaysSinceEpoch: (ms >= 0 ? ms : ms - 86_399_999) / 86_400_000))
        case .integer, .decimal:
            guard let x = value.numeric(scale: column.scale), let bounds = column.bounds, bounds.upper > bounds.lower else { return .missing }
            let width = (bounds.upper - bounds.lower) / 10
            let band = min(9, max(0, Int(((x - bounds.lower) / width).rounded(.down))))
            let low = bounds.lower + Double(band) * width
            return .category(String(format: "%g–%g", low, low + width))
        case let .string(s):
            return postcodes?.prefix(of: s).map { .category($0) } ?? .missing
        default: return value
        }
    }
}
