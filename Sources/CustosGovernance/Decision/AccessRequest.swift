import CustosSchema

/// A request to read a dataset: who asks, in which role, for which purpose, which columns, how the
/// results will leave the engine, and how much privacy budget the job will spend.
public struct AccessRequest: Sendable, CustomStringConvertible {
    /// Principal id.
    public var principal: String
    /// The principal's bearer token. Never printed, logged or copied into a decision.
    public var token: String?
    /// The role the principal acts in (must be one of theirs).
    public var role: String
    /// Purpose key, e.g. `analytics.reporting`.
    public var purpose: String
    /// Dataset name.
    public var dataset: String
    /// Columns the job needs.
    public var columns: [String]
    /// How results leave the engine.
    public var outputMode: OutputMode
    /// Epsilon the job will spend (differentially private output only).
    public var epsilon: Double?
    /// Delta the job will spend (partition selection of keys not declared public); 0 for pure DP.
    public var delta: Double
    /// For data-subject requests and legal holds: the one subject (internal id, hex) the job is limited to.
    public var subjectScope: String?

    /// Creates the value from its parts.
    public init(
        principal: String, token: String?, role: String, purpose: String, dataset: String, columns: [String],
        outputMode: OutputMode, epsilon: Double? = nil, delta: Double = 0, subjectScope: String? = nil
    ) {
        self.principal = principal
        self.token = token
        self.role = role
        self.purpose = purpose
        self.dataset = dataset
        self.columns = columns
        self.outputMode = outputMode
        self.epsilon = epsilon
        self.delta = delta
        self.subjectScope = subjectScope
    }

    /// The request without its token or subject scope.
    public var description: String {
        var text = "\(principal) as \(role) for \(purpose) on \(dataset) [\(columns.joined(separator: ", "))] -> \(outputMode.rawValue)"
        if let epsilon { text += ", epsilon \(epsilon)" }
        if delta > 0 { text += ", delta \(delta)" }
        if subjectScope != nil { text += ", one subject" }
        return text
    }
}
