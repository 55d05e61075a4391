import CustosCharts

extension AuditReport {
    /// One self-contained HTML page (inline CSS and SVG, no scripts, no external resources), rendered
    /// through the shared page layout (`Page.auditReport`), whose templates HTML-escape every value.
    public func html() throws -> String {
        try Page.auditReport.render(htmlContext())
    }

    func htmlContext() -> [String: Any] {
        func chart(_ counts: [Count], _ caption: String) -> [String: Any] {
            var c = ChartGeometry.bars(counts.map { ($0.key, Double($0.count), String($0.count)) })
            c["caption"] = caption
            c["empty"] = "None in this period."
            return c
        }
        let maxDenials = 200
        var context: [String: Any] = [
            "title": title,
            "asOf": AuditTimestamp.format(milliseconds: AuditTimestamp.milliseconds(of: asOf)),
            "firstEntry": firstEntryTime ?? "–",
            "lastEntry": lastEntryTime ?? "–",
            "entryCount": String(entryCount),
            "accessCount": String(accessCount),
            "denialCount": String(denials.count),
            "overdueCount": String(subjectRequests.filter(\.overdue).count),
            "accessActions": options.accessActions.map(\.rawValue).sorted().joined(separator: ", "),
            "chartPrincipal": chart(accessesByPrincipal, "Accesses by principal"),
            "chartPurpose": chart(accessesByPurpose, "Accesses by purpose"),
            "chartDataset": chart(accessesByDataset, "Accesses by data set"),
            "chartReasons": chart(denialsByReason, "Denials by reason"),
            "hasDenials": !denials.isEmpty,
            "denials": denials.prefix(maxDenials).map { d -> [String: Any] in
                ["time": d.time, "actor": d.actor, "role": d.role, "action": d.action, "purpose": d.purpose ?? "",
                 "dataset": d.dataset ?? "", "reason": d.reason ?? "", "policyVersion": d.policyVersion ?? "",
                 // The policy hash in full would stretch the table; its first 16 digits identify it.
                 "policyShort": d.policyVersion.map { $0.count > 16 ? String($0.prefix(16)) + "…" : $0 } ?? ""]
            },
            "hasBudget": !budgetTotals.isEmpty,
            "budgetTotals": budgetTotals.map(budgetRow),
            "budgetDaily": budgetDaily.map(budgetRow),
            "hasRequests": !subjectRequests.isEmpty,
            "requests": subjectRequests.map { r -> [String: Any] in
                ["requestID": r.requestID, "type": r.type, "jurisdiction": r.jurisdiction, "state": r.state,
                 "due": r.due ?? "–", "lastChange": r.lastChange, "overdue": r.overdue,
                 "daysOverdue": String(r.daysOverdue), "closed": options.closedRequestStates.contains(r.state)]
            },
        ]
        if denials.count > maxDenials {
            context["denialsOmitted"] = "\(denials.count - maxDenials) more denials in the JSON report"
        }
        var budgetChart = budgetSeries()
        budgetChart["caption"] = "Cumulative epsilon spent by principal"
        budgetChart["empty"] = "No privacy budget was spent in this period."
        context["chartBudget"] = budgetChart
        if let v = verification {
            var status: [String: Any] = [
                "valid": v.isValid, "entries": String(v.entryCount), "segments": String(v.segmentCount),
                "checkpoints": String(v.checkpointCount), "checkpointsMatching": String(v.checkpointsMatchingEntries),
                "consistency": String(v.consistencyProofsVerified), "root": v.rootHash.base64,
                "notCheckpointed": String(v.entriesNotCheckpointed), "hasUncovered": v.entriesNotCheckpointed > 0,
                "hasProblems": !v.problems.isEmpty,
                "problems": v.problems.map { ["location": $0.location, "message": $0.message, "remedy": $0.remedy] },
            ]
            if let latest = v.latestCheckpoint {
                status["latestSize"] = String(latest.size)
                if let t = latest.timeMilliseconds { status["latestTime"] = AuditTimestamp.format(milliseconds: t) }
            }
            context["verification"] = status
        }
        return context
    }

    private func budgetRow(_ b: BudgetUse) -> [String: Any] {
        ["day": b.day ?? "", "actor": b.actor, "dataset": b.dataset, "jobs": String(b.jobs),
         "epsilon": AuditReport.amount(b.epsilon), "rho": AuditReport.amount(b.rho)]
    }

    /// Cumulative epsilon per principal by day (the six biggest spenders; the rest summed as "others").
    private func budgetSeries() -> [String: Any] {
        let days = Array(Set(budgetDaily.compactMap(\.day))).sorted()
        var totals = [String: Double]()
        for b in budgetTotals { totals[b.actor, default: 0] += b.epsilon }
        let ranked = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        let named = Array(ranked.prefix(6))
        var names = named
        if ranked.count > 6 { names.append("others") }
        var values = [String: [Double]]()
        for name in names { values[name] = Array(repeating: 0, count: days.count) }
        let dayIndex = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($0.element, $0.offset) })
        for b in budgetDaily {
            guard let day = b.day, let i = dayIndex[day] else { continue }
            let name = named.contains(b.actor) ? b.actor : "others"
            values[name]?[i] += b.epsilon
        }
        let cumulative = names.map { name -> (String, [Double]) in
            var running = 0.0
            return (name, (values[name] ?? []).map { running += $0; return running })
        }
        return ChartGeometry.series(days: days, series: cumulative, label: AuditReport.amount)
    }
}
