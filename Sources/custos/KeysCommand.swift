import ArgumentParser
import CustosClient
import CustosEngine
import Foundation

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Key management.",
        discussion: "Keys live under keys/ (mode 0600), apart from the data; back them up separately.",
        subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "New key-encryption key version; every data key re-wrapped; the old key retired and destroyed.",
            discussion: """
                Needs a principal whose role may rotate keys (e.g. --principal oscar --role operator, token in $CUSTOS_TOKEN). \
                With --server: POST /v1/keys/rotate; a passphrase-protected workspace needs --passphrase-file (sent to the \
                service over its connection; $CUSTOS_PASSPHRASE is never sent).
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions

        /// What `POST /v1/keys/rotate` answers.
        struct Rotated: Decodable {
            let kekVersion: Int
            let rewrapped: Int
            enum CodingKeys: String, CodingKey { case kekVersion = "kek_version", rewrapped }
        }

        func run() async throws {
            if let client = options.client(actor) {
                let passphrase = options.passphraseFile == nil ? nil : try options.passphrase()
                let result = try await withService { try await client.post("/v1/keys/rotate", ["passphrase": passphrase]).decode(Rotated.self) }
                return print("Key-encryption key is now v\(result.kekVersion); \(result.rewrapped) data keys re-wrapped; older versions destroyed.")
            }
            try withEngine(options) { engine in
                let result = try engine.rotateKeys(passphrase: options.passphrase(), actor: actor.actor)
                print("Key-encryption key is now v\(result.version); \(result.rewrapped) data keys re-wrapped; older versions destroyed.")
            }
        }
    }
}
