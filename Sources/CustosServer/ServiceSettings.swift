import Foundation

/// Limits that keep one principal, or one slow client, from taking the service from everyone else.
public struct ServiceLimits: Sendable {
    /// Largest JSON request body (bytes).
    public static let defaultJSONBody = 1 << 20
    public var jsonBody = ServiceLimits.defaultJSONBody
    /// Largest uploaded file (ingest, consent import), streamed to disk as it arrives.
    public var upload = 512 << 20
    /// Sustained requests per second per principal (and per address before authentication).
    public var requestsPerSecond = 50.0
    /// Requests a principal may send in a burst above the sustained rate.
    public var burst = 100.0
    /// Jobs (mining, statistics, ingest, import) running at once per principal and in total.
    public var jobsPerPrincipal = 2
    public var jobsTotal = 4
    /// Seconds an idle connection is kept; a client that stops sending is cut off after this.
    public var idleTimeoutSeconds: Int64 = 30
    /// Longest a request may ask to wait for its job (`Prefer: wait=N`).
    public var maxWaitSeconds = 120
    /// How long a finished job's result is kept in memory for its owner to fetch.
    public var resultRetentionSeconds = 3600.0

    public init() {}
}

/// Where and how `custos serve` listens.
public struct ServiceSettings: Sendable {
    public enum Listener: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public struct TLS: Sendable {
        public var certificateChain: String
        public var privateKey: String
        /// PEM bundle of the CAs whose client certificates are accepted (mTLS); nil: no client certificates.
        public var clientCA: String?
        public init(certificateChain: String, privateKey: String, clientCA: String? = nil) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
            self.clientCA = clientCA
        }
    }

    public var listener: Listener = .tcp(host: "127.0.0.1", port: 8420)
    public var tls: TLS?
    /// Serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy on a trusted network).
    public var insecureHTTP = false
    public var limits = ServiceLimits()
    /// Log lines as JSON objects (one per line) instead of text.
    public var jsonLogs = false

    public init() {}

    /// Refuses plain HTTP on an address other machines can reach, unless asked for explicitly.
    public func validate() throws {
        guard tls == nil, !insecureHTTP, case let .tcp(host, _) = listener else { return }
        if !Self.isLoopback(host) {
            throw ServiceStartError("refusing to serve plain HTTP on \(host): tokens and customer data would cross the network in clear. "
                + "Give --tls-cert and --tls-key, listen on 127.0.0.1 behind a TLS reverse proxy, or pass --insecure-http if a proxy on this host terminates TLS")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses `HOST:PORT` (`[::1]:8420` for IPv6).
    public static func parseListen(_ text: String) throws -> Listener {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(after: close)...].dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw ServiceStartError("--listen takes HOST:PORT, e.g. 127.0.0.1:8420")
        }
        guard let number = Int(port), (0...65535).contains(number), !host.isEmpty else {
            throw ServiceStartError("--listen takes HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:8420")
        }
        return .tcp(host: String(host), port: number)
    }
}

/// Why the service did not start, in words for the operator.
public struct ServiceStartError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
