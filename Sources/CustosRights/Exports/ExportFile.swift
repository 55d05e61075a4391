import CustosCrypto
import Foundation

/// One produced file (report, CSV, JSON Lines) with its name and media type. Its contents are
/// personal data: the engine delivers or seals it, and logs only `sha256`.
public struct ExportFile: Hashable, Sendable {
    /// A file name without directories, e.g. `customers.csv`.
    public let name: String
    /// The MIME type, e.g. `text/csv; charset=utf-8`.
    public let mediaType: String
    /// The bytes of the file.
    public let contents: Data

    /// A file.
    public init(name: String, mediaType: String, contents: Data) {
        self.name = name
        self.mediaType = mediaType
        self.contents = contents
    }

    /// A UTF-8 text file.
    public init(name: String, mediaType: String, text: String) {
        self.init(name: name, mediaType: mediaType, contents: Data(text.utf8))
    }

    /// Hex SHA-256 of the contents, for audit entries and `FulfilmentRecord.evidenceDigests`.
    public var sha256: String { SHA256.hash([UInt8](contents)).hexString }

    /// The contents as UTF-8 text.
    public var text: String { String(decoding: contents, as: UTF8.self) }
}
