import Foundation
import CustosSchema

/// Explains a decision as text: the outcome, each column's treatment with the rules behind it,
/// the row filter, group size and budgets, and for a refusal every reason.
public enum PolicyExplainer {
    /// Explains `request` under `policies` without checking the token.
    public static func explain(_ request: AccessRequest, policies: PolicySet) -> String {
        let evaluation = PolicyEvaluator(policies: policies).evaluate(request, authenticate: false)
        var lines: [String] = []
        lines.append("request:  \(request)")
        lines.append("decision: \(evaluation.isAllowed ? "ALLOW" : "DENY")   (policy version \(policies.version.prefix(16))…, token not checked)")
        if !evaluation.permits.isEmpty {
            lines.append("permits that apply:")
            for rule in evaluation.permits { lines.append("  \(rule.id)  (\(rule.location))\(rule.description.isEmpty ? "" : ": \(rule.description)")") }
        }
        if !evaluation.forbids.isEmpty {
            lines.append("forbids that apply:")
            for rule in evaluation.forbids { lines.append("  \(rule.id)  (\(rule.location))\(rule.description.isEmpty ? "" : ": \(rule.description)")") }
        }
        if !evaluation.columns.isEmpty {
            lines.append("columns:")
            let width = evaluation.columns.map(\.column.count).max() ?? 0
            for column in evaluation.columns {
                let name = column.column.padding(toLength: width, withPad: " ", startingAt: 0)
                let treatment = column.treatment.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                var line = "  \(name)  \(treatment)"
                if !column.rules.isEmpty { line += "  by \(column.rules.joined(separator: ", "))" }
                if let reason = column.reason { line += "  [\(reason.code.rawValue)]" }
                if column.filterOnly { line += "  (read only to apply the row filter)" }
                lines.append(line)
            }
        }
        if let filter = evaluation.rowFilter { lines.append("row filter: \(filter)") }
        if let size = evaluation.minGroupSize { lines.append("minimum group size: \(size)") }
        if let job = evaluation.budget.epsilonPerJob { lines.append("epsilon per job: at most \(job)") }
        for period in evaluation.budget.perPeriod {
            lines.append("epsilon per \(period.period.rawValue) (this principal, this dataset): at most \(period.epsilon)")
        }
        if !evaluation.reasons.isEmpty {
            lines.append("refused because:")
            for reason in evaluation.reasons { lines.append("  [\(reason.code.rawValue)] \(reason.message)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
