import Foundation

/// Appends lines to the current segment, rolling to a new segment before a line would take it past
/// the roll size, and makes every write durable (fdatasync) before returning.
/// Used only by the group-commit leader, never concurrently.
final class SegmentWriter {
    private let paths: AuditPaths
    private let rollBytes: UInt64
    /// Every segment so far; the last one is the one being appended to.
    private(set) var extents: [MerkleState.Extent]
    private var fd: Int32 = -1

    init(paths: AuditPaths, rollBytes: UInt64, extents: [MerkleState.Extent]) throws(AuditError) {
        self.paths = paths
        self.rollBytes = rollBytes
        self.extents = extents
        if let last = extents.last {
            let path = paths.segments + "/" + last.name
            fd = try FileIO.open(path, O_WRONLY | O_APPEND)
        }
    }

    deinit { closeFile() }

    func closeFile() {
        if fd >= 0 { FileIO.close(fd) }
        fd = -1
    }

    /// Writes `bytes`, which holds whole lines of the given lengths (newline included), durably.
    func write(_ bytes: [UInt8], lineLengths: [Int]) throws(AuditError) {
        var offset = 0
        var i = 0
        while i < lineLengths.count {
            if fd < 0 || (extents[extents.count - 1].entries > 0
                          && extents[extents.count - 1].bytes + UInt64(lineLengths[i]) > rollBytes) {
                try roll()
            }
            let current = extents.count - 1
            var chunk = 0
            var count = 0
            while i < lineLengths.count,
                  count == 0 || extents[current].bytes + UInt64(chunk + lineLengths[i]) <= rollBytes {
                chunk += lineLengths[i]
                count += 1
                i += 1
            }
            let path = paths.segments + "/" + extents[current].name
            var failure: AuditError?
            bytes.withUnsafeBytes { raw in
                do throws(AuditError) {
                    try FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + chunk)]), path: path)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            try FileIO.sync(fd, path: path)
            extents[current].bytes += UInt64(chunk)
            extents[current].entries += UInt64(count)
            offset += chunk
        }
    }

    private func roll() throws(AuditError) {
        closeFile()
        let segment = paths.segment(extents.count + 1)
        fd = try FileIO.open(segment.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND)
        try FileIO.syncDirectory(paths.segments)
        extents.append(MerkleState.Extent(name: segment.name, bytes: 0, entries: 0))
    }
}
