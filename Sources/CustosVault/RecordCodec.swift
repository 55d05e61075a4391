import CustosSchema

/// Binary encoding of a block of one subject's rows before sealing. Compact and fast to decode:
///
///     block  := version(1) columnCount(varint) rowCount(varint) row*
///     row    := value{columnCount}
///     value  := tag(1) payload
///
/// Tags: 0 missing; 1 string and 6 category (varint length, UTF-8); 2 integer, 3 decimal,
/// 4 date, 5 timestamp (zig-zag varint); 7 items (varint count, then each as a string).
/// Columns are positional in the dataset's declared order; a block written before a column was
/// appended to the schema decodes that column as missing.
public enum RecordCodec {
    static let version: UInt8 = 1

    public static func encode(rows: [[Value]], columnCount: Int, into out: inout [UInt8]) {
        out.append(version)
        writeVarint(UInt64(columnCount), &out)
        writeVarint(UInt64(rows.count), &out)
        for row in rows {
            for value in row { encode(value, &out) }
        }
    }

    public static func encode(rows: [[Value]], columnCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * columnCount * 8 + 8)
        encode(rows: rows, columnCount: columnCount, into: &out)
        return out
    }

    /// Canonical bytes of one row (used for de-duplication digests).
    public static func encodeRow(_ row: [Value], into out: inout [UInt8]) {
        for value in row { encode(value, &out) }
    }

    static func encode(_ value: Value, _ out: inout [UInt8]) {
        switch value {
        case .missing: out.append(0)
        case let .string(s): out.append(1); writeString(s, &out)
        case let .integer(v): out.append(2); writeVarint(zigzag(v), &out)
        case let .decimal(v): out.append(3); writeVarint(zigzag(v), &out)
        case let .date(d): out.append(4); writeVarint(zigzag(Int64(d)), &out)
        case let .timestamp(t): out.append(5); writeVarint(zigzag(t), &out)
        case let .category(s): out.append(6); writeString(s, &out)
        case let .items(list):
            out.append(7)
            writeVarint(UInt64(list.count), &out)
            for item in list { writeString(item, &out) }
        }
    }

    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    @inline(__always) static func writeVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always) static func writeString(_ s: String, _ out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count), &out)
            out.append(contentsOf: utf8)
        }
    }

    /// Decodes a block into rows of `columnCount` values.
    public static func decode(_ bytes: UnsafeRawBufferPointer, columnCount: Int) throws -> [[Value]] {
        var reader = Reader(bytes: bytes)
        var rows: [[Value]] = []
        try reader.forEachRow(columnCount: columnCount) { row in rows.append(row) }
        return rows
    }

    /// Streaming view over a decoded block, without materialising intermediate arrays.
    public struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        @inline(__always) mutating func byte() throws -> UInt8 {
            guard position < bytes.count else { throw RecordCodecError.truncated }
            defer { position += 1 }
            return bytes[position]
        }

        @inline(__always) mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                result |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return result }
                shift += 7
                guard shift < 64 else { throw RecordCodecError.malformed }
            }
        }

        @inline(__always) mutating func string() throws -> String {
            let length = Int(try varint())
            guard length >= 0, position + length <= bytes.count else { throw RecordCodecError.truncated }
            defer { position += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]), as: UTF8.self)
        }

        public mutating func value() throws -> Value {
            switch try byte() {
            case 0: return .missing
            case 1: return .string(try string())
            case 2: return .integer(unzigzag(try varint()))
            case 3: return .decimal(unzigzag(try varint()))
            case 4: return .date(Int32(truncatingIfNeeded: unzigzag(try varint())))
            case 5: return .timestamp(unzigzag(try varint()))
            case 6: return .category(try string())
            case 7:
                let count = Int(try varint())
                guard count <= bytes.count else { throw RecordCodecError.malformed }
                var items: [String] = []
                items.reserveCapacity(count)
                for _ in 0..<count { items.append(try string()) }
                return .items(items)
            default: throw RecordCodecError.malformed
            }
        }

        /// Skips one value without materialising it.
        mutating func skipValue() throws {
            switch try byte() {
            case 0: return
            case 1, 6:
                let length = Int(try varint())
                guard length >= 0, position + length <= bytes.count else { throw RecordCodecError.truncated }
                position += length
            case 2, 3, 4, 5: _ = try varint()
            case 7:
                let count = Int(try varint())
                guard count <= bytes.count else { throw RecordCodecError.malformed }
                for _ in 0..<count {
                    let length = Int(try varint())
                    guard length >= 0, position + length <= bytes.count else { throw RecordCodecError.truncated }
                    position += length
                }
            default: throw RecordCodecError.malformed
            }
        }

        /// Calls `body` with only the `projection` columns of each row (in projection order), skipping
        /// the others without decoding them. Columns a block predates come out as `.missing`.
        public mutating func forEachRow(projection: [Int], _ body: ([Value]) throws -> Void) throws {
            guard try byte() == RecordCodec.version else { throw RecordCodecError.unsupportedVersion }
            let stored = Int(try varint())
            let rowCount = Int(try varint())
            // slot[c] = position of stored column c in the output, or -1 to skip it.
            var slot = [Int](repeating: -1, count: stored)
            var copies: [(to: Int, from: Int)] = []  // a column projected twice
            for (i, c) in projection.enumerated() where c < stored {
                if slot[c] < 0 { slot[c] = i } else { copies.append((i, slot[c])) }
            }
            var row = [Value](repeating: .missing, count: projection.count)
            for _ in 0..<rowCount {
                for c in 0..<stored {
                    let s = slot[c]
                    if s >= 0 { row[s] = try value() } else { try skipValue() }
                }
                for copy in copies { row[copy.to] = row[copy.from] }
                try body(row)
            }
        }

        /// Calls `body` for each row, padded with `.missing` to `columnCount`.
        public mutating func forEachRow(columnCount: Int, _ body: ([Value]) throws -> Void) throws {
            guard try byte() == RecordCodec.version else { throw RecordCodecError.unsupportedVersion }
            let stored = Int(try varint())
            let rowCount = Int(try varint())
            var row = [Value](repeating: .missing, count: columnCount)
            for _ in 0..<rowCount {
                for c in 0..<stored {
                    let v = try value()
                    if c < columnCount { row[c] = v }
                }
                try body(row)
            }
        }
    }
}

/// A decrypted block did not decode: only possible with a bug or a format change, since the AEAD tag
/// already proved the bytes are the ones written.
public enum RecordCodecError: Error, Sendable {
    case truncated, malformed, unsupportedVersion
}
