import CustosVault
import Foundation
import HTTPTypes
import Hummingbird

/// An uploaded file (ingest, consent import) on its way to the engine: streamed as it arrives into
/// an owner-only file (0600) in the service's private folder `<workspace>/tmp/` (0700), never
/// held whole in memory, refused past the upload limit, and shredded (overwritten, then unlinked)
/// when the work is done, whether or not it succeeded.
struct UploadSpool: Sendable {
    /// The file's format, from the request's `Content-Type`.
    enum Format: String, Sendable {
        case csv, jsonl
        static func from(contentType: String?) -> Format? {
            let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            switch type {
            case "text/csv": return .csv
            case "application/x-ndjson", "application/jsonl", "application/jsonlines": return .jsonl
            default: return nil
            }
        }
    }

    let file: URL
    let format: Format

    /// The folder uploads wait in; created (and kept) owner-only.
    static func folder(workspace: URL) throws -> URL {
        let folder = workspace.appendingPathComponent("tmp")
        if mkdir(folder.path, 0o700) != 0 && errno != EEXIST {
            throw Problem("upload-failed", status: 500, title: "Upload failed", detail: "the service cannot create its upload folder; tell the operator")
        }
        // Whatever created it before (or the umask), only the service's account may enter it.
        chmod(folder.path, 0o700)
        return folder
    }

    /// Streams the body of `request` into a new spool file; refuses a missing or unknown
    /// `Content-Type` and a body over `limit` bytes (the partial file is shredded).
    static func receive(_ request: Request, workspace: URL, limit: Int) async throws -> UploadSpool {
        guard let format = Format.from(contentType: request.headers[.contentType]) else {
            throw Problem("unsupported-media-type", status: 415, title: "Unsupported media type",
                          detail: "send the file as text/csv or application/x-ndjson (JSON Lines)")
        }
        let folder = try folder(workspace: workspace)
        let file = folder.appendingPathComponent("upload-\(UUID().uuidString.lowercased()).\(format.rawValue)")
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Problem("upload-failed", status: 500, title: "Upload failed", detail: "the service cannot create an upload file; tell the operator")
        }
        let spool = UploadSpool(file: file, format: format)
        var received = 0
        do {
            defer { close(fd) }
            for try await buffer in request.body {
                received += buffer.readableBytes
                guard received <= limit else { throw Problem.tooLarge(limit: limit) }
                let written = buffer.withUnsafeReadableBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let n = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                        if n <= 0 { return false }
                        offset += n
                    }
                    return true
                }
                guard written else {
                    throw Problem("upload-failed", status: 507, title: "Upload failed",
                                  detail: "the service could not store the upload (disk full?); tell the operator")
                }
            }
            guard received > 0 else { throw Problem.badRequest("the body is empty; send the file's bytes") }
        } catch {
            spool.shred()
            throw error
        }
        return spool
    }

    /// Refuses, before any job starts, a file whose first line is not a CSV header (or a JSON object)
    /// naming `column`: a request that cannot succeed is a 400 now, not a failed job later. The
    /// file is shredded when refused. Nothing of the line is echoed (it may be personal data).
    func requireHeader(naming column: String) throws {
        guard let handle = FileHandle(forReadingAtPath: file.path) else { return }
        var head = Array(handle.readData(ofLength: 64 << 10))
        try? handle.close()
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        let line = head.prefix { $0 != 0x0A && $0 != 0x0D }
        let found: Bool
        switch format {
        case .csv:
            let names = line.split(separator: 0x2C).map { field in
                String(decoding: field, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\" \t"))
            }
            found = names.contains(column)
        case .jsonl:
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            found = object?[column] != nil
        }
        guard found else {
            shred()
            throw Problem.badRequest(format == .csv
                ? "the file's first line must be a CSV header naming the column '\(column)'"
                : "the file's first line must be a JSON object with the field '\(column)'")
        }
    }

    /// Overwrites the file with random bytes and unlinks it.
    func shred() { KeyHierarchy.destroyFile(file) }
}
