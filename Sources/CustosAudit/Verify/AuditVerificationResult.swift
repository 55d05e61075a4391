/// One thing verification found wrong, where, and what to do about it.
public struct AuditProblem: Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: String, Sendable, Equatable {
        /// The FORMAT marker is missing or wrong.
        case formatMarker
        /// Segment files are missing, misnamed or out of place.
        case segmentLayout
        /// An entry line is not canonical JSON.
        case entryEncoding
        /// A line without a final newline where one is required.
        case tornEntry
        /// A checkpoint cannot be parsed or its signature does not verify.
        case checkpointSignature
        /// A checkpoint's root does not match the entries it covers.
        case checkpointRootMismatch
        /// A checkpoint covers more entries than the log holds.
        case missingEntries
        /// Two checkpoints are not consistent (no valid consistency proof between them).
        case inconsistentCheckpoints
        /// The log holds entries but no valid checkpoint covers any of them.
        case noCheckpoint
        /// A checkpoint supplied from outside the directory does not match the log.
        case externalCheckpoint
        /// The checkpoint anchor kept outside `audit/` is ahead of the checkpoints or does not match.
        case anchor
        /// A witness cosignature line does not verify.
        case cosignature
        /// A witness key was given but no matching checkpoint carries its valid cosignature.
        case notWitnessed
    }

    /// The kind of problem.
    public let kind: Kind
    /// Where: a segment file and line with the entry index, a range of them, or a checkpoint file.
    public let location: String
    /// What is wrong.
    public let message: String
    /// What to do.
    public let remedy: String

    public var description: String { "\(location): \(message). \(remedy)" }
}

/// What `AuditVerifier.verify` checked and found.
public struct AuditVerificationResult: Sendable {
    /// The audit directory checked.
    public let directory: String
    /// Complete entry lines found.
    public let entryCount: UInt64
    /// Segment files read.
    public let segmentCount: Int
    /// Checkpoint files found.
    public let checkpointCount: Int
    /// Checkpoints whose signature verified and whose root equals the root recomputed from the entries.
    public let checkpointsMatchingEntries: Int
    /// Consistency proofs between consecutive checkpoints that verified against their signed roots.
    public let consistencyProofsVerified: Int
    /// The latest checkpoint whose signature verified, if any.
    public let latestCheckpoint: Checkpoint?
    /// Entries after the latest valid checkpoint (not yet sealed by a signature).
    public let entriesNotCheckpointed: UInt64
    /// The root recomputed over all complete entries.
    public let rootHash: MerkleHash
    /// Everything wrong; empty when the log verified.
    public let problems: [AuditProblem]
    /// Things worth knowing that are not failures (e.g. entries not yet checkpointed).
    public let notices: [String]
    /// Size of the checkpoint recorded by the workspace's anchor, when one was checked.
    public internal(set) var anchoredSize: UInt64? = nil
    /// For each witness key given: the largest checkpoint it validly cosigned that matches the entries
    /// (entries 0…size-1 are witnessed).
    public internal(set) var witnessedSizes: [String: UInt64] = [:]

    /// True when nothing is wrong.
    public var isValid: Bool { problems.isEmpty }

    /// A human-readable account: what was checked, then each problem with its location and remedy.
    public var summary: String {
        var lines = [String]()
        lines.append(isValid ? "audit log verified" : "audit log FAILED verification (\(problems.count) problem(s))")
        lines.append("  entries: \(entryCount) in \(segmentCount) segment file(s), each re-hashed from its bytes")
        lines.append("  root hash of all entries: \(rootHash.base64)")
        lines.append("  checkpoints: \(checkpointCount) found, \(checkpointsMatchingEntries) with a valid signature "
                     + "and a root matching the entries")
        lines.append("  consistency proofs between consecutive checkpoints: \(consistencyProofsVerified) verified")
        if let latestCheckpoint {
            var text = "  latest valid checkpoint: size \(latestCheckpoint.size)"
            if let t = latestCheckpoint.timeMilliseconds { text += ", signed \(AuditTimestamp.format(milliseconds: t))" }
            lines.append(text)
        }
        if let anchoredSize { lines.append("  anchored signed size (kept outside audit/): \(anchoredSize)") }
        for (name, size) in witnessedSizes.sorted(by: { $0.key < $1.key }) {
            lines.append("  witnessed by \(name): entries 0…\(Int64(size) - 1) (cosigned checkpoint of size \(size))")
        }
        for notice in notices { lines.append("  note: " + notice) }
        for problem in problems { lines.append("  PROBLEM " + problem.description) }
        return lines.joined(separator: "\n")
    }

    /// The result as JSON (for `--json` output and the audit report).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "valid": .bool(isValid),
            "entryCount": .integer(Int64(entryCount)),
            "segmentCount": .integer(Int64(segmentCount)),
            "checkpointCount": .integer(Int64(checkpointCount)),
            "checkpointsMatchingEntries": .integer(Int64(checkpointsMatchingEntries)),
            "consistencyProofsVerified": .integer(Int64(consistencyProofsVerified)),
            "entriesNotCheckpointed": .integer(Int64(entriesNotCheckpointed)),
            "rootHash": .string(rootHash.base64),
            "problems": .array(problems.map {
                .object(["kind": .string($0.kind.rawValue), "location": .string($0.location),
                         "message": .string($0.message), "remedy": .string($0.remedy)])
            }),
            "notices": .array(notices.map { .string($0) }),
        ]
        if let anchoredSize { o["anchoredSize"] = .integer(Int64(anchoredSize)) }
        if !witnessedSizes.isEmpty { o["witnessed"] = .object(witnessedSizes.mapValues { .integer(Int64($0)) }) }
        if let latestCheckpoint {
            var c: [String: JSONValue] = ["size": .integer(Int64(latestCheckpoint.size)),
                                          "rootHash": .string(latestCheckpoint.rootHash.base64),
                                          "origin": .string(latestCheckpoint.origin)]
            if let t = latestCheckpoint.timeMilliseconds { c["time"] = .string(AuditTimestamp.format(milliseconds: t)) }
            o["latestCheckpoint"] = .object(c)
        }
        return .object(o)
    }
}
