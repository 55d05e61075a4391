import ArgumentParser
import CustosClient
import CustosCrypto
import CustosGovernance
import Foundation

/// Principal administration through the service: every change is a signed policy change (staged by
/// the service, signed here with the officer's key, applied by the service) and audited there.
struct PrincipalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principal", abstract: "Principals: add, disable, enable, grant or revoke a role, rotate a token, list (through the service).",
        discussion: """
            These are operations of `custos serve` only: give --server URL (or $CUSTOS_SERVER) and a compliance officer's or \
            operator's token ($CUSTOS_TOKEN). A change is two steps: the service stages the new policies/principals.yaml and \
            answers the policy version it would have; this command signs that version with a pinned compliance officer's \
            key (--key FILE --signer ID, as `policy sign` does) and the service applies it, reloads the policies and audits \
            the change. A new or rotated token is printed once: store it now, only its hash is kept. Without a server the \
            commands are refused (edit policies/principals.yaml and run `custos policy sign`).
            Example:
              custos principal add eve --name "Eve Example" --roles analyst \\
                --key officer.pem --signer dana
            """,
        subcommands: [List.self, Add.self, Disable.self, Enable.self, Grant.self, Revoke.self, RotateToken.self])

    /// Who calls: the bearer token and, for a principal holding several roles, the one acted in.
    struct Caller: ParsableArguments {
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "Role to act in (default: your only role).") var role: String?
        @Option(help: "Bearer token (default: $CUSTOS_TOKEN). Prefer the variable: arguments show up in process lists.") var token: String?

        /// The service's client, or a refusal saying where these commands run.
        func client() throws -> APIClient {
            guard let client = options.client(token: token, role: role) else {
                throw fail(CommandFailure("""
                    principal administration is an operation of the Custos service: give --server URL (or set $CUSTOS_SERVER) \
                    and a compliance officer's or operator's token in $CUSTOS_TOKEN; without a service, edit \
                    policies/principals.yaml and sign it with `custos policy sign`
                    """))
            }
            return client
        }
    }

    /// The officer who signs a change.
    struct Signing: ParsableArguments {
        @Option(help: ArgumentHelp("The compliance officer's Ed25519 private key (PEM), as for `policy sign`.", valueName: "file"),
                completion: .file())
        var key: String
        @Option(help: "The officer's principal id, as pinned in keys/policy-signers.") var signer: String
    }

    /// What `POST /v1/principals/changes` answers.
    struct Staged: Decodable {
        let changeID: String
        let action: String
        let principal: String
        let version: String
        let signedText: String?
        let timeMs: Int64?
        enum CodingKeys: String, CodingKey {
            case changeID = "change_id", action, principal, version, signedText = "signed_text", timeMs = "time_ms"
        }
    }

    /// What `POST /v1/principals/changes/{id}/apply` answers.
    struct Applied: Decodable {
        let policyVersion: String
        let principal: String
        let token: String?
        enum CodingKeys: String, CodingKey { case policyVersion = "policy_version", principal, token }
    }

    /// Stages `fields` (action, principal …), signs the staged version and applies it; prints the outcome.
    static func change(_ fields: [String: Any?], caller: Caller, signing: Signing, done: String) async throws {
        let client = try caller.client()
        let key = try OfficerKeyFile.read(signing.key)
        let publicKey: Curve25519.Signing.PublicKey
        do { publicKey = try key.publicKey } catch { throw fail(CommandFailure("\(signing.key) holds no usable Ed25519 key")) }
        let publicBase64 = Data(publicKey.rawRepresentation).base64EncodedString()
        var ask = fields
        ask["signer"] = signing.signer
        ask["public_key"] = publicBase64
        let applied = try await withService {
            let staged = try await client.post("/v1/principals/changes", ask).decode(Staged.self)
            guard staged.action == ask["action"] as? String, staged.principal == ask["principal"] as? String else {
                throw APIClientError("the service staged \(staged.action) of \(staged.principal), not the change asked for; nothing was signed")
            }
            guard let time = staged.timeMs, let offered = staged.signedText else {
                throw APIClientError("the service did not answer the text to sign; is it a Custos service of this version?")
            }
            // Sign only what is rebuilt here from the staged version: never bytes the service chose.
            let unsigned = PolicySignature(version: staged.version, signer: signing.signer, publicKey: publicKey, timeMilliseconds: time, signature: [])
            guard unsigned.signedText == offered else {
                throw APIClientError("the text the service asked to sign is not the policy signature of version \(staged.version); nothing was signed")
            }
            let signature = try key.signature(for: Array(unsigned.signedText.utf8))
            let apply: [String: Any?] = ["signer": signing.signer, "public_key": publicBase64, "time_ms": time,
                                         "signature": Data(signature).base64EncodedString()]
            return try await client.post("/v1/principals/changes/\(Remote.segment(staged.changeID))/apply", apply).decode(Applied.self)
        }
        print("\(done) (policies version \(applied.policyVersion), signed by \(signing.signer))")
        if let token = applied.token {
            print("token for \(applied.principal), shown once (only its hash is kept; hand it over securely):")
            print("  \(token)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every principal: id, roles, disabled or not (never a token). GET /v1/principals.")
        @OptionGroup var caller: Caller

        struct Listing: Decodable {
            struct Principal: Decodable {
                let id: String, name: String, roles: [String], disabled: Bool, subjectBound: Bool
                enum CodingKeys: String, CodingKey { case id, name, roles, disabled, subjectBound = "subject_bound" }
            }
            let principals: [Principal]
            let policyVersion: String
            enum CodingKeys: String, CodingKey { case principals, policyVersion = "policy_version" }
        }

        func run() async throws {
            let client = try caller.client()
            let listing = try await withService { try await client.send("GET", "/v1/principals").decode(Listing.self) }
            let width = listing.principals.map(\.id.count).max() ?? 0
            for p in listing.principals {
                let flags = (p.disabled ? "  DISABLED" : "") + (p.subjectBound ? "  (data subject)" : "")
                print("\(p.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.roles.joined(separator: ","))  \(p.name)\(flags)")
            }
            print("policies version \(listing.policyVersion)")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a principal with roles; prints its new token once.")
        @Argument(help: "The new principal's id.") var id: String
        @Option(help: "Display name.") var name: String
        @Option(parsing: .upToNextOption, help: "Roles it holds.") var roles: [String]
        @Option(help: "For a data_subject principal: the customer it stands for.") var subject: String?
        @OptionGroup var signing: Signing
        @OptionGroup var caller: Caller

        func validate() throws {
            if roles.isEmpty { throw ValidationError("--roles needs at least one role") }
        }

        func run() async throws {
            try await PrincipalCommand.change(["action": "add", "principal": id, "name": name, "roles": roles, "subject": subject],
                                              caller: caller, signing: signing, done: "added \(id) with roles \(roles.joined(separator: ", "))")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a principal: its token stops working at once.")
        @Argument(help: "Principal id.") var id: String
        @OptionGroup var signing: Signing
        @OptionGroup var caller: Caller

        func run() async throws {
            try await PrincipalCommand.change(["action": "disable", "principal": id], caller: caller, signing: signing, done: "disabled \(id)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-enable a disabled principal (its token works again).")
        @Argument(help: "Principal id.") var id: String
        @OptionGroup var signing: Signing
        @OptionGroup var caller: Caller

        func run() async throws {
            try await PrincipalCommand.change(["action": "enable", "principal": id], caller: caller, signing: signing, done: "enabled \(id)")
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a principal a role.")
        @Argument(help: "Principal id.") var id: String
        @Argument(help: "The role to grant.") var grantedRole: String
        @OptionGroup var signing: Signing
        @OptionGroup var caller: Caller

        func run() async throws {
            try await PrincipalCommand.change(["action": "grant", "principal": id, "role": grantedRole], caller: caller, signing: signing,
                                              done: "granted \(grantedRole) to \(id)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a role from a principal.")
        @Argument(help: "Principal id.") var id: String
        @Argument(help: "The role to revoke.") var revokedRole: String
        @OptionGroup var signing: Signing
        @OptionGroup var caller: Caller

        func run() async throws {
            try await PrincipalCommand.change(["action": "revoke", "principal": id, "role": revokedRole], caller: caller, signing: signing,
                                              done: "revoked \(revokedRole) from \(id)")
        }
    }

    struct RotateToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-token", abstract: "Give a principal a new token (printed once); the old one stops working.")
        @Argument(help: "Principal id.") var id: String
        @OptionGroup var signing: Signing
        @OptionGroup var caller: Caller

        func run() async throws {
            try await PrincipalCommand.change(["action": "rotate_token", "principal": id], caller: caller, signing: signing,
                                              done: "rotated the token of \(id)")
        }
    }
}
