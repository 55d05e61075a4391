/// One member of an entry line's outermost object: name content range (without quotes), whether the
/// name is plain ASCII without escapes, and the value's byte range. (A struct, not a tuple: tuple
/// metadata is looked up at run time under a global lock, which two verifier threads contend on.)
struct TopMember {
    let name: Range<Int>
    let plain: Bool
    let value: Range<Int>
}

/// Checks the members of a canonical entry line against the entry schema without decoding the entry
/// (the verifier runs it on every line, so it avoids allocation where it can).
struct EntrySchema {
    private enum Field: Int, CaseIterable {
        case time, actor, role, action, purpose, dataset, reason, policyVersion, jobID, requestID, resultDigest
        case decision, epsilon, rho, rows, subjectCount, subjects, details
    }

    private static let names: [[UInt8]] = Field.allCases.map { field in
        let text: String
        switch field {
        case .time: text = "time"
        case .actor: text = "actor"
        case .role: text = "role"
        case .action: text = "action"
        case .purpose: text = "purpose"
        case .dataset: text = "dataset"
        case .reason: text = "reason"
        case .policyVersion: text = "policyVersion"
        case .jobID: text = "jobID"
        case .requestID: text = "requestID"
        case .resultDigest: text = "resultDigest"
        case .decision: text = "decision"
        case .epsilon: text = "epsilon"
        case .rho: text = "rho"
        case .rows: text = "rows"
        case .subjectCount: text = "subjectCount"
        case .subjects: text = "subjects"
        case .details: text = "details"
        }
        return Array(text.utf8)
    }

    /// Decimal texts already found canonical (entries repeat the same few epsilons).
    private var canonicalDecimals = [[UInt8]]()

    /// Value start and end offsets per field, -1 when absent (reused between lines).
    private var starts = [Int](repeating: -1, count: Field.allCases.count)
    private var ends = [Int](repeating: -1, count: Field.allCases.count)

    mutating func problem(bytes b: UnsafeBufferPointer<UInt8>, members: [TopMember]) -> String? {
        for i in starts.indices { starts[i] = -1 }
        for member in members where member.plain {
            let name = UnsafeBufferPointer(rebasing: b[member.name])
            for i in 0..<EntrySchema.names.count {
                let candidate = EntrySchema.names[i]
                if candidate.count == name.count && candidate.elementsEqual(name) {
                    starts[i] = member.value.lowerBound
                    ends[i] = member.value.upperBound
                    break
                }
            }
        }
        let starts = self.starts, ends = self.ends
        func value(_ field: Field) -> Range<Int>? {
            starts[field.rawValue] < 0 ? nil : starts[field.rawValue]..<ends[field.rawValue]
        }
        func isString(_ range: Range<Int>) -> Bool { b[range.lowerBound] == 0x22 }
        /// String content without the quotes, if it has no escapes.
        func plain(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8>? {
            guard isString(range) else { return nil }
            let content = UnsafeBufferPointer(rebasing: b[(range.lowerBound + 1)..<(range.upperBound - 1)])
            return content.contains(0x5C) ? nil : content
        }
        for field in [Field.time, .actor, .role, .action] {
            guard let range = value(field), isString(range) else {
                return "required member '\(String(decoding: EntrySchema.names[field.rawValue], as: UTF8.self))' is missing or not a string"
            }
        }
        guard let time = value(.time).flatMap(plain), AuditTimestamp.isCanonical(time) else {
            return "'time' is not YYYY-MM-DDTHH:MM:SS.mmmZ"
        }
        if let actor = value(.actor), let role = value(.role), actor.count <= 2 || role.count <= 2 {
            return "'actor' and 'role' must not be empty"
        }
        guard let action = value(.action).flatMap(plain), action.count <= 64,
              AuditAction.isValidName(String(decoding: action, as: UTF8.self))
        else { return "'action' is not a dotted lower-case name" }
        for field in [Field.purpose, .dataset, .reason, .policyVersion, .jobID, .requestID, .resultDigest] {
            if let range = value(field), !isString(range) { return "a text member is not a string" }
        }
        if let range = value(.decision) {
            let text = plain(range).map { String(decoding: $0, as: UTF8.self) }
            if text != "allow" && text != "deny" { return "'decision' is neither allow nor deny" }
        }
        for field in [Field.epsilon, .rho] {
            guard let range = value(field) else { continue }
            guard let text = plain(range) else { return "'epsilon' and 'rho' must be canonical decimal strings" }
            if canonicalDecimals.contains(where: { $0.count == text.count && $0.elementsEqual(text) }) { continue }
            guard DecimalText.parse(String(decoding: text, as: UTF8.self)) != nil else {
                return "'epsilon' and 'rho' must be canonical decimal strings"
            }
            if canonicalDecimals.count >= 16 { canonicalDecimals.removeFirst() }
            canonicalDecimals.append(Array(text))
        }
        for field in [Field.rows, .subjectCount] {
            if let range = value(field), !(b[range.lowerBound] >= 0x30 && b[range.lowerBound] <= 0x39) {
                return "'rows' and 'subjectCount' must be non-negative integers"
            }
        }
        if let range = value(.subjects) {
            guard let items = (try? JSONParser.parse(UnsafeBufferPointer(rebasing: b[range])))?.arrayValue,
                  items.allSatisfy({ $0.stringValue != nil })
            else { return "'subjects' is not an array of strings" }
        }
        if let range = value(.details) {
            guard let object = (try? JSONParser.parse(UnsafeBufferPointer(rebasing: b[range])))?.objectValue,
                  !object.isEmpty, object[""] == nil, object.values.allSatisfy({ $0.stringValue != nil })
            else { return "'details' is not a non-empty object of strings" }
        }
        return nil
    }
}
