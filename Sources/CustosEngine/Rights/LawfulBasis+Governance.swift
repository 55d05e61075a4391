import CustosGovernance
import CustosRights

extension CustosRights.LawfulBasis {
    /// The art. 15 / ROPA basis of a purpose's basis in `purposes.yaml`. The switch is exhaustive
    /// on purpose: a basis added to the policy language must be mapped here before it can reach a
    /// notice, instead of silently reading as legitimate interests.
    init(_ basis: CustosGovernance.LawfulBasis) {
        switch basis {
        case .consent: self = .consent
        case .contract: self = .contract
        case .legalObligation: self = .legalObligation
        case .legitimateInterest: self = .legitimateInterests
        }
    }
}
