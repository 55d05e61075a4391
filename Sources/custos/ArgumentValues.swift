import ArgumentParser
import CustosRights
import CustosSchema

// Library enums the CLI takes as option values. `CaseIterable` makes help list every value, and an
// unknown value fails at parse time with that list, before a workspace is opened.

extension OutputMode: ExpressibleByArgument {}
extension RequestType: ExpressibleByArgument {}
extension RequestChannel: ExpressibleByArgument {}

extension Jurisdiction: ExpressibleByArgument {
    /// Accepts `gdpr` as well as `GDPR`, as the tool always has.
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// The form of an audit proof.
enum ProofFormat: String, ExpressibleByArgument, CaseIterable {
    /// RFC 9162 proof as canonical JSON.
    case json
    /// C2SP tlog-proof text (inclusion proofs covered by a signed checkpoint).
    case tlog
}
