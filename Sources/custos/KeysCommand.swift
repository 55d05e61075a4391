import ArgumentParser
import CustosEngine
import Foundation

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Key management.",
        discussion: "Keys live under keys/ (mode 0600), apart from the data; back them up separately.",
        subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "New key-encryption key version; every data key re-wrapped; the old key retired and destroyed.",
            discussion: "Needs a principal whose role may rotate keys (e.g. --principal oscar --role operator, token in $CUSTOS_TOKEN).")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            try withEngine(options) { engine in
                let result = try engine.rotateKeys(passphrase: options.passphrase(), actor: actor.actor)
                print("Key-encryption key is now v\(result.version); \(result.rewrapped) data keys re-wrapped; older versions destroyed.")
            }
        }
    }
}
