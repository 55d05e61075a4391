import CustosBase
import CustosAudit
import CustosCrypto
import CustosGovernance
import CustosRights
import CustosSchema
import CustosVault
import Foundation

/// What fulfilling a request did.
public struct FulfilmentOutcome: Sendable {
    public var request: DataSubjectRequest
    public var summary: String
    /// Files delivered (attachments in the outbox message), by name and SHA-256.
    public var files: [(name: String, sha256: String)] = []
    public var outboxMessage: String?
    /// True when the mail system took the answer; false when it waits sealed in the outbox.
    public var delivered = false
}

extension RightsService {
    /// Carries out an approved request and records it as fulfilled (with digests of what was sent).
    public func fulfilRequest(_ id: String, actor: Caller) throws -> FulfilmentOutcome {
        try requireOfficerAudited(actor, step: "dsr fulfil", action: .dsrState)
        var request = try loadRequest(id)
        guard request.state == .approved else {
            throw EngineError.invalidRequest("request \(id) is \(request.state.rawValue); only an approved request can be fulfilled")
        }
        // The subject resolved when the request was filed, and answers only to the contact on file that
        // the requester proved they control; never to an address they merely typed.
        guard let reference = request.personal.subjectReference,
              let subject = try request.personal.subject.flatMap(SubjectID.init(hex:))
                ?? lookupSubject(identifierColumn: reference.contains("@") ? "email" : "customer_id", value: reference),
              let destination = request.personal.contactOnFile
        else {
            throw EngineError.notFound("no customer with a matching contact on file; refuse the request with that reason (`custos dsr refuse`)")
        }
        var outcome = FulfilmentOutcome(request: request, summary: "")
        var attachments: [ExportFile] = []
        let time = clock()
        switch request.type {
        case .access:
            let report = try AccessReport(requestID: request.id, jurisdiction: request.jurisdiction, generatedAt: time,
                                          datasets: try subjectDatasets(subject, actor: actor, includeConsents: true),
                                          information: try processingInformation())
            attachments = try report.allFiles()
            outcome.summary = "copy of all data held and the art. 15 information sent"
        case .portability:
            attachments = try PortabilityExport(requestID: request.id, generatedAt: time,
                                                datasets: try subjectDatasets(subject, actor: actor, includeConsents: false)).allFiles()
            outcome.summary = "data the customer provided sent as CSV and JSON Lines"
        case .rectification:
            let changed = try rectify(subject, corrections: request.personal.corrections, actor: actor)
            outcome.summary = "\(changed) values corrected and re-sealed under a fresh data key; old values unrecoverable"
        case .erasure:
            if try controls.isUnderLegalHold(subject, actor: actor) {
                try controls.restrictProcessing(of: subject, ground: "erasure requested while under legal hold", actor: actor)
                try deferErasure(of: subject, request: request)
                outcome.summary = "kept under a legal hold (retention obligation): processing restricted to storage and security; erased when the hold ends"
            } else {
                outcome.summary = try erase(subject, for: request, actor: actor)
            }
        case .restriction:
            try controls.restrictProcessing(of: subject, ground: "requested by the data subject", actor: actor)
            outcome.summary = "processing restricted from the next job on"
        case .objection:
            for purpose in request.scope?.purposes ?? [] { try controls.recordObjection(of: subject, to: purpose, actor: actor) }
            outcome.summary = "objection recorded for \(request.scope?.purposes.joined(separator: ", ") ?? "")"
        case .consentWithdrawal:
            for purpose in withdrawablePurposes(request.scope?.purposes ?? []) {
                _ = try consent.recordConsent(identifierColumn: reference.contains("@") ? "email" : "customer_id", identifier: reference, purpose: purpose,
                                      action: .withdrawn, language: "en", channel: request.channel.rawValue, collector: "dsr:\(id)", actor: actor)
            }
            outcome.summary = "consent withdrawn for \(request.scope?.purposes.joined(separator: ", ") ?? "")"
        }
        let digests = attachments.map { "\($0.name):sha256:\(SHA256.hash([UInt8]($0.contents)).hexString)" }
        outcome.files = attachments.map { ($0.name, SHA256.hash([UInt8]($0.contents)).hexString) }
        let summary = try request.fulfil(FulfilmentRecord(summary: outcome.summary, evidenceDigests: digests), by: rightsActor(actor), at: clock())
        try recordStep(request, summary: summary, actor: actor)
        let message = OutgoingMessage(from: try organisation.mailFrom, to: destination, subject: "Your request \(id) is complete",
                                      body: "Your \(request.type.rawValue) request \(id) was completed on \(CivilDate(daysSinceEpoch: Int(time.timeIntervalSince1970 / 86_400)).iso8601): \(outcome.summary).\n\n\(RightsText.remedies(request.jurisdiction))\n",
                                      date: clock(), attachments: attachments)
        let receipt = try outbox.post(message)
        outcome.outboxMessage = receipt.reference
        outcome.delivered = receipt.delivered
        if !receipt.delivered { try rememberArtefact(receipt.reference, request: id, reference: reference) }
        outcome.request = request
        return outcome
    }

    /// Crypto-shreds a subject for an erasure request: earlier messages to them leave the outbox, the
    /// audit entry (carrying the sealed subject id for the erasure ledger) is written first, then the
    /// key, records, blind indexes and documents go. Returns the summary told to the requester.
    func erase(_ subject: SubjectID, for request: DataSubjectRequest, actor: Caller) throws -> String {
        let id = request.id.rawValue
        let blocks = try workspace.records.blocks(of: subject)
        var counts: [String: Int] = [:]
        for block in blocks { counts[block.dataset, default: 0] += block.rowCount }
        let tombstone = Tombstone(requestID: request.id, jurisdiction: request.jurisdiction, erasedAt: clock(), recordsByDataset: counts)
        if let reference = request.personal.subjectReference {
            try purgeArtefacts(of: reference, contact: request.personal.contactOnFile ?? request.personal.contact)
        }
        // The entry goes first: the erasure ledger re-applies it on open if the shredding below is
        // interrupted or an older backup is restored.
        let ledger = ErasureLedger(context: context)
        var details = try tombstone.auditSummary()
        details[ErasureLedger.detailKey] = try ledger.sealedSubject(subject, request: id)
        try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .keyShred, decision: .allow,
                              reason: "erasure by crypto-shredding", policyVersion: policies.version,
                              rows: Int64(counts.values.reduce(0, +)), requestID: id, resultDigest: try tombstone.digest(),
                              details: details))
        try ledger.remember(subject, request: id, tombstone: try tombstone.digest())
        try workspace.vault.erase(subject: subject, requestDigest: try tombstone.digest(), now: clock())
        return "erased: data key destroyed (crypto-shredding), records, blind indexes and consent details removed; tombstone \(try tombstone.digest().prefix(23))…"
    }

    /// Consent purposes the scope names (`*` and prefixes such as `marketing.*` expand).
    func withdrawablePurposes(_ scope: [String]) -> [String] {
        policies.purposes.entries.values.filter { purpose in
            purpose.lawfulBasis == .consent && scope.contains { KeyPattern($0).matches(purpose.key) }
        }.map(\.key).sorted()
    }

    /// Every dataset's rows of one subject, read under the officer's subject-scoped decisions, plus the
    /// consent ledger when asked.
    func subjectDatasets(_ subject: SubjectID, actor: Caller, includeConsents: Bool) throws -> [SubjectDataset] {
        var out: [SubjectDataset] = []
        for dataset in workspace.catalog.datasets.values.sorted(by: { $0.name < $1.name }) {
            let columns = dataset.columns.map(\.name)
            let (_, grant) = try subjectDecision(actor: actor, subject: subject, dataset: dataset.name, columns: columns)
            var rows: [[Value]] = []
            try workspace.vault.read(grant, dataset: dataset, columns: columns, subjects: [subject]) { _, values in rows.append(values) }
            if !rows.isEmpty { out.append(try SubjectDataset(schema: dataset, rows: rows)) }
        }
        if includeConsents {
            let (_, grant) = try subjectDecision(actor: actor, subject: subject)
            let records = try consentRecords(grant: grant, subjects: [subject])[subject] ?? []
            let schema = DatasetSchema(name: "consent_records", description: "Consent given and withdrawn, per purpose.", subjectKeys: [],
                                       columns: [Column(name: "purpose", type: .string, columnClass: .attribute, category: "user.consent"),
                                                 Column(name: "purpose_version", type: .integer, columnClass: .attribute, category: "user.consent"),
                                                 Column(name: "action", type: .string, columnClass: .attribute, category: "user.consent"),
                                                 Column(name: "notice_version", type: .string, columnClass: .attribute, category: "user.consent"),
                                                 Column(name: "language", type: .string, columnClass: .attribute, category: "user.consent"),
                                                 Column(name: "time", type: .timestamp, columnClass: .event, category: "user.consent"),
                                                 Column(name: "channel", type: .string, columnClass: .attribute, category: "user.consent")],
                                       source: "Collected from the customer (consent forms and preference centre).", file: "-")
            let rows: [[Value]] = records.map {
                [.string($0.purpose), .integer(Int64($0.purposeVersion)), .string($0.action.rawValue), .string($0.noticeVersion),
                 .string($0.language), .timestamp(Int64($0.time.timeIntervalSince1970 * 1000)), .string($0.channel)]
            }
            if !rows.isEmpty { out.append(try SubjectDataset(schema: schema, rows: rows)) }
        }
        return out
    }

    /// Applies corrections (`dataset`, `column`, new value) to every row of the subject in that dataset.
    func rectify(_ subject: SubjectID, corrections: [Correction], actor: Caller) throws -> Int {
        var changed = 0
        for (datasetName, group) in Dictionary(grouping: corrections, by: \.dataset) {
            let dataset = try workspace.catalog.dataset(datasetName)
            var updates: [(Int, Value)] = []
            for correction in group {
                guard let index = dataset.index(of: correction.column) else {
                    throw EngineError.invalidRequest("dataset '\(datasetName)' has no column '\(correction.column)'")
                }
                switch ValueParser.parse(correction.newValue, column: dataset.columns[index]) {
                case let .success(value): updates.append((index, value))
                case let .failure(error): throw EngineError.invalidRequest("correction rejected: \(error)")
                }
            }
            let (_, grant) = try subjectDecision(actor: actor, subject: subject, dataset: datasetName, columns: group.map(\.column))
            try workspace.vault.rectify(subject: subject, dataset: dataset, grant: grant) { rows in
                rows.map { row in
                    var r = row
                    for (index, value) in updates { r[index] = value; changed += 1 }
                    return r
                }
            }
        }
        return changed
    }

    /// The art. 15 information, derived from policies, datasets and organisation.yaml.
    func processingInformation() throws -> ProcessingInformation {
        let org = try organisation
        let purposes = policies.purposes.entries.values.sorted { $0.key < $1.key }
        let descriptions = purposes.map { purpose in
            // The datasets a purpose processes are those its permits name.
            PurposeDescription(key: purpose.key, name: purpose.name, description: purpose.description, lawfulBasis: CustosRights.LawfulBasis(purpose.lawfulBasis),
                               datasets: workspace.catalog.datasets.keys.filter { name in
                                   policies.rules.contains { $0.effect == .permit && $0.coversPurpose(purpose.key) && $0.coversDataset(name) }
                               }.sorted())
        }
        let recipients = purposes.flatMap { p in p.recipients.map { Recipient(name: $0, role: "recipient", purpose: p.key, country: p.crossBorder ? "outside the EEA" : "EEA") } }
        let transfers = purposes.filter(\.crossBorder).map {
            TransferSafeguard(destination: "outside the EEA / China", recipient: $0.recipients.joined(separator: ", "),
                              safeguard: "standard contractual clauses; separate consent (PIPL art. 39)", howToObtainCopy: org.controller.contact)
        }
        var labels: [String: String] = [:]
        for dataset in workspace.catalog.datasets.values {
            for column in dataset.columns {
                // "user.contact.address.postal_code" reads as "contact address: postal code".
                let parts = column.category.split(separator: ".").dropFirst().map { $0.replacingOccurrences(of: "_", with: " ") }
                labels[column.category] = parts.count > 1 ? parts.dropLast().joined(separator: " ") + ": " + (parts.last ?? "") : (parts.first ?? column.category)
            }
        }
        labels["user.consent"] = "consent records"
        var sources = Dictionary(uniqueKeysWithValues: workspace.catalog.datasets.values.map { ($0.name, $0.source) })
        sources["consent_records"] = "Collected from the customer (consent forms and preference centre)."
        return ProcessingInformation(
            controller: org.controller, purposes: descriptions, categoryLabels: labels,
            recipients: recipients.isEmpty ? .notApplicable(reason: "no recipients outside the controller") : .stated(recipients),
            retention: purposes.map { RetentionRule(period: $0.retention.days.map { "\($0) days" } ?? "see criteria", criteria: "\($0.name): \($0.retention.criteria)") },
            complaintAuthority: org.supervisoryAuthority, sources: sources,
            automatedDecisionMaking: .notApplicable(reason: org.automatedDecisionMaking),
            internationalTransfers: transfers.isEmpty ? .notApplicable(reason: "no transfers") : .stated(transfers))
    }

    // MARK: Artefacts (outbox messages) per customer, purged on erasure

    /// Register id of a customer's artefact list: keyed, so the plaintext reference never appears.
    func artefactKey(_ reference: String) throws -> String {
        SHA256.hash(Array(reference.lowercased().utf8) + (try registerKey).rawBytes).hexString
    }

    func rememberArtefact(_ path: String, request: String, reference: String) throws {
        let key = try artefactKey(reference)
        var list = try artefacts(key)
        list.append(path)
        try workspace.registers.putRegisterRecord(kind: DocumentKind.artefact, id: key, summary: "",
                                              sealed: try sealRegister(Array(list.joined(separator: "\n").utf8), kind: DocumentKind.artefact, id: key))
    }

    func artefacts(_ key: String) throws -> [String] {
        guard let sealed = try workspace.registers.registerRecord(kind: DocumentKind.artefact, id: key) else { return [] }
        return String(decoding: try openRegister(sealed, kind: DocumentKind.artefact, id: key), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Deletes messages to this customer still waiting in the outbox (access copies, verification
    /// codes), so an erasure leaves none of their data in the workspace, even sealed. Only the
    /// confirmation of the erasure itself is queued afterwards, addressed to the requester.
    func purgeArtefacts(of reference: String, contact: DeliveryContact) throws {
        let outbox = try outbox
        let needle: [UInt8]
        switch contact {
        case let .email(address): needle = Array(address.lowercased().utf8)
        case let .postal(address): needle = Array(address.printedLines.joined(separator: "\n").lowercased().utf8)
        case let .phone(number): needle = Array(number.lowercased().utf8)
        }
        for name in try outbox.pending() {
            guard let queued = try? outbox.open(name),
                  PlaintextProbe.contains(Array(queued.text.lowercased().utf8), needle) else { continue }
            try outbox.remove(name)
        }
        let key = try artefactKey(reference)
        for name in try artefacts(key) { try outbox.remove(name) }
        try workspace.registers.putRegisterRecord(kind: DocumentKind.artefact, id: key, summary: "",
                                              sealed: try sealRegister([], kind: DocumentKind.artefact, id: key))
    }
}

extension RightsService {
    /// The legal-hold custodian reads a held subject's records (and nobody else can, for any purpose
    /// except storage and security). Refused for subjects not under hold.
    public func readHeldSubject(customer: String, actor: Caller) throws -> [SubjectDataset] {
        let subject = try resolveCustomer(customer, actor: actor, purpose: "essential.legal_obligation.legal_hold",
                                          columns: (try? workspace.catalog.dataset("customers"))?.columns.map(\.name) ?? ["customer_id"],
                                          mode: .reidentifiedExport)
        var out: [SubjectDataset] = []
        for dataset in workspace.catalog.datasets.values.sorted(by: { $0.name < $1.name }) {
            let columns = dataset.columns.map(\.name)
            let (_, grant) = try subjectDecision(actor: actor, subject: subject, purpose: "essential.legal_obligation.legal_hold",
                                                 dataset: dataset.name, columns: columns, mode: .reidentifiedExport)
            let (eligible, _) = try consentFilter(purpose: "essential.legal_obligation.legal_hold", grant: grant, at: clock(), subjects: [subject])
            guard eligible.contains(subject) else {
                throw EngineError.denied("this customer is not under a legal hold; the custodian reads held records only")
            }
            var rows: [[Value]] = []
            let stats = try workspace.vault.read(grant, dataset: dataset, columns: columns, subjects: [subject]) { _, values in rows.append(values) }
            try record(AuditEntry(time: clock(), actor: actor.principal, role: actor.role, action: .vaultRead, purpose: "essential.legal_obligation.legal_hold",
                                  dataset: dataset.name, decision: .allow, reason: "legal hold custodian read", policyVersion: policies.version,
                                  subjects: [pseudonymForAudit(subject)], subjectCount: 1, rows: Int64(stats.rows)))
            if !rows.isEmpty { out.append(try SubjectDataset(schema: dataset, rows: rows)) }
        }
        return out
    }
}
