import ArgumentParser
import CustosAudit
import CustosCrypto
import CustosEngine
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, prove and report on the tamper-evident audit log.",
        subcommands: [Verify.self, Prove.self, Report.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every entry, rebuild the Merkle tree, check every checkpoint signature and consistency.")
        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let result = try withEngine(options) { try $0.verifyAudit() }
            print(result.isValid ? "audit log verified" : "AUDIT LOG VERIFICATION FAILED")
            print("  \(result.entryCount) entries in \(result.segmentCount) segments, \(result.checkpointCount) signed checkpoints, \(result.consistencyProofsVerified) consistency proofs")
            print("  root \(result.rootHash)")
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
            let workspace = try options.url
            let pem = try String(contentsOf: workspace.appendingPathComponent("keys/audit.pub"), encoding: .utf8)
            let origin = try withEngine(options) { $0.origin }
            let prover = try AuditProver(directory: workspace.appendingPathComponent("audit"),
                                         publicKey: try Curve25519.Signing.PublicKey(pemRepresentation: pem), origin: origin)
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
            let text = try withEngine(options) { engine in try engine.auditReport(from: from, to: to, format: format) }
            try emit(text, to: output)
        }
    }
}
