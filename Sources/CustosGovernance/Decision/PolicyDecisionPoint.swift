import CustosCrypto
import CustosSchema
import Foundation

/// The single policy decision point. Every read of customer data starts here: it authenticates the
/// principal, evaluates the request against the policy set, records the decision (allowed or
/// denied) with the `DecisionRecorder`, and on allow mints the `AccessGrant` without which the
/// vault decrypts nothing.
public struct PolicyDecisionPoint: Sendable {
    /// The loaded policy set.
    public let policies: PolicySet
    let evaluator: PolicyEvaluator
    let authority: GrantAuthority
    let recorder: any DecisionRecorder
    let clock: @Sendable () -> Date

    /// A decision point over `policies` (which carry their dataset catalog). Only this type calls
    /// `authority.issue`.
    public init(policies: PolicySet, authority: GrantAuthority, recorder: any DecisionRecorder, clock: @escaping @Sendable () -> Date = Date.init) {
        self.policies = policies
        self.evaluator = PolicyEvaluator(policies: policies)
        self.authority = authority
        self.recorder = recorder
        self.clock = clock
    }

    /// The policy version every decision carries.
    public var policyVersion: String { policies.version }

    /// Decides `request`, records the decision, and returns it. An allow carries a grant. If the
    /// decision cannot be recorded, the request is refused (and that refusal is offered to the
    /// recorder in turn).
    public func decide(_ request: AccessRequest) -> Decision {
        let evaluation = evaluator.evaluate(request, authenticate: true)
        let id = SecureRandom.bytes(count: 16).hexString
        let time = clock()
        var grant: AccessGrant?
        if evaluation.isAllowed {
            var treatments: [String: ColumnTreatment] = [:]
            for column in evaluation.columns { treatments[column.column] = column.treatment }
            grant = authority.issue(
                decisionID: id, principal: request.principal, role: request.role, purpose: request.purpose,
                dataset: request.dataset, treatments: treatments, outputMode: request.outputMode,
                policyVersion: policies.version, subjectScope: request.subjectScope)
        }
        let decision = Decision(
            id: id, time: time, effect: evaluation.isAllowed ? .allow : .deny, request: request, columns: evaluation.columns,
            reasons: evaluation.reasons, matchedRules: evaluation.matchedRules, rowFilter: evaluation.rowFilter,
            minGroupSize: evaluation.minGroupSize, budget: evaluation.budget, policyVersion: policies.version, grant: grant)
        do {
            try recorder.record(decision)
            return decision
        } catch {
            let refusal = Decision(
                id: id, time: time, effect: .deny, request: request, columns: evaluation.columns,
                reasons: evaluation.reasons + [DecisionReason(code: .auditUnavailable, message: "the decision could not be written to the audit log, so access is refused; ask the operator to check the audit store")],
                matchedRules: evaluation.matchedRules, rowFilter: evaluation.rowFilter, minGroupSize: evaluation.minGroupSize,
                budget: evaluation.budget, policyVersion: policies.version, grant: nil)
            try? recorder.record(refusal)
            return refusal
        }
    }

    /// What the decision would be and which rules make it, as text. The token is not checked,
    /// nothing is recorded and no grant is minted: this is a tool for policy authors.
    public func explain(_ request: AccessRequest) -> String {
        PolicyExplainer.explain(request, policies: policies)
    }
}
