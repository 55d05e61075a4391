/// A differentially private computation whose guarantee travels with it (after OpenDP's
/// measurements): its ``declaration`` states the cost, the contribution bounds it assumes and
/// the noise it adds, and is known before ``release(_:using:)`` runs.
public protocol PrivacyMechanism: Sendable {
    /// What the mechanism reads (already contribution-bounded data or statistics).
    associatedtype Input
    /// What it releases (noisy values with their accuracy).
    associatedtype Output

    /// The guarantee, stated before running.
    var declaration: MechanismDeclaration { get }

    /// Runs the mechanism. Call through ``PrivacyHandle/run(_:on:)`` so the cost is charged.
    func release<R: RandomSource>(_ input: Input, using random: inout R) throws -> Output
}

extension PrivacyMechanism {
    /// The privacy cost this mechanism charges.
    public var cost: PrivacyCost { declaration.cost }
}

/// A mechanism's declared guarantee: what the engine reserves, audits and checks afterwards.
public struct MechanismDeclaration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Short name, such as "count" or "partition selection".
    public let mechanism: String
    /// The privacy cost charged when it runs.
    public let cost: PrivacyCost
    /// The per-subject contribution bounds the cost assumes.
    public let contributionBounds: ContributionBounds
    /// The public value domain (clamping bounds and grid), for numeric mechanisms.
    public let domain: NumericDomain?
    /// The noise added to each released statistic, in order.
    public let noise: [NoiseDistribution]

    /// A declaration.
    public init(
        mechanism: String, cost: PrivacyCost, contributionBounds: ContributionBounds,
        domain: NumericDomain? = nil, noise: [NoiseDistribution]
    ) {
        self.mechanism = mechanism
        self.cost = cost
        self.contributionBounds = contributionBounds
        self.domain = domain
        self.noise = noise
    }

    /// One line for audit entries.
    public var description: String {
        var text = "\(mechanism): \(cost); \(contributionBounds)"
        if let domain { text += "; \(domain)" }
        return text + "; noise " + noise.map(\.description).joined(separator: ", ")
    }
}
