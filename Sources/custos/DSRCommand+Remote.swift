import ArgumentParser
import CustosClient
import CustosEngine
import CustosRights
import Foundation

/// What the service answers for data-subject requests (`/v1/requests`, `/v1/legal-holds`,
/// `/v1/outbox`): the fields the CLI prints, in the same lines as local mode.
extension DSRCommand {
    struct View: Decodable {
        struct Step: Decodable { let at: String; let step: String; let principal: String; let role: String }
        let id: String
        let type: String
        let jurisdiction: String
        let state: String
        let receivedOn: String
        let due: String
        let history: [Step]?
        enum CodingKeys: String, CodingKey { case id, type, jurisdiction, state, receivedOn = "received_on", due, history }
    }

    struct Register: Decodable {
        struct Entry: Decodable { let id: String, type: String, jurisdiction: String, state: String, due: String, overdue: Bool }
        let requests: [Entry]
    }

    struct Verification: Decodable {
        let outcome: String
        let challenge: String?
        enum CodingKeys: String, CodingKey { case outcome, challenge = "challenge_id" }
    }

    struct Fulfilment: Decodable {
        struct File: Decodable { let name: String; let sha256: String }
        let summary: String
        let files: [File]
        let outboxMessage: String?
        let delivered: Bool
        enum CodingKeys: String, CodingKey { case summary, files, outboxMessage = "outbox_message", delivered }
    }

    struct Done: Decodable { let message: String }

    struct HoldLifted: Decodable {
        let holdsLeft: Int
        let erasuresCompleted: [String]
        enum CodingKeys: String, CodingKey { case holdsLeft = "holds_left", erasuresCompleted = "erasures_completed" }
    }

    struct OutboxResult: Decodable { let waiting: Int; let delivered: Int; let purged: Int }

    struct AnswerFiles: Decodable {
        struct File: Decodable {
            let name: String
            let contentBase64: String
            enum CodingKeys: String, CodingKey { case name, contentBase64 = "content_base64" }
        }
        let files: [File]
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the answer of a fulfilled access or portability request into a folder.",
            discussion: """
                The requester (a data_subject principal, their own requests) or a compliance officer. Writes each file \
                of the answer into --to (created if missing; an existing file is never overwritten, and the folder may \
                not be inside the workspace's keys/, data/, audit/ or policies/). With --server: GET /v1/requests/{id}/answer.
                """)
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Request id (DSR-…).") var request: String
        @Option(help: ArgumentHelp("Folder to write the files into.", valueName: "folder"), completion: .directory) var to: String

        func run() async throws {
            let files: [(name: String, contents: Data)]
            if let client = options.client(actor) {
                let answer = try await withService {
                    try await client.send("GET", "/v1/requests/\(Remote.segment(request))/answer").decode(AnswerFiles.self)
                }
                files = try answer.files.map { file in
                    guard let data = Data(base64Encoded: file.contentBase64) else {
                        throw fail(CommandFailure("the service sent \(file.name) in a form that is not base64; nothing was written"))
                    }
                    return (file.name, data)
                }
            } else {
                files = try withEngine(options) { try $0.rights.downloadAnswer(request, actor: actor.actor) }.map { ($0.name, $0.contents) }
            }
            try write(files)
        }

        /// Writes every file, or none when a name is unsafe or a file exists.
        func write(_ files: [(name: String, contents: Data)]) throws {
            let folder = URL(fileURLWithPath: to)
            var targets: [(URL, Data)] = []
            for file in files {
                guard !file.name.isEmpty, !file.name.contains("/"), !file.name.contains("\0"), !file.name.hasPrefix(".") else {
                    throw fail(CommandFailure("the answer names a file '\(file.name)' that is not a plain file name; nothing was written"))
                }
                let target = folder.appendingPathComponent(file.name)
                do { try OutputPathGuard.check(target, workspace: options.url, force: false) } catch { throw fail(error) }
                targets.append((target, file.contents))
            }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (target, contents) in targets { try contents.write(to: target, options: .withoutOverwriting) }
            } catch {
                throw fail(CommandFailure("cannot write the answer into \(to) (\(error.localizedDescription)); check that the folder is writable"))
            }
            for (target, contents) in targets { print("wrote \(target.path) (\(contents.count) bytes)") }
        }
    }
}
