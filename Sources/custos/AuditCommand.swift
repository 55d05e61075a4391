import ArgumentParser
import CustosAudit
import CustosCrypto
import CustosEngine
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, prove and report on the tamper-evident audit log.",
        subcommands: [Verify.self, Prove.self, Report.self, WitnessKeygen.self, Witness.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every entry, rebuild the Merkle tree, check every checkpoint signature and consistency, the anchor and witness cosignatures. Read-only: never appends or signs.")
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
            abstract: "Emit an RFC 6962 inclusion proof (--entry N) or consistency proof (--from M --to N) as JSON or C2SP tlog-proof.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "Entry index (0-based) for an inclusion proof.") var entry: UInt64?
        @Option(help: "Smaller tree size for a consistency proof.") var from: UInt64?
        @Option(help: "Larger tree size (default: the latest).") var to: UInt64?
        @Option(help: "json or tlog.") var format = "json"

        func run() throws {
            // Read-only: no writer is opened, nothing is appended or signed.
            let prover = try Engine.readOnlyAudit(try options.open()).prover()
            if let entry {
                let proof = try prover.inclusionProof(entry: entry, treeSize: to)
                print(format == "tlog" ? (proof.tlogProofText ?? "no checkpoint covers this tree size; use --format json") : String(decoding: CanonicalJSON.encode(proof.json), as: UTF8.self))
            } else if let from {
                let proof = try prover.consistencyProof(from: from, to: to)
                print(String(decoding: CanonicalJSON.encode(proof.json), as: UTF8.self))
            } else {
                throw ValidationError("give --entry N for an inclusion proof or --from M [--to N] for a consistency proof")
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accesses, denials, budget spent, data-subject requests and verification status, as HTML or JSON.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "First day (YYYY-MM-DD).") var from: String?
        @Option(help: "Last day (YYYY-MM-DD).") var to: String?
        @Option(help: "html or json.") var format = "html"
        @Option(help: "Output file (default: standard output).") var output: String?

        func run() throws {
            let text: String
            do {
                text = try Engine.auditReport(try options.open(), from: from, to: to, format: format)
            } catch {
                throw fail(error)
            }
            try emit(text, to: output)
        }
    }
}
