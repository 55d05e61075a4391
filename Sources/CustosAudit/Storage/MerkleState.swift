/// What the writer persists at each checkpoint so that opening a large log does not rehash it:
/// the Merkle frontier at the checkpoint and how many bytes and entries of each segment it covers.
///
/// It is a cache, never trusted on its own: on open its frontier must reproduce the root of the latest
/// signed checkpoint, and the segment files must still be at least as long as recorded.
struct MerkleState: Equatable {
    struct Extent: Equatable {
        /// Segment file name.
        var name: String
        /// Bytes of the segment covered by the checkpoint.
        var bytes: UInt64
        /// Entries of the segment covered by the checkpoint.
        var entries: UInt64
    }

    var size: UInt64
    var frontier: [MerkleHash]
    var segments: [Extent]

    func encoded() -> [UInt8] {
        let value = JSONValue.object([
            "version": .integer(1),
            "size": .integer(Int64(size)),
            "frontier": .array(frontier.map { .string($0.base64) }),
            "segments": .array(segments.map {
                .object(["name": .string($0.name), "bytes": .integer(Int64($0.bytes)),
                         "entries": .integer(Int64($0.entries))])
            }),
        ])
        return CanonicalJSON.encode(value) + [0x0A]
    }

    init(size: UInt64, frontier: [MerkleHash], segments: [Extent]) {
        self.size = size
        self.frontier = frontier
        self.segments = segments
    }

    init(parsing bytes: [UInt8]) throws(AuditError) {
        let trimmed = bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes
        let value: JSONValue
        do {
            value = try JSONParser.parse(trimmed)
        } catch {
            throw .malformedState(reason: error.description)
        }
        guard let o = value.objectValue, o["version"]?.integerValue == 1,
              let size = o["size"]?.integerValue, size >= 0,
              let frontier = o["frontier"]?.arrayValue, let segments = o["segments"]?.arrayValue
        else { throw .malformedState(reason: "missing or mistyped members") }
        var hashes = [MerkleHash]()
        for item in frontier {
            guard let text = item.stringValue, let hash = MerkleHash(base64: text) else {
                throw .malformedState(reason: "a frontier hash is not base64 of 32 bytes")
            }
            hashes.append(hash)
        }
        var extents = [Extent]()
        for item in segments {
            guard let e = item.objectValue, let name = e["name"]?.stringValue,
                  AuditLayout.segmentNumber(name) == extents.count + 1,
                  let b = e["bytes"]?.integerValue, b >= 0, let n = e["entries"]?.integerValue, n >= 0
            else { throw .malformedState(reason: "a segment extent is malformed or out of order") }
            extents.append(Extent(name: name, bytes: UInt64(b), entries: UInt64(n)))
        }
        guard hashes.count == UInt64(size).nonzeroBitCount,
              extents.reduce(UInt64(0), { $0 + $1.entries }) == UInt64(size)
        else { throw .malformedState(reason: "sizes do not add up") }
        self.size = UInt64(size)
        self.frontier = hashes
        self.segments = extents
    }
}
