import ArgumentParser
import CustosAudit
import CustosCrypto
import CustosEngine
import Foundation

extension AuditCommand {
    /// Refuses a witness file inside the workspace: the witness's key and state must live elsewhere.
    static func refuseInsideWorkspace(_ path: String, _ workspace: URL, what: String) throws {
        let file = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let root = workspace.standardizedFileURL.resolvingSymlinksInPath().path
        if file == root || file.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            throw ValidationError("the witness \(what) \(path) is inside the workspace \(root); keep it on another "
                                  + "machine or medium (whoever can write the workspace must not hold it)")
        }
    }

    struct WitnessKeygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "witness-keygen",
            abstract: "Create a witness's Ed25519 key (kept outside the workspace) and its public .vkey file.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "Witness name, a schema-less URL such as dpo.example.com/witness.") var name: String
        @Option(name: .customLong("key-file"), help: "Where to write the private key (PEM, mode 0600); the public key goes to FILE.vkey.")
        var keyFile: String

        func run() throws {
            try AuditCommand.refuseInsideWorkspace(keyFile, options.url, what: "key")
            let vkeyFile = keyFile + ".vkey"
            for path in [keyFile, vkeyFile] where FileManager.default.fileExists(atPath: path) {
                throw ValidationError("\(path) already exists; a witness key is never overwritten (choose another path)")
            }
            let key = Curve25519.Signing.PrivateKey()
            let cosigner = try WitnessCosigner(name: name, privateKey: key)
            // O_EXCL with mode 0600 from the start: the private key is never readable by others, whatever the umask.
            let pem = Array(try key.pemRepresentation.utf8)
            let fd = open(keyFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ValidationError("cannot create \(keyFile): \(String(cString: strerror(errno)))") }
            let written = pem.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd) == 0 && fchmod(fd, 0o600) == 0
            close(fd)
            guard written == pem.count, synced else { throw ValidationError("cannot write \(keyFile)") }
            try Data((cosigner.key.verifierKeyText + "\n").utf8).write(to: URL(fileURLWithPath: vkeyFile))
            print("witness key: \(keyFile) (private; keep it off the server)")
            print("witness public key: \(vkeyFile)")
            print("  \(cosigner.key.verifierKeyText)")
        }
    }

    struct Witness: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cosign the log's latest checkpoint (C2SP tlog-cosignature) if it is consistent with the last one this witness cosigned.")
        @OptionGroup var options: WorkspaceOptions
        @Option(name: .customLong("key-file"), help: "The witness's private key (from `audit witness-keygen`); its name is read from FILE.vkey.")
        var keyFile: String
        @Option(help: "The witness's state file (pinned log key and last cosigned checkpoint), outside the workspace.")
        var state: String

        func run() throws {
            if let server = options.configuredServer, !options.local {
                throw fail(CommandFailure("""
                    audit witness has no operation on the service at \(server): a witness reads the log's files and stores its \
                    cosignature in audit/. Fetch the checkpoint with `custos audit checkpoint` to check it, and cosign where the log \
                    is: on the server host without $CUSTOS_SERVER, or with --local (break-glass, audited, needs the KEK passphrase)
                    """))
            }
            let workspace = options.url
            try AuditCommand.refuseInsideWorkspace(keyFile, workspace, what: "key")
            try AuditCommand.refuseInsideWorkspace(state, workspace, what: "state file")
            do {
                let vkey = try CosignerKey(verifierKey: try String(contentsOfFile: keyFile + ".vkey", encoding: .utf8))
                let cosigner = try WitnessCosigner(
                    name: vkey.name, privateKey: try Curve25519.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: keyFile, encoding: .utf8)))
                guard cosigner.key == vkey else { throw ValidationError("\(keyFile).vkey does not belong to \(keyFile)") }
                let witness = CustosAudit.Witness(cosigner: cosigner, stateFile: URL(fileURLWithPath: state))
                let log = try Engine.readOnlyAudit(try options.open())
                guard let latest = try log.latestCheckpoint() else {
                    throw ValidationError("the log has no signed checkpoint yet; run any command that writes, then witness")
                }
                // The proof comes from the log's host; the witness checks it against both signed roots.
                var proof: ConsistencyProof?
                if let last = try witness.state()?.checkpoint, last.size > 0, latest.size > last.size {
                    proof = (try? log.prover().consistencyProof(from: last.size, to: latest.size))?.proof
                }
                let cosigned = try witness.cosign(checkpointNote: Array(latest.signedNote.utf8), logKey: log.verifierKey, proof: proof)
                let file = try AuditLog.attachCosignedCheckpoint(directory: log.directory, note: cosigned, verifier: log.verifierKey)
                print("witness \(vkey.name) cosigned the checkpoint of \(latest.size) entries, root \(latest.rootHash.base64)")
                print("  stored in audit/\(file) and in \(state)")
                print("  verify with: custos audit verify --witness-key \(keyFile).vkey --checkpoint \(state)")
                print(cosigned, terminator: "")
            } catch let error as ValidationError {
                throw error
            } catch {
                throw fail(error)
            }
        }
    }
}
