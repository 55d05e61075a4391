import CustosBase
import CustosSchema
import Foundation

/// RFC 5322 / MIME text for outgoing messages: CRLF line ends, RFC 2047 encoded words for non-ASCII
/// subjects, 7bit bodies when plain ASCII with short lines and base64 otherwise, multipart/mixed
/// when there are attachments.
enum MIMEFormat {
    static func email(_ message: OutgoingMessage, messageID: String, boundary: String) throws -> String {
        guard case let .email(address) = message.to else { throw DeliveryError.invalidHeader(field: "To") }
        try checkHeader(message.from, field: "From", asciiOnly: true)
        try checkHeader(address, field: "To", asciiOnly: false)
        try checkHeader(message.subject, field: "Subject", asciiOnly: false)
        var lines = [
            "From: \(message.from)",
            "To: \(address)",
            "Subject: \(encodeHeaderText(message.subject))",
            "Date: \(rfc5322Date(message.date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        if message.attachments.isEmpty {
            lines += textPart(message.body)
        } else {
            lines.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("This is a multi-part message in MIME format.")
            lines.append("--\(boundary)")
            lines += textPart(message.body)
            for file in message.attachments {
                let name = safeFileName(file.name)
                lines.append("--\(boundary)")
                lines.append("Content-Type: \(file.mediaType); name=\"\(name)\"")
                lines.append("Content-Disposition: attachment; filename=\"\(name)\"")
                lines.append("Content-Transfer-Encoding: base64")
                lines.append("")
                lines.append(base64Lines(file.contents))
            }
            lines.append("--\(boundary)--")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Header lines and body of a text/plain part.
    static func textPart(_ body: String) -> [String] {
        let normalised = normaliseLineEnds(body)
        let plain = normalised.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 0x20 || $0 == "\r" || $0 == "\n" || $0 == "\t") }
            && normalised.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 }
            && !normalised.components(separatedBy: "\r\n").contains { $0.hasPrefix("--") }
        if plain {
            return ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit", "", normalised]
        }
        return ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(Data(normalised.utf8))]
    }

    static func normaliseLineEnds(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    static func checkHeader(_ value: String, field: String, asciiOnly: Bool) throws {
        let bad = value.unicodeScalars.contains { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F || (asciiOnly && !scalar.isASCII)
        }
        if bad || value.isEmpty { throw DeliveryError.invalidHeader(field: field) }
    }

    /// The text itself when printable ASCII, else RFC 2047 `=?UTF-8?B?...?=` words (at most 39 bytes of
    /// text each, so a `Subject: ` line stays within 78 characters; never splitting a character)
    /// folded onto continuation lines.
    static func encodeHeaderText(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            if (chunk + String(character)).utf8.count > 39 {
                words.append(encodedWord(chunk))
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func encodedWord(_ text: String) -> String { "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?=" }

    /// Base64 in 76-character lines joined by CRLF.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// `Tue, 03 Sep 2024 10:00:00 +0000` (always UTC).
    static func rfc5322Date(_ date: Date) -> String {
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let civil = CivilDate(daysSinceEpoch: days)
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekdays[civil.weekday]), \(two(civil.day)) \(months[civil.month - 1]) \(civil.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }

    /// A file name reduced to ASCII letters, digits, `.`, `_` and `-` (others become `_`).
    static func safeFileName(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { scalar -> Character in
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
            return ok ? Character(scalar) : "_"
        }
        let result = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return result.isEmpty ? "attachment" : result
    }
}
