import CustosEngine
import CustosRights
import Foundation
import Synchronization

/// The demo's mail system: messages handed over are kept in this process's memory only (never on
/// disk), so the demo's customer can read their one-time code the way a real one reads their email.
package final class DemoMailbox: MailTransport {
    private let messages = Mutex<[String]>([])

    package init() {}

    package func deliver(_ message: [UInt8]) throws {
        let text = String(decoding: message, as: UTF8.self)
        messages.withLock { $0.append(text) }
    }

    /// Every message received, oldest first.
    package var received: [String] { messages.withLock { $0 } }

    /// The one-time code in the newest message about `requestID` (the line holding only digits).
    package func latestCode(for requestID: String) throws -> String {
        for text in received.reversed() where text.contains(requestID) {
            if let range = text.range(of: #"(?m)^\s*(\d{6,8})\s*$"#, options: .regularExpression) {
                return text[range].trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        throw EngineError.notFound("no verification code was delivered for \(requestID)")
    }
}
