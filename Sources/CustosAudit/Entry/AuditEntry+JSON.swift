extension AuditEntry {
    /// Largest accepted canonical line, in bytes (without the newline).
    public static let maximumLineBytes = 65_536

    /// The entry as a JSON object (absent optional fields omitted, empty `details` omitted).
    /// Throws `AuditError.invalidEntry` for values the format cannot hold.
    public func jsonValue() throws(AuditError) -> JSONValue {
        guard !actor.isEmpty else { throw .invalidEntry(reason: "actor is empty") }
        guard !role.isEmpty else { throw .invalidEntry(reason: "role is empty") }
        var o: [String: JSONValue] = [
            EntryKey.time: .string(AuditTimestamp.format(milliseconds: timeMilliseconds)),
            EntryKey.actor: .string(actor),
            EntryKey.role: .string(role),
            EntryKey.action: .string(action.rawValue),
        ]
        func put(_ key: String, _ value: String?) {
            if let value { o[key] = .string(value) }
        }
        put(EntryKey.purpose, purpose)
        put(EntryKey.dataset, dataset)
        put(EntryKey.decision, decision?.rawValue)
        put(EntryKey.reason, reason)
        put(EntryKey.policyVersion, policyVersion)
        put(EntryKey.jobID, jobID)
        put(EntryKey.requestID, requestID)
        put(EntryKey.resultDigest, resultDigest)
        for (key, value) in [(EntryKey.epsilon, epsilon), (EntryKey.rho, rho)] {
            guard let value else { continue }
            guard let text = DecimalText.canonical(value) else {
                throw .invalidEntry(reason: "\(key) must be a finite number ≥ 0")
            }
            o[key] = .string(text)
        }
        for (key, value) in [(EntryKey.rows, rows), (EntryKey.subjectCount, subjectCount)] {
            guard let value else { continue }
            guard value >= 0, value <= JSONValue.maxSafeInteger else {
                throw .invalidEntry(reason: "\(key) must be between 0 and 2^53 − 1")
            }
            o[key] = .integer(value)
        }
        if let subjects { o[EntryKey.subjects] = .array(subjects.map { .string($0) }) }
        if !details.isEmpty {
            guard !details.keys.contains("") else { throw .invalidEntry(reason: "a details key is empty") }
            o[EntryKey.details] = .object(details.mapValues { .string($0) })
        }
        return .object(o)
    }

    /// The canonical JSON line (without the trailing newline) that the log stores and hashes.
    public func canonicalLine() throws(AuditError) -> [UInt8] {
        let line = CanonicalJSON.encode(try jsonValue())
        guard line.count <= AuditEntry.maximumLineBytes else {
            throw .entryTooLarge(bytes: line.count, limit: AuditEntry.maximumLineBytes)
        }
        return line
    }

    /// Decodes one stored line. Unknown members are ignored (readers of this version skip fields that
    /// later versions add); `location` only labels errors.
    public init(line: UnsafeBufferPointer<UInt8>, location: String = "line") throws(AuditError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw .malformedEntry(location: location, reason: error.description)
        }
        try self.init(json: value, location: location)
    }

    /// Decodes one stored line given as bytes.
    public init(line: [UInt8], location: String = "line") throws(AuditError) {
        var result: Result<AuditEntry, AuditError> = .failure(.malformedEntry(location: location, reason: "empty"))
        line.withUnsafeBufferPointer { buffer in
            do throws(AuditError) {
                result = .success(try AuditEntry(line: buffer, location: location))
            } catch {
                result = .failure(error)
            }
        }
        self = try result.get()
    }

    /// Decodes an entry from its JSON object form.
    public init(json: JSONValue, location: String = "line") throws(AuditError) {
        guard let o = json.objectValue else { throw .malformedEntry(location: location, reason: "not a JSON object") }
        func string(_ key: String) throws(AuditError) -> String? {
            guard let v = o[key] else { return nil }
            guard let s = v.stringValue else {
                throw .malformedEntry(location: location, reason: "'\(key)' is not a string")
            }
            return s
        }
        func required(_ key: String) throws(AuditError) -> String {
            guard let s = try string(key) else { throw .malformedEntry(location: location, reason: "'\(key)' is missing") }
            return s
        }
        func integer(_ key: String) throws(AuditError) -> Int64? {
            guard let v = o[key] else { return nil }
            guard let i = v.integerValue, i >= 0 else {
                throw .malformedEntry(location: location, reason: "'\(key)' is not a non-negative integer")
            }
            return i
        }
        func decimal(_ key: String) throws(AuditError) -> Double? {
            guard let s = try string(key) else { return nil }
            guard let d = DecimalText.parse(s) else {
                throw .malformedEntry(location: location, reason: "'\(key)' is not a canonical decimal")
            }
            return d
        }
        guard try !required(EntryKey.actor).isEmpty, try !required(EntryKey.role).isEmpty else {
            throw .malformedEntry(location: location, reason: "'actor' and 'role' must not be empty")
        }
        guard let ms = AuditTimestamp.parse(try required(EntryKey.time)) else {
            throw .malformedEntry(location: location, reason: "'time' is not YYYY-MM-DDTHH:MM:SS.mmmZ")
        }
        guard let action = AuditAction(rawValue: try required(EntryKey.action)) else {
            throw .malformedEntry(location: location, reason: "'action' is not a dotted lower-case name")
        }
        var decision: AuditDecision?
        if let d = try string(EntryKey.decision) {
            guard let parsed = AuditDecision(rawValue: d) else {
                throw .malformedEntry(location: location, reason: "'decision' is neither allow nor deny")
            }
            decision = parsed
        }
        var subjects: [String]?
        if let v = o[EntryKey.subjects] {
            guard let items = v.arrayValue else {
                throw .malformedEntry(location: location, reason: "'subjects' is not an array")
            }
            var list = [String]()
            for item in items {
                guard let s = item.stringValue else {
                    throw .malformedEntry(location: location, reason: "'subjects' holds a non-string")
                }
                list.append(s)
            }
            subjects = list
        }
        var details = [String: String]()
        if let v = o[EntryKey.details] {
            guard let members = v.objectValue, !members.isEmpty, members[""] == nil else {
                throw .malformedEntry(location: location, reason: "'details' is not a non-empty object")
            }
            for (key, value) in members {
                guard let s = value.stringValue else {
                    throw .malformedEntry(location: location, reason: "'details' holds a non-string value")
                }
                details[key] = s
            }
        }
        self.init(
            time: AuditTimestamp.date(milliseconds: 0), actor: try required(EntryKey.actor),
            role: try required(EntryKey.role), action: action, purpose: try string(EntryKey.purpose),
            dataset: try string(EntryKey.dataset), decision: decision, reason: try string(EntryKey.reason),
            policyVersion: try string(EntryKey.policyVersion), epsilon: try decimal(EntryKey.epsilon),
            rho: try decimal(EntryKey.rho), subjects: subjects, subjectCount: try integer(EntryKey.subjectCount),
            rows: try integer(EntryKey.rows), jobID: try string(EntryKey.jobID),
            requestID: try string(EntryKey.requestID), resultDigest: try string(EntryKey.resultDigest),
            details: details)
        self.timeMilliseconds = ms
    }
}

extension AuditEntry: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes the same members as the canonical line (epsilon and rho as decimal strings), so that
    /// `JSONEncoder` output parses back with `init(from:)`. Key order follows the encoder, not the
    /// canonical rules: use `canonicalLine()` for anything that is hashed.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        guard let o = try jsonValue().objectValue else { return }
        for (key, value) in o {
            switch value {
            case .string(let s): try c.encode(s, forKey: Key(key))
            case .integer(let i): try c.encode(i, forKey: Key(key))
            case .array(let a): try c.encode(a.compactMap(\.stringValue), forKey: Key(key))
            case .object(let m): try c.encode(m.compactMapValues(\.stringValue), forKey: Key(key))
            case .bool(let b): try c.encode(b, forKey: Key(key))
            case .null: try c.encodeNil(forKey: Key(key))
            }
        }
    }

    /// Decodes what `encode(to:)` wrote.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var o = [String: JSONValue]()
        for key in c.allKeys {
            if let s = try? c.decode(String.self, forKey: key) {
                o[key.stringValue] = .string(s)
            } else if let i = try? c.decode(Int64.self, forKey: key) {
                o[key.stringValue] = .integer(i)
            } else if let a = try? c.decode([String].self, forKey: key) {
                o[key.stringValue] = .array(a.map { .string($0) })
            } else if let m = try? c.decode([String: String].self, forKey: key) {
                o[key.stringValue] = .object(m.mapValues { .string($0) })
            }
        }
        try self.init(json: .object(o), location: "decoded value")
    }
}
