import CustosSchema
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Limits on one input file (an ingest batch or a consent import), so that a hostile or mistaken
/// file is refused with a clear error before it costs gigabytes of memory. A file is one batch and
/// is held in memory while it is resolved and sealed, so the file limit bounds the batch's memory.
/// Each error names the limit and the `custos` option that raises it.
public struct InputLimits: Sendable, Equatable {
    /// Largest file, in bytes (`--max-file-mb`).
    public var maxFileBytes: Int
    /// Longest single field, in UTF-8 bytes (`--max-field-kb`).
    public var maxFieldBytes: Int
    /// Most rows for one customer in one batch (`--max-rows-per-customer`); for ingest a customer
    /// is counted per identifier value (customer_id, email...), for consent per resolved customer.
    public var maxRowsPerCustomer: Int

    /// Creates the value from its parts.
    public init(maxFileBytes: Int = InputLimits.standard.maxFileBytes, maxFieldBytes: Int = InputLimits.standard.maxFieldBytes,
                maxRowsPerCustomer: Int = InputLimits.standard.maxRowsPerCustomer) {
        self.maxFileBytes = maxFileBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxRowsPerCustomer = maxRowsPerCustomer
    }

    /// 256 MiB per file (about 1.7 GB of memory while the batch is sealed), 64 KiB per field and
    /// 100,000 rows per customer per batch: far above real exports, far below what hurts the machine.
    public static let standard = InputLimits(unchecked: 256 << 20, field: CSVReader.defaultMaxFieldBytes, rows: 100_000)

    private init(unchecked file: Int, field: Int, rows: Int) {
        maxFileBytes = file
        maxFieldBytes = field
        maxRowsPerCustomer = rows
    }

    /// The file's bytes, refused before they are read when the file is larger than `maxFileBytes`.
    /// Read straight into one buffer (no second copy of the file).
    func readFile(_ url: URL) throws -> [UInt8] {
        let name = url.lastPathComponent
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw IngestError.unreadable(file: name, reason: "the file does not exist or is not readable")
        }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        guard size <= maxFileBytes else { throw IngestError.tooLarge(file: name, reason: fileMessage(size)) }
        try handle.seek(toOffset: 0)
        // Up to one byte past the expected size, so a file that grew since is caught by the check.
        let capacity = min(size, maxFileBytes) + 1
        let descriptor = handle.fileDescriptor
        let bytes = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            while count < capacity {
                let n = read(descriptor, base + count, capacity - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IngestError.unreadable(file: name, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                count += n
            }
        }
        guard bytes.count <= maxFileBytes, bytes.count <= size else {
            throw IngestError.tooLarge(file: name, reason: bytes.count > maxFileBytes ? fileMessage(bytes.count) : "the file grew while it was read; ingest it again once it is complete")
        }
        return bytes
    }

    func fileMessage(_ size: Int) -> String {
        "the file is \(Self.size(size)); the limit for one batch is \(Self.size(maxFileBytes)): split the file, or raise the limit with --max-file-mb"
    }

    /// Bytes below a megabyte, whole megabytes (MiB) above.
    static func size(_ bytes: Int) -> String {
        bytes < 1 << 20 ? "\(bytes) bytes" : "\(Int((Double(bytes) / Double(1 << 20)).rounded(.up))) MB"
    }

    /// The problem with a field of `bytes` bytes, or nil when it fits.
    func fieldProblem(_ name: String, bytes: Int) -> String? {
        guard bytes > maxFieldBytes else { return nil }
        return "field '\(name)' is longer than \(maxFieldBytes) bytes, the limit on one field: shorten it, or raise the limit with --max-field-kb"
    }

    /// Adds the way to raise the limit to a CSV reader's field-length error.
    func explain(_ error: CSVReader.SyntaxError) -> String {
        error.exceedsFieldLimit ? error.reason + "; shorten it, or raise the limit with --max-field-kb" : error.reason
    }

    var rowsMessage: String {
        "more than \(maxRowsPerCustomer) rows for one customer in this batch, the limit per customer: split the file, or raise the limit with --max-rows-per-customer"
    }
}
