import Foundation
import Synchronization

/// What the engine hands to mining and statistics code after reserving a job's whole cost:
/// the reserved budget and the job's random source. Every mechanism run through it charges its
/// declared cost first; a mechanism that would take the job past its reservation is refused.
///
/// Thread-safe: concurrent ``run(_:on:)`` calls are serialised.
public final class PrivacyHandle: Sendable {
    /// The cost the engine reserved for this job.
    public let reserved: PrivacyCost
    private let state: Mutex<State>

    /// What the job has spent, what it ran, and its random source: one lock, so runs are serialised.
    private struct State {
        var spentSoFar = PrivacyCost.zero
        var declarations: [MechanismDeclaration] = []
        var random: AnyRandomSource
    }

    /// A handle over a reservation with the production CSPRNG.
    public convenience init(reserved: PrivacyCost) throws {
        try self.init(reserved: reserved, randomSource: SecureRandomSource())
    }

    /// A handle over a reservation with the given random source (tests pass a seeded one from
    /// `CustosTesting`).
    public init(reserved: PrivacyCost, randomSource: sending some RandomSource) throws {
        guard reserved.isValid else {
            throw PrivacyError.invalidParameter("the reserved cost must be finite and non-negative")
        }
        self.reserved = reserved
        self.state = Mutex(State(random: AnyRandomSource(randomSource)))
    }

    /// What the job has charged so far (composed in order).
    public var spent: PrivacyCost {
        state.withLock { $0.spentSoFar }
    }

    /// What is left of the reservation.
    public var remaining: PrivacyCost {
        state.withLock { reserved.subtracting($0.spentSoFar) }
    }

    /// The declarations of every mechanism run so far, for the audit entry.
    public var releasedMechanisms: [MechanismDeclaration] {
        state.withLock { $0.declarations }
    }

    /// Charges the mechanism's declared cost, then runs it with the job's random source.
    ///
    /// The cost is charged before the mechanism runs and stays charged if it then fails.
    /// - Throws: ``PrivacyError/budgetExceeded(requested:remaining:)`` when the job would spend
    ///   more than it reserved; otherwise whatever the mechanism throws.
    public func run<M: PrivacyMechanism>(_ mechanism: M, on input: M.Input) throws -> M.Output
    where M.Input: Sendable, M.Output: Sendable {
        try state.withLock { state in
            let cost = mechanism.cost
            guard cost.isValid else {
                throw PrivacyError.invalidParameter("mechanism \(mechanism.declaration.mechanism) declares an invalid cost")
            }
            let after = state.spentSoFar + cost
            guard after.isCovered(by: reserved) else {
                throw PrivacyError.budgetExceeded(requested: cost, remaining: reserved.subtracting(state.spentSoFar))
            }
            state.spentSoFar = after
            state.declarations.append(mechanism.declaration)
            return try mechanism.release(input, using: &state.random)
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
