import ArgumentParser
import CustosAudit
import CustosClient
import CustosCrypto
import CustosEngine
import CustosSchema
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, prove and report on the tamper-evident audit log.",
        discussion: """
            The log is canonical JSON lines in an RFC 6962 Merkle tree with Ed25519-signed checkpoints \
            (audit/README.md describes the format). Verify, prove and report only read: they never append or sign. `witness` cosigns checkpoints with a key kept off the server.
            """,
        subcommands: [Verify.self, Prove.self, Report.self, LatestCheckpoint.self, WitnessKeygen.self, Witness.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every entry, rebuild the Merkle tree, check every checkpoint signature and consistency, the anchor and witness cosignatures. Read-only: never appends or signs.",
            discussion: """
                Exits 1 when verification fails. tools/audit-verify/verify.py checks the same log with no code shared. With \
                --server the service verifies its log (POST /v1/audit/verify; compliance officer or operator), with the \
                witness keys and checkpoints read here and sent along.
                """)
        @OptionGroup var options: WorkspaceOptions
        @Option(name: .customLong("witness-key"), help: "A witness's .vkey file (from `audit witness-keygen`); its cosignatures must verify and cover the log. Repeatable.")
        var witnessKeys: [String] = []
        @Option(name: .customLong("checkpoint"), help: "A signed checkpoint kept outside the workspace (a note, or a witness state file); the log must still match it. Repeatable.")
        var checkpoints: [String] = []

        func run() async throws {
            if let client = options.client(token: nil, role: nil) {
                let witnessTexts: [String], checkpointTexts: [String]
                do {
                    witnessTexts = try witnessKeys.map { try String(contentsOfFile: $0, encoding: .utf8) }
                    checkpointTexts = try checkpoints.map { try String(contentsOfFile: $0, encoding: .utf8) }
                } catch {
                    throw fail(CommandFailure("cannot read a --witness-key or --checkpoint file (\(error.localizedDescription)); check the paths"))
                }
                let fields: [String: Any?] = ["witness_keys": witnessTexts, "checkpoints": checkpointTexts]
                let result = try await withService { try await client.post("/v1/audit/verify", fields).decode(RemoteVerification.self) }
                print(result.valid ? "audit log verified" : "AUDIT LOG VERIFICATION FAILED")
                print("  \(result.entryCount) entries in \(result.segmentCount) segments, \(result.checkpointCount) signed checkpoints, \(result.consistencyProofsVerified) consistency proofs")
                print("  root \(Remote.hex(base64: result.rootHash))")
                if let latest = result.latestCheckpoint { print("  latest signed checkpoint: size \(latest.size) root \(latest.rootHash)") }
                if let anchored = result.anchoredSize { print("  anchored signed size (kept outside audit/): \(anchored)") }
                for (name, size) in (result.witnessed ?? [:]).sorted(by: { $0.key < $1.key }) { print("  witnessed by \(name): the first \(size) entries") }
                if (result.witnessed ?? [:]).isEmpty {
                    print("  note: no witness checked; anyone holding keys/audit.key can forge an unwitnessed tail (see `custos audit witness`)")
                }
                for problem in result.problems { print("  problem: \(problem.location): \(problem.message). \(problem.remedy)") }
                for notice in result.notices { print("  note: \(notice)") }
                if !result.valid { throw ExitCode.failure }
                return
            }
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

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Emit an RFC 6962 inclusion proof (--entry N) or consistency proof (--old-size M) as JSON or C2SP tlog-proof.",
            discussion: """
                Sizes are tree sizes (numbers of entries), not dates. An inclusion proof shows that entry N is in \
                the tree of --size entries; a consistency proof shows that the tree of --old-size entries is a \
                prefix of the tree of --size entries. --size defaults to the latest signed checkpoint.
                Examples:
                  custos audit prove --entry 3 --format tlog
                  custos audit prove --old-size 10 --size 40
                With --server: POST /v1/audit/prove (compliance officer or operator).
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

        func run() async throws {
            if let client = options.client(token: nil, role: nil) {
                let fields: [String: Any?] = ["entry": entry, "old_size": oldSize, "size": size, "format": format.rawValue]
                let text = try await withService {
                    try await client.post("/v1/audit/prove", fields, accept: format == .tlog ? "text/plain" : "application/json").text
                }
                return print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
            }
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

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accesses, denials, budget spent, data-subject requests and verification status.",
            discussion: """
                Prints a short summary to the terminal; --format html or --output FILE writes the full report \
                (HTML, or JSON with --format json or a .json file). --from and --to are days (YYYY-MM-DD), inclusive.
                Example: custos audit report --from 2026-01-01 --to 2026-03-31 --output q1.html
                With --server: GET /v1/audit/report (compliance officer or operator); the summary is made here from its JSON.
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

        func run() async throws {
            let format = output.resolvedFormat
            if let client = options.client(token: nil, role: nil) {
                try output.checkDestination(workspace: options.url)
                let path = "/v1/audit/report" + Remote.query([("from", from), ("to", to)])
                let text = try await withService { try await client.send("GET", path, accept: format == .html ? "text/html" : "application/json").text }
                return try output.emit(format == .text ? try ReportSummary.audit(json: text) : text, workspace: options.url)
            }
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

    struct LatestCheckpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint", abstract: "Print the log's latest signed checkpoint (the note a witness cosigns). Read-only.",
            discussion: """
                Keep a copy outside the workspace: `audit verify --checkpoint FILE` later checks that the log still \
                matches it. With --server: GET /v1/audit/checkpoint (compliance officer or operator).
                """)
        @OptionGroup var options: WorkspaceOptions

        /// What `GET /v1/audit/checkpoint` answers.
        struct View: Decodable { let note: String }

        func run() async throws {
            let note: String
            if let client = options.client(token: nil, role: nil) {
                note = try await withService { try await client.send("GET", "/v1/audit/checkpoint").decode(View.self) }.note
            } else {
                let latest: Checkpoint?
                do { latest = try Engine.readOnlyAudit(try options.open()).latestCheckpoint() } catch { throw fail(error) }
                guard let latest else { throw fail(CommandFailure("the log has no signed checkpoint yet; any command that writes to it signs one")) }
                note = latest.signedNote
            }
            print(note, terminator: note.hasSuffix("\n") ? "" : "\n")
        }
    }

    /// What `POST /v1/audit/verify` answers (the verifier's JSON).
    struct RemoteVerification: Decodable {
        struct Problem: Decodable { let location: String; let message: String; let remedy: String }
        struct Latest: Decodable { let size: UInt64; let rootHash: String }
        let valid: Bool
        let entryCount: UInt64
        let segmentCount: Int
        let checkpointCount: Int
        let consistencyProofsVerified: Int
        let rootHash: String
        let latestCheckpoint: Latest?
        let anchoredSize: UInt64?
        let witnessed: [String: UInt64]?
        let problems: [Problem]
        let notices: [String]
    }
}
