import Foundation

/// What the engine hands to mining and statistics code after reserving a job's whole cost:
/// the reserved budget and the job's random source. Every mechanism run through it charges its
/// declared cost first; a mechanism that would take the job past its reservation is refused.
///
/// Thread-safe: concurrent ``run(_:on:)`` calls are serialised.
public final class PrivacyHandle: @unchecked Sendable {
    /// The cost the engine reserved for this job.
    public let reserved: PrivacyCost
    private var spentSoFar = PrivacyCost.zero
    private var declarations: [MechanismDeclaration] = []
    private var random: AnyRandomSource
    private let lock = NSLock()

    /// A handle over a reservation with the production CSPRNG.
    public convenience init(reserved: PrivacyCost) throws {
        try self.init(reserved: reserved, randomSource: SecureRandomSource())
    }

    /// A handle over a reservation with the given random source (tests pass a seeded one from
    /// `CustosTesting`).
    public init(reserved: PrivacyCost, randomSource: some RandomSource) throws {
        guard reserved.isValid else {
            throw PrivacyError.invalidParameter("the reserved cost must be finite and non-negative")
        }
        self.reserved = reserved
        self.random = AnyRandomSource(randomSource)
    }

    /// What the job has charged so far (composed in order).
    public var spent: PrivacyCost {
        lock.withLock { spentSoFar }
    }

    /// What is left of the reservation.
    public var remaining: PrivacyCost {
        lock.withLock { reserved.subtracting(spentSoFar) }
    }

    /// The declarations of every mechanism run so far, for the audit entry.
    public var releasedMechanisms: [MechanismDeclaration] {
        lock.withLock { declarations }
    }

    /// Charges the mechanism's declared cost, then runs it with the job's random source.
    ///
    /// The cost is charged before the mechanism runs and stays charged if it then fails.
    /// - Throws: ``PrivacyError/budgetExceeded(requested:remaining:)`` when the job would spend
    ///   more than it reserved; otherwise whatever the mechanism throws.
    public func run<M: PrivacyMechanism>(_ mechanism: M, on input: M.Input) throws -> M.Output {
        try lock.withLock {
            let cost = mechanism.cost
            guard cost.isValid else {
                throw PrivacyError.invalidParameter("mechanism \(mechanism.declaration.mechanism) declares an invalid cost")
            }
            let after = spentSoFar + cost
            guard after.isCovered(by: reserved) else {
                throw PrivacyError.budgetExceeded(requested: cost, remaining: reserved.subtracting(spentSoFar))
            }
            spentSoFar = after
            declarations.append(mechanism.declaration)
            return try mechanism.release(input, using: &random)
        }
    }
}

/// A type-erased random source (the handle accepts any source chosen by its creator).
struct AnyRandomSource: RandomSource {
    private var base: any RandomSource

    init(_ base: some RandomSource) {
        self.base = base
    }

    mutating func nextUInt64() -> UInt64 {
        base.nextUInt64()
    }
}
