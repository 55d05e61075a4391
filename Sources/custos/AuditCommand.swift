import ArgumentParser
import CustosAudit
import CustosCrypto
import CustosEngine
import CustosSchema
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, prove and report on the tamper-evident audit log.",
        discussion: """
            The log is canonical JSON lines in an RFC 6962 Merkle tree with Ed25519-signed checkpoints \
            (audit/README.md describes the format). Verify, prove and report only read: they never append or sign. `witness` cosigns checkpoints with a key kept off the server.
            """,
        subcommands: [Verify.self, Prove.self, Report.self, WitnessKeygen.self, Witness.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every entry, rebuild the Merkle tree, check every checkpoint signature and consistency, the anchor and witness cosignatures. Read-only: never appends or signs.",
            discussion: "Exits 1 when verification fails. tools/audit-verify/verify.py checks the same log with no code shared.")
        @OptionGroup var options: WorkspaceOptions
        @Option(name: .customLong("witness-key"), help: "A witness's .vkey file (from `audit witness-keygen`); its cosignatures must verify and cover the log. Repeatable.")
        var witnessKeys: [String] = []
        @Option(name: .customLong("checkpoint"), help: "A signed checkpoint kept outside the workspace (a note, or a witness state file); the log must still match it. Repeatable.")
        var checkpoints: [String] = []

        func run() throws {
            let result: AuditVerificationResult
            do {
                let witnesses = try witnessKeys.map { try CosignerKey(verifierKey: try String(contentsOfFile: $0, encoding: .utf8)) }
                let external = try checkpoints.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
                result = try Engine.readOnlyAudit(try options.open()).verify(witnesses: witnesses, externalCheckpoints: external)
            } catch {
                throw fail(error)
            }
            print(result.isValid ? "audit log verified" : "AUDIT LOG VERIFICATION FAILED")
            print("  \(result.entryCount) entries in \(result.segmentCount) segments, \(result.checkpointCount) signed checkpoints, \(result.consistencyProofsVerified) consistency proofs")
            print("  root \(result.rootHash)")
            if let latest = result.latestCheckpoint { print("  latest signed checkpoint: size \(latest.size) root \(latest.rootHash.base64)") }
            if let anchored = result.anchoredSize { print("  anchored signed size (kept outside audit/): \(anchored)") }
            for (name, size) in result.witnessedSizes.sorted(by: { $0.key < $1.key }) {
                print("  witnessed by \(name): the first \(size) entries")
            }
            if result.witnessedSizes.isEmpty {
                print("  note: no witness checked; anyone holding keys/audit.key can forge an unwitnessed tail (see `custos audit witness`)")
            }
            for problem in result.problems { print("  problem: \(problem)") }
            for notice in result.notices { print("  note: \(notice)") }
            if !result.isValid { throw ExitCode.failure }
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Emit an RFC 6962 inclusion proof (--entry N) or consistency proof (--old-size M) as JSON or C2SP tlog-proof.",
            discussion: """
                Sizes are tree sizes (numbers of entries), not dates. An inclusion proof shows that entry N is in \
                the tree of --size entries; a consistency proof shows that the tree of --old-size entries is a \
                prefix of the tree of --size entries. --size defaults to the latest signed checkpoint.
                Examples:
                  custos audit prove --entry 3 --format tlog
                  custos audit prove --old-size 10 --size 40
                """)
        @OptionGroup var options: WorkspaceOptions
        @Option(help: ArgumentHelp("Entry index (0-based) for an inclusion proof.", valueName: "index")) var entry: UInt64?
        @Option(help: ArgumentHelp("Tree size of the earlier tree, for a consistency proof.", valueName: "tree-size"))
        var oldSize: UInt64?
        @Option(help: ArgumentHelp("Tree size the proof is against (default: the latest signed checkpoint).", valueName: "tree-size"))
        var size: UInt64?
        @Option(help: "Proof form (tlog: C2SP tlog-proof text, inclusion proofs only).") var format: ProofFormat = .json
        // The names this command used for tree sizes until they were renamed (they are dates in
        // `audit report`); kept hidden only to point old scripts at the new names.
        @Option(name: .customLong("from"), help: .hidden) var oldFrom: String?
        @Option(name: .customLong("to"), help: .hidden) var oldTo: String?

        func validate() throws {
            if oldFrom != nil || oldTo != nil {
                throw ValidationError("audit prove takes tree sizes as --old-size M and --size N (--from and --to are the dates of `audit report`)")
            }
            switch (entry, oldSize) {
            case (nil, nil):
                throw ValidationError("give --entry N for an inclusion proof or --old-size M [--size N] for a consistency proof")
            case (.some, .some):
                throw ValidationError("--entry (inclusion proof) and --old-size (consistency proof) exclude each other; give one")
            case let (.some(entry), nil):
                if let size, entry >= size { throw ValidationError("--entry \(entry) is not in a tree of --size \(size) entries; entries are numbered from 0") }
            case let (nil, .some(oldSize)):
                if format == .tlog { throw ValidationError("consistency proofs have no C2SP text form; use --format json") }
                if let size, oldSize > size { throw ValidationError("--old-size \(oldSize) is larger than --size \(size); the old tree must be the smaller") }
            }
        }

        func run() throws {
            do {
                // Read-only: no writer is opened, nothing is appended or signed.
                let prover = try Engine.readOnlyAudit(try options.open()).prover()
                if let entry {
                    let proof = try prover.inclusionProof(entry: entry, treeSize: size)
                    if format == .tlog {
                        guard let text = proof.tlogProofText else {
                            throw CommandFailure("no signed checkpoint covers tree size \(proof.proof.treeSize); use --format json, or --size of a checkpoint")
                        }
                        print(text)
                    } else {
                        print(String(decoding: CanonicalJSON.encode(proof.json), as: UTF8.self))
                    }
                } else if let oldSize {
                    let proof = try prover.consistencyProof(from: oldSize, to: size)
                    print(String(decoding: CanonicalJSON.encode(proof.json), as: UTF8.self))
                }
            } catch {
                throw fail(error)
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accesses, denials, budget spent, data-subject requests and verification status.",
            discussion: """
                Prints a short summary to the terminal; --format html or --output FILE writes the full report \
                (HTML, or JSON with --format json or a .json file). --from and --to are days (YYYY-MM-DD), inclusive.
                Example: custos audit report --from 2026-01-01 --to 2026-03-31 --output q1.html
                """)
        @OptionGroup var options: WorkspaceOptions
        @Option(help: ArgumentHelp("First day of the period (YYYY-MM-DD; default: the first entry).", valueName: "date")) var from: String?
        @Option(help: ArgumentHelp("Last day of the period (YYYY-MM-DD; default: the latest entry).", valueName: "date")) var to: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for (name, value) in [("--from", from), ("--to", to)] {
                if let value, ValueParser.parseDate(value) == nil { throw ValidationError("\(name) '\(value)' is not a date; use YYYY-MM-DD") }
            }
            if let from, let to, let a = ValueParser.parseDate(from), let b = ValueParser.parseDate(to), a > b {
                throw ValidationError("--from \(from) is after --to \(to)")
            }
        }

        func run() throws {
            let format = output.resolvedFormat
            let text: String
            do {
                // Read-only: no writer is opened, nothing is appended or signed.
                text = try ReportService.auditReport(try options.open(), from: from, to: to, format: format == .text ? "json" : format.rawValue)
            } catch {
                throw fail(error)
            }
            try output.emit(format == .text ? try ReportSummary.audit(json: text) : text, workspace: options.url)
        }
    }
}
