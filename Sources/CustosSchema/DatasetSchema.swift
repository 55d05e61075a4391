import Foundation

/// The storage type of a column.
public enum ColumnType: String, Sendable, CaseIterable {
    case string, integer, decimal, date, timestamp, category
    case itemList = "item_list"
}

/// What a column says about its subject; governs treatment at query time.
public enum ColumnClass: String, Sendable, CaseIterable {
    /// Names the person directly (email, phone, name, customer id). Never reaches mining.
    case directIdentifier = "direct_identifier"
    /// Identifies in combination (birth date, postcode, country). Generalised as policies say.
    case quasiIdentifier = "quasi_identifier"
    /// Special-category or free-text data (health, opinions, comments).
    case sensitive
    /// An ordinary descriptive attribute.
    case attribute
    /// A numeric quantity that can be aggregated; carries public bounds.
    case measure
    /// A behavioural event or its time.
    case event
}

/// How identifier values are normalised before blind indexing and identity resolution.
public enum Normalization: String, Sendable {
    case none, email, phone
    case identifier  // trimmed and lower-cased opaque id
}

/// Public bounds of a numeric column: used to flag outliers on ingest and as DP clamping bounds.
/// They come from the schema (public knowledge), never from the data.
public struct Bounds: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// One column of a dataset.
public struct Column: Sendable {
    public let name: String
    public let type: ColumnType
    public let columnClass: ColumnClass
    /// Data category key in the shared taxonomy (fideslang style, e.g. `user.contact.email`).
    public let category: String
    public let normalization: Normalization
    /// Digits after the decimal point for `decimal` columns (values are stored as scaled integers).
    public let scale: Int
    public let bounds: Bounds?
    /// Declared public domain of a category column (its keys may be released without partition selection).
    public let publicValues: [String]?
    /// Whether the subject gave this value themselves (GDPR art. 20 portability scope).
    public let providedBySubject: Bool
    public let description: String
    /// Line in the dataset file, for diagnostics.
    public let line: Int?

    public init(
        name: String, type: ColumnType, columnClass: ColumnClass, category: String, normalization: Normalization = .none,
        scale: Int = 0, bounds: Bounds? = nil, publicValues: [String]? = nil, providedBySubject: Bool = true,
        description: String = "", line: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.columnClass = columnClass
        self.category = category
        self.normalization = normalization
        self.scale = scale
        self.bounds = bounds
        self.publicValues = publicValues
        self.providedBySubject = providedBySubject
        self.description = description
        self.line = line
    }

    public var isIdentifier: Bool { columnClass == .directIdentifier }
}

/// A dataset declared in `policies/datasets/NAME.yaml`.
public struct DatasetSchema: Sendable {
    public let name: String
    public let description: String
    /// Columns whose normalised values identify the subject (identity resolution and blind indexes).
    public let subjectKeys: [String]
    /// Columns that together identify a record within a subject, used in error messages only.
    public let columns: [Column]
    /// Where the data comes from (GDPR art. 15(1)(g)).
    public let source: String
    public let file: String

    private let indexByName: [String: Int]

    public init(name: String, description: String, subjectKeys: [String], columns: [Column], source: String, file: String) {
        self.name = name
        self.description = description
        self.subjectKeys = subjectKeys
        self.columns = columns
        self.source = source
        self.file = file
        var index: [String: Int] = [:]
        for (i, column) in columns.enumerated() { index[column.name] = i }
        self.indexByName = index
    }

    /// Position of the named column, or nil.
    public func index(of column: String) -> Int? { indexByName[column] }

    public func column(named name: String) -> Column? { indexByName[name].map { columns[$0] } }

    /// Data categories used by this dataset (for records of processing and access reports).
    public var categories: [String] { Array(Set(columns.map(\.category))).sorted() }
}
