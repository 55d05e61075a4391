extension AuditReport {
    /// Decimal text of a budget sum, rounded to 9 decimal places to hide binary floating-point noise.
    static func amount(_ value: Double) -> String {
        DecimalText.canonical((value * 1e9).rounded() / 1e9) ?? "0"
    }

    /// The report as a JSON value (decimals as strings, as in the log).
    public var jsonValue: JSONValue {
        func counts(_ list: [Count]) -> JSONValue {
            .array(list.map { .object(["key": .string($0.key), "count": .integer(Int64($0.count))]) })
        }
        func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        func budget(_ list: [BudgetUse]) -> JSONValue {
            .array(list.map {
                var o: [String: JSONValue] = ["actor": .string($0.actor), "dataset": .string($0.dataset),
                                              "epsilon": .string(AuditReport.amount($0.epsilon)),
                                              "rho": .string(AuditReport.amount($0.rho)), "jobs": .integer(Int64($0.jobs))]
                if let day = $0.day { o["day"] = .string(day) }
                return .object(o)
            })
        }
        var o: [String: JSONValue] = [
            "title": .string(title),
            "asOf": .string(AuditTimestamp.format(milliseconds: AuditTimestamp.milliseconds(of: asOf))),
            "firstEntryTime": optional(firstEntryTime),
            "lastEntryTime": optional(lastEntryTime),
            "entryCount": .integer(Int64(entryCount)),
            "accesses": .object([
                "total": .integer(Int64(accessCount)),
                "byPrincipal": counts(accessesByPrincipal),
                "byPurpose": counts(accessesByPurpose),
                "byDataset": counts(accessesByDataset),
            ]),
            "denials": .object([
                "total": .integer(Int64(denials.count)),
                "byReason": counts(denialsByReason),
                "list": .array(denials.map {
                    .object(["time": .string($0.time), "actor": .string($0.actor), "role": .string($0.role),
                             "action": .string($0.action), "purpose": optional($0.purpose),
                             "dataset": optional($0.dataset), "reason": optional($0.reason),
                             "policyVersion": optional($0.policyVersion)])
                }),
            ]),
            "privacyBudget": .object(["totals": budget(budgetTotals), "daily": budget(budgetDaily)]),
            "subjectRequests": .array(subjectRequests.map {
                .object(["requestID": .string($0.requestID), "type": .string($0.type),
                         "jurisdiction": .string($0.jurisdiction), "state": .string($0.state), "due": optional($0.due),
                         "lastChange": .string($0.lastChange), "overdue": .bool($0.overdue),
                         "daysOverdue": .integer(Int64($0.daysOverdue))])
            }),
        ]
        if let verification { o["verification"] = verification.json }
        return .object(o)
    }

    /// The report as canonical JSON text.
    public func json() -> String { String(decoding: CanonicalJSON.encode(jsonValue), as: UTF8.self) }
}
