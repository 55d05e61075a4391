import CustosSchema
import Foundation

/// A postal address for delivering answers by post. Personal data.
public struct PostalAddress: Hashable, Sendable, Codable {
    /// The addressee as written on the envelope.
    public var recipient: String
    /// Street lines, in order.
    public var lines: [String]
    /// Postal code.
    public var postcode: String
    /// Town or city.
    public var city: String
    /// ISO 3166-1 alpha-2 country code or country name.
    public var country: String

    /// An address; fields are trimmed.
    public init(recipient: String, lines: [String], postcode: String, city: String, country: String) {
        func clean(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.recipient = clean(recipient)
        self.lines = lines.map(clean).filter { !$0.isEmpty }
        self.postcode = clean(postcode)
        self.city = clean(city)
        self.country = clean(country)
    }

    /// The address block as printed on a letter, one line each.
    public var printedLines: [String] {
        [recipient] + lines + ["\(postcode) \(city)".trimmingCharacters(in: .whitespaces), country].filter { !$0.isEmpty }
    }
}

/// Where answers, codes and exports for a request are delivered. This is personal data: it lives in
/// `RequestPersonalData`, which the engine seals in the vault, and never in an audit summary.
public enum DeliveryContact: Hashable, Sendable, Codable {
    /// An email address (normalised: trimmed, lower-cased).
    case email(String)
    /// A postal address.
    case postal(PostalAddress)
    /// A mobile phone number for text messages (normalised as at ingest: digits with an optional leading `+`).
    case phone(String)

    /// An email contact, normalised as at ingest; throws when the address is not valid.
    public static func emailAddress(_ text: String) throws -> DeliveryContact {
        guard let email = ValueParser.normalizeEmail(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw RequestError.invalidContact("the email address is not valid; give one address such as name@example.org")
        }
        return .email(email)
    }

    /// A phone contact, normalised as at ingest; throws when the number is not valid.
    public static func phoneNumber(_ text: String) throws -> DeliveryContact {
        guard let phone = ValueParser.normalizePhone(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw RequestError.invalidContact("the phone number is not valid; give 7-15 digits, optionally with a +country code")
        }
        return .phone(phone)
    }

    /// Checks the contact can be used for delivery.
    public func validate() throws {
        switch self {
        case let .email(address):
            guard ValueParser.normalizeEmail(address) == address else {
                throw RequestError.invalidContact("the email address is not valid or not normalised; build it with DeliveryContact.emailAddress(_:)")
            }
        case let .phone(number):
            guard ValueParser.normalizePhone(number) == number else {
                throw RequestError.invalidContact("the phone number is not valid or not normalised; build it with DeliveryContact.phoneNumber(_:)")
            }
        case let .postal(address):
            guard !address.recipient.isEmpty, !address.lines.isEmpty, !address.city.isEmpty, !address.country.isEmpty else {
                throw RequestError.invalidContact("the postal address needs a recipient, at least one street line, a city and a country")
            }
        }
    }

    /// A stable text form used only as HMAC input (rate limiting per contact); never stored.
    var canonicalForm: String {
        switch self {
        case let .email(address): return "email:" + address
        case let .phone(number): return "phone:" + number
        case let .postal(address):
            return "postal:" + address.printedLines.map { $0.precomposedStringWithCanonicalMapping.lowercased() }.joined(separator: "\n")
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, email, postal, phone }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "email": self = .email(try container.decode(String.self, forKey: .email))
        case "postal": self = .postal(try container.decode(PostalAddress.self, forKey: .postal))
        case "phone": self = .phone(try container.decode(String.self, forKey: .phone))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "contact kind must be 'email', 'phone' or 'postal'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .email(address):
            try container.encode("email", forKey: .kind)
            try container.encode(address, forKey: .email)
        case let .postal(address):
            try container.encode("postal", forKey: .kind)
            try container.encode(address, forKey: .postal)
        case let .phone(number):
            try container.encode("phone", forKey: .kind)
            try container.encode(number, forKey: .phone)
        }
    }
}

/// The personal part of a request: everything here identifies or describes the subject. The engine
/// seals this struct in the vault with the request; none of it reaches audit summaries or logs.
public struct RequestPersonalData: Hashable, Sendable, Codable {
    /// The contact the requester gave, as typed. Never trusted as a destination by itself: codes and
    /// answers go to ``contactOnFile``.
    public var contact: DeliveryContact
    /// How the requester identified themselves (e.g. the customer id or email they gave), used by the
    /// engine to resolve the subject. Nil when the contact itself is the reference.
    public var subjectReference: String?
    /// The subject (internal id, hex) the request resolved to when filed; nil when it named nobody
    /// the engine holds, or a contact that is not theirs.
    public var subject: String?
    /// The contact held on file for ``subject`` that matched ``contact``: the only place codes and
    /// answers are sent. Nil when nothing matched (the request then looks the same from outside,
    /// but nothing is ever delivered).
    public var contactOnFile: DeliveryContact?
    /// For rectification: the corrections asked for.
    public var corrections: [Correction]
    /// Free text from the requester, as received.
    public var note: String?

    /// The personal data of a request.
    public init(contact: DeliveryContact, subjectReference: String? = nil, corrections: [Correction] = [], note: String? = nil,
                subject: String? = nil, contactOnFile: DeliveryContact? = nil) {
        self.contact = contact
        self.subjectReference = subjectReference
        self.subject = subject
        self.contactOnFile = contactOnFile
        self.corrections = corrections
        self.note = note
    }
}

/// One correction asked for in a rectification request (GDPR art. 16, PIPL art. 46). Personal data.
public struct Correction: Hashable, Sendable, Codable {
    /// The dataset holding the value.
    public var dataset: String
    /// The column to correct.
    public var column: String
    /// The corrected value as text; the engine parses it with the column's `ValueParser` rules.
    public var newValue: String

    /// A correction of `column` in `dataset` to `newValue`.
    public init(dataset: String, column: String, newValue: String) {
        self.dataset = dataset
        self.column = column
        self.newValue = newValue
    }
}
