import CustosCrypto
import Dispatch
import Foundation
import Synchronization

/// Verifies an audit directory from scratch: re-hashes every entry from its stored bytes (no stored
/// hash is trusted), checks that every line is canonical JSON, rebuilds the RFC 6962 tree, checks every
/// checkpoint's Ed25519 signature, that each checkpoint's root equals the root of the entries it covers,
/// and that consecutive checkpoints are linked by a valid RFC 9162 consistency proof.
public enum AuditVerifier {
    /// Verifies the log in `directory` against `publicKey` (the content of `keys/audit.pub`).
    ///
    /// - Parameters:
    ///   - origin: the expected origin; nil to take it from the first checkpoint.
    ///   - externalCheckpoints: signed checkpoints kept outside the directory (e.g. published earlier);
    ///     each must verify and match the log, which detects a log rolled back as a whole.
    ///   - anchoredCheckpoint: the signed checkpoint the workspace recorded outside `audit/` (the anchor);
    ///     the log must hold checkpoints up to its size and reproduce its root.
    ///   - witnesses: witness keys whose cosignatures are checked; each must have cosigned a checkpoint
    ///     that matches the log, and every cosignature line by them must verify.
    /// - Returns: the result; problems are listed in it, not thrown. Throws only when the inputs are
    ///   unusable (unreadable key, missing directory). Reads only: it opens every file read-only, takes no
    ///   lock and holds no signing key.
    public static func verify(directory: URL, publicKey: Curve25519.Signing.PublicKey, origin: String? = nil,
                              externalCheckpoints: [[UInt8]] = [], anchoredCheckpoint: [UInt8]? = nil,
                              witnesses: [CosignerKey] = []) throws(AuditError) -> AuditVerificationResult {
        var run = try VerificationRun(directory: directory, publicKey: publicKey, origin: origin)
        run.witnesses = witnesses
        return try run.execute(externalCheckpoints: externalCheckpoints, anchor: anchoredCheckpoint)
    }

    /// Verifies with the public key given as PEM SubjectPublicKeyInfo text.
    public static func verify(directory: URL, publicKeyPEM: String, origin: String? = nil,
                              externalCheckpoints: [[UInt8]] = []) throws(AuditError) -> AuditVerificationResult {
        let key: Curve25519.Signing.PublicKey
        do {
            key = try Curve25519.Signing.PublicKey(pemRepresentation: publicKeyPEM)
        } catch {
            throw .unsupportedFormat(reason: "the public key is not a PEM Ed25519 public key (keys/audit.pub)")
        }
        return try verify(directory: directory, publicKey: key, origin: origin,
                          externalCheckpoints: externalCheckpoints)
    }
}

/// Collects problems from parallel workers.
private final class ProblemSink: Sendable {
    private let items = Mutex([(UInt64, AuditProblem)]())

    func add(_ index: UInt64, _ problem: AuditProblem) {
        items.withLock { $0.append((index, problem)) }
    }

    var sorted: [AuditProblem] { items.withLock { $0 }.sorted { $0.0 < $1.0 }.map(\.1) }
}

private struct VerificationRun {
    let paths: AuditPaths
    let publicKey: Curve25519.Signing.PublicKey
    var origin: String?
    var problems = [AuditProblem]()
    var notices = [String]()
    /// (segment name, index of its first entry, number of entries)
    var segmentMap = [(name: String, first: UInt64, count: UInt64)]()
    var witnesses = [CosignerKey]()
    /// Largest checkpoint size each witness cosigned that matches the entries, by witness name.
    var witnessed = [String: UInt64]()

    init(directory: URL, publicKey: Curve25519.Signing.PublicKey, origin: String?) throws(AuditError) {
        paths = AuditPaths(directory)
        self.publicKey = publicKey
        self.origin = origin
        guard FileIO.exists(paths.root) else {
            throw .io(operation: "open audit directory", path: paths.root, errno: ENOENT)
        }
    }

    mutating func problem(_ kind: AuditProblem.Kind, _ location: String, _ message: String, _ remedy: String) {
        problems.append(AuditProblem(kind: kind, location: location, message: message, remedy: remedy))
    }

    mutating func execute(externalCheckpoints: [[UInt8]], anchor: [UInt8]?) throws(AuditError) -> AuditVerificationResult {
        checkFormatMarker()
        // Checkpoints are listed before segments: a concurrent writer only adds checkpoints for entries
        // it has already written, so every checkpoint seen here covers entries we will read.
        let (checkpoints, checkpointFileCount, key) = try readCheckpoints()
        let (flat, segmentCount) = try hashSegments()
        let tree = MerkleTree(flatLeafHashes: flat)
        let n = tree.size
        var matching = 0
        var consistent = 0
        var lastGood: UInt64 = 0
        var firstMismatch: (size: UInt64, from: UInt64)?
        var laterMismatches = [UInt64]()
        var previous: (Checkpoint, Bool)?
        for (file, checkpoint) in checkpoints {
            var matches = false
            if checkpoint.size > n {
                problem(.missingEntries, "checkpoints/\(file)",
                        "it covers \(checkpoint.size) entries but the log holds only \(n): entries \(n)…"
                            + "\(checkpoint.size - 1) that were signed are missing (log truncated or entries deleted)",
                        "Restore the audit directory from a backup that verifies.")
            } else if (try? tree.rootHash(treeSize: checkpoint.size)) == checkpoint.rootHash {
                matches = true
                matching += 1
                lastGood = checkpoint.size
            } else if firstMismatch == nil {
                firstMismatch = (checkpoint.size, lastGood)
                problem(.checkpointRootMismatch, "checkpoints/\(file)",
                        "the entries do not reproduce its signed root: at least one of "
                            + describe(lastGood, checkpoint.size)
                            + " was altered, inserted, deleted or reordered after it was signed",
                        "Compare those lines with a backup; restore the audit directory from a backup that verifies.")
            } else {
                laterMismatches.append(checkpoint.size)
            }
            if let (before, beforeMatches) = previous, checkpoint.size <= n, before.size <= n {
                if let proof = try? tree.consistencyProof(fromSize: before.size, toSize: checkpoint.size),
                   proof.verify(fromRoot: before.rootHash, toRoot: checkpoint.rootHash) {
                    consistent += 1
                } else if beforeMatches && matches {
                    problem(.inconsistentCheckpoints, "checkpoints/\(file)",
                            "no valid consistency proof links it to the checkpoint of size \(before.size)",
                            "The log signed two incompatible histories; treat the signing key as compromised.")
                }
            }
            previous = (checkpoint, matches)
            checkCosignatures(checkpoint, label: "checkpoints/\(file)", matches: matches)
        }
        if let first = laterMismatches.first, let last = laterMismatches.last {
            problem(.checkpointRootMismatch, "checkpoints of sizes \(first)…\(last)",
                    "\(laterMismatches.count) later checkpoint(s) do not match either, as expected once an earlier "
                        + "entry changed",
                    "Fix the first mismatch above; these follow from it.")
        }
        if checkpoints.isEmpty && n > 0 && anchorSaysNothingSigned(anchor) {
            notices.append("no checkpoint yet: the anchor records that nothing was signed, so these \(n) entries are "
                           + "from a writer that is still running or crashed before its first checkpoint")
        } else if checkpoints.isEmpty && n > 0 {
            problem(.noCheckpoint, "checkpoints/",
                    "the log holds \(n) entries but no checkpoint with a valid signature",
                    "Nothing proves these entries are authentic; restore the checkpoints from backup.")
        }
        let latest = checkpoints.last?.1
        let covered = min(latest?.size ?? 0, n)
        var anchoredSize: UInt64?
        if let key {
            checkExternal(externalCheckpoints, key: key, tree: tree)
            if let anchor {
                anchoredSize = checkAnchor(anchor, key: key, tree: tree, latest: checkpoints.last?.1.size)
            }
        } else if let anchor, let size = try? parseAnchorSize(anchor), size > 0 {
            problem(.anchor, "checkpoint anchor",
                    "the workspace recorded a signed checkpoint of \(size) entries but audit/ holds no checkpoint to "
                        + "check it against (checkpoints deleted?)",
                    "Restore audit/ from a backup whose checkpoints reach that size.")
        }
        // Uncovered entries are normal after a crash, unless the anchor says they were signed (then the
        // anchor problems above explain them).
        if n > covered && firstMismatch == nil && (anchoredSize ?? 0) <= covered {
            notices.append("\(n - covered) entries after the latest checkpoint (\(describe(covered, n))) are not yet "
                           + "covered by a signature; they are sealed when the writer next checkpoints or opens the log")
        }
        for witness in witnesses where witnessed[witness.name] == nil {
            problem(.notWitnessed, "witness \(witness.name)",
                    "no checkpoint that matches the entries carries a valid cosignature by this witness",
                    "Run `custos audit witness` with the witness's key, or restore the cosigned checkpoints; if the "
                        + "witness holds a newer checkpoint, the log was rolled back.")
        }
        if !externalCheckpoints.isEmpty && key == nil {
            problem(.externalCheckpoint, "external checkpoint", "no origin is known to check it against",
                    "Pass the log origin explicitly.")
        }
        _ = checkpointFileCount
        var result = AuditVerificationResult(
            directory: paths.root, entryCount: n, segmentCount: segmentCount, checkpointCount: checkpointFileCount,
            checkpointsMatchingEntries: matching, consistencyProofsVerified: consistent, latestCheckpoint: latest,
            entriesNotCheckpointed: n > covered ? n - covered : 0, rootHash: tree.rootHash, problems: problems,
            notices: notices)
        result.anchoredSize = anchoredSize
        result.witnessedSizes = witnessed
        return result
    }

    mutating func checkFormatMarker() {
        guard let bytes = try? FileIO.read(paths.format) else {
            problem(.formatMarker, AuditLayout.formatFile, "the format marker file is missing",
                    "Restore it (content: '\(AuditLayout.formatLine.dropLast())').")
            return
        }
        if bytes != Array(AuditLayout.formatLine.utf8) {
            problem(.formatMarker, AuditLayout.formatFile, "unexpected format marker",
                    "This verifier reads format '\(AuditLayout.formatLine.dropLast())'.")
        }
    }

    /// Parses and signature-checks every checkpoint file; returns the valid ones by size.
    mutating func readCheckpoints() throws(AuditError) -> ([(String, Checkpoint)], Int, NoteVerifierKey?) {
        let files: [CheckpointFile]
        do {
            files = try paths.listCheckpoints()
        } catch {
            problem(.checkpointSignature, "checkpoints/", "\(error)", "Remove stray files from checkpoints/.")
            files = []
        }
        if origin == nil, let first = files.first, let bytes = try? FileIO.read(first.path),
           let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first {
            origin = String(line)
        }
        guard let origin else { return ([], files.count, nil) }
        let key: NoteVerifierKey
        do {
            key = try NoteVerifierKey(name: origin, publicKey: publicKey)
        } catch {
            problem(.checkpointSignature, "checkpoints/\(files.first?.name ?? "")",
                    "the origin line is not a valid key name (\(error))", "Restore the checkpoint files from backup.")
            return ([], files.count, nil)
        }
        var valid = [(String, Checkpoint)]()
        for file in files {
            do {
                let checkpoint = try Checkpoint(parsing: try FileIO.read(file.path), file: "checkpoints/" + file.name,
                                                verifier: key)
                guard checkpoint.size == file.size else {
                    problem(.checkpointSignature, "checkpoints/\(file.name)",
                            "its tree size \(checkpoint.size) differs from its file name",
                            "The file was renamed; restore it from backup.")
                    continue
                }
                valid.append((file.name, checkpoint))
            } catch {
                var message = "\(error)"
                if case .malformedCheckpoint(_, let reason) = error { message = reason }
                problem(.checkpointSignature, "checkpoints/\(file.name)", message,
                        "The checkpoint was altered or signed by another key: restore it from backup, and check that "
                            + "keys/audit.pub is the log's key.")
            }
        }
        return (valid, files.count, key)
    }

    /// Reads every segment, checks each line, and hashes all lines (on all cores).
    mutating func hashSegments() throws(AuditError) -> ([UInt8], Int) {
        let segments: [SegmentFile]
        do {
            segments = try paths.listSegments()
        } catch {
            var location = "segments/"
            if case .corruptSegment(let s, _, _) = error { location = s }
            problem(.segmentLayout, location, "\(error)", "Restore the missing segment from backup.")
            return ([], 0)
        }
        var flat = [UInt8]()
        var index: UInt64 = 0
        let sink = ProblemSink()
        for (position, segment) in segments.enumerated() {
            let bytes = try FileIO.read(segment.path)
            var count = 0
            var partial = 0
            bytes.withUnsafeBytes { raw in
                let (ends, tail) = LineSplitter.lineEnds(raw)
                count = ends.count
                partial = tail
                let base = flat.count
                flat.append(contentsOf: repeatElement(0, count: ends.count * 32))
                flat.withUnsafeMutableBytes { out in
                    VerificationRun.hashLines(raw: raw, ends: ends, out: out, base: base, firstIndex: index,
                                              segment: segment.name, sink: sink)
                }
            }
            segmentMap.append((segment.name, index, UInt64(count)))
            index += UInt64(count)
            if partial > 0 {
                if position == segments.count - 1 {
                    notices.append("segments/\(segment.name) ends with an incomplete line of \(partial) bytes after "
                                   + "line \(count) (a writer is active or crashed; the next open truncates it)")
                } else {
                    problem(.tornEntry, "segments/\(segment.name) line \(count + 1)",
                            "the segment ends without a newline although a later segment exists",
                            "Restore the segment from backup.")
                }
            }
        }
        problems.append(contentsOf: sink.sorted)
        return (flat, segments.count)
    }

    private static func hashLines(raw: UnsafeRawBufferPointer, ends: [Int], out: UnsafeMutableRawBufferPointer,
                                  base: Int, firstIndex: UInt64, segment: String, sink: ProblemSink) {
        let workers = ends.count >= 2048 ? 2 : 1
        let chunk = (ends.count + workers - 1) / max(workers, 1)
        let input = UncheckedSendable(raw)
        let output = UncheckedSendable(out)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lower = w * chunk
            let upper = min(ends.count, lower + chunk)
            guard lower < upper else { return }
            var scratch = [UInt8]()
            var schema = EntrySchema()
            for i in lower..<upper {
                let start = i == 0 ? 0 : ends[i - 1]
                let line = UnsafeRawBufferPointer(rebasing: input.value[start..<(ends[i] - 1)])
                let reason = line.isEmpty ? "empty line" : CanonicalValidator.entryProblem(in: line, checker: &schema)
                if let reason {
                    let index = firstIndex + UInt64(i)
                    sink.add(index, AuditProblem(
                        kind: .entryEncoding, location: "segments/\(segment) line \(i + 1) (entry \(index))",
                        message: "the line is not a valid entry: \(reason)",
                        remedy: "The entry was edited by hand or damaged; restore the segment from backup."))
                }
                let hash = RFC6962.leafHashBytes(line, scratch: &scratch)
                hash.withUnsafeBytes { h in
                    UnsafeMutableRawBufferPointer(rebasing: output.value[(base + i * 32)..<(base + i * 32 + 32)])
                        .copyMemory(from: h)
                }
            }
        }
    }

    mutating func checkExternal(_ notes: [[UInt8]], key: NoteVerifierKey, tree: MerkleTree) {
        for (i, stored) in notes.enumerated() {
            let bytes = Witness.checkpointNote(in: stored)  // a note, or a witness state file holding one
            let label = "external checkpoint #\(i + 1)"
            guard let checkpoint = try? Checkpoint(parsing: bytes, file: label, verifier: key) else {
                problem(.externalCheckpoint, label, "its signature does not verify with the audit key",
                        "Check that it belongs to this log.")
                continue
            }
            let matches = checkpoint.size <= tree.size
                && (try? tree.rootHash(treeSize: checkpoint.size)) == checkpoint.rootHash
            checkCosignatures(checkpoint, label: label, matches: matches)
            if checkpoint.size > tree.size {
                problem(.externalCheckpoint, label,
                        "it covers \(checkpoint.size) entries but the log holds only \(tree.size): the log was rolled "
                            + "back or truncated after that checkpoint was taken",
                        "Restore the audit directory from a backup that includes those entries.")
            } else if (try? tree.rootHash(treeSize: checkpoint.size)) != checkpoint.rootHash {
                problem(.externalCheckpoint, label,
                        "the first \(checkpoint.size) entries do not reproduce its root: the log was rewritten",
                        "Restore the audit directory from a backup that verifies.")
            }
        }
    }

    /// Checks every witness's cosignature lines on `checkpoint`; a valid one on a checkpoint that matches
    /// the entries extends that witness's witnessed prefix.
    mutating func checkCosignatures(_ checkpoint: Checkpoint, label: String, matches: Bool) {
        guard !witnesses.isEmpty, let note = try? SignedNote(parsing: Array(checkpoint.signedNote.utf8), file: label)
        else { return }
        for witness in witnesses {
            switch witness.status(of: note) {
            case .absent:
                continue
            case .invalid(let reason):
                problem(.cosignature, label, reason,
                        "Cosignatures cannot be repaired locally: restore the checkpoint from backup or have the witness "
                            + "cosign again.")
            case .valid:
                if matches { witnessed[witness.name] = max(witnessed[witness.name] ?? 0, checkpoint.size) }
            }
        }
    }

    /// Checks the anchored checkpoint against the checkpoints and entries; returns its size.
    mutating func checkAnchor(_ bytes: [UInt8], key: NoteVerifierKey, tree: MerkleTree, latest: UInt64?) -> UInt64? {
        let anchor: Checkpoint
        do {
            anchor = try Checkpoint(parsing: bytes, file: "checkpoint anchor", verifier: key)
        } catch {
            problem(.anchor, "checkpoint anchor", "the anchored checkpoint does not verify with the audit key",
                    "Restore the workspace's data store and audit/ from the same backup.")
            return nil
        }
        guard anchor.size > 0 else { return 0 }
        if (latest ?? 0) < anchor.size {
            problem(.anchor, "checkpoint anchor",
                    "the workspace recorded a signed checkpoint of \(anchor.size) entries (root \(anchor.rootHash.base64)) "
                        + "but audit/checkpoints/ "
                        + (latest.map { "reaches only size \($0)" } ?? "holds no valid checkpoint")
                        + ": newer checkpoints were deleted or an older copy of audit/ was restored",
                    "Restore audit/ from a backup whose checkpoints reach size \(anchor.size).")
        }
        if anchor.size > tree.size {
            problem(.anchor, "checkpoint anchor",
                    "it covers \(anchor.size) entries but the log holds only \(tree.size): signed entries are missing",
                    "Restore audit/ from a backup that holds them.")
        } else if (try? tree.rootHash(treeSize: anchor.size)) != anchor.rootHash {
            problem(.anchor, "checkpoint anchor",
                    "the first \(anchor.size) entries do not reproduce the anchored root: signed entries were altered, "
                        + "removed or reordered",
                    "Restore audit/ from a backup that verifies.")
        }
        return anchor.size
    }

    /// True when the anchor is a validly signed checkpoint of the empty tree (a new log, nothing signed yet).
    func anchorSaysNothingSigned(_ bytes: [UInt8]?) -> Bool {
        guard let bytes, let origin, let key = try? NoteVerifierKey(name: origin, publicKey: publicKey),
              let anchor = try? Checkpoint(parsing: bytes, file: "checkpoint anchor", verifier: key)
        else { return false }
        return anchor.size == 0
    }

    func parseAnchorSize(_ bytes: [UInt8]) throws -> UInt64? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        return lines.count > 1 ? UInt64(lines[1]) : nil
    }

    /// "entries a…b-1 (segments/X line p … segments/Y line q)" for the index range [a, b).
    func describe(_ a: UInt64, _ b: UInt64) -> String {
        guard b > a else { return "no entries" }
        func place(_ index: UInt64) -> String {
            for s in segmentMap where index >= s.first && index < s.first + s.count {
                return "segments/\(s.name) line \(index - s.first + 1)"
            }
            return "beyond the last segment"
        }
        if b - a == 1 { return "entry \(a) (\(place(a)))" }
        return "entries \(a)…\(b - 1) (\(place(a)) to \(place(b - 1)))"
    }
}
