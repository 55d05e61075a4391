import CustosPrivacy

/// A differentially private funnel. Each customer reaches a depth 0…S (the steps reached in order
/// form a prefix), so the whole ε goes to one histogram of depths, one row per customer
/// (sensitivity 1). Customers reaching step i is the sum of the noisy bins above i; its 95%
/// half-width comes from the exact convolution of the bins' noise.
public struct PrivateFunnel: Sendable {
    public let steps: Int
    public let epsilon: Double

    /// Noisy depth bins (index d = customers whose deepest step is d) and, per step, the 95%
    /// half-width of "customers reaching this step" (a sum of S − i bins).
    public struct Result: Sendable {
        public let bins: [NoisyInteger]
        public let reachedHalfWidth95: [Int64]
    }

    public init(steps: Int, epsilon: Double) throws {
        guard (1...64).contains(steps) else { throw PrivacyError.invalidParameter("a funnel needs 1…64 steps") }
        guard epsilon.isFinite, epsilon > 0 else { throw PrivacyError.invalidParameter("epsilon must be a positive number") }
        self.steps = steps
        self.epsilon = epsilon
    }

    /// The whole privacy cost, known before any data is read.
    public var cost: PrivacyCost { PrivacyCost(epsilon: epsilon) }

    /// Each customer's depth from an exact funnel: `subjects` customers, `reached[i]` of whom reached step i.
    public static func depths(subjects: Int, reached: [Int]) -> [Int] {
        var depths: [Int] = []
        for d in 0...reached.count {
            let above = d == 0 ? subjects : reached[d - 1]
            depths += Array(repeating: d, count: max(0, above - (d < reached.count ? reached[d] : 0)))
        }
        return depths
    }

    /// Releases the depth histogram through `handle` (one customer, one depth).
    public func run(depths: [Int], handle: PrivacyHandle) throws -> Result {
        let histogram = try HistogramMechanism(edges: (0...(steps + 1)).map(Double.init),
                                               guarantee: .pure(epsilon: BudgetSplit.evenShare(epsilon, parts: 1)))
        let bins = try handle.run(histogram, on: .oneRowPerSubject(depths.map { Double(min(max($0, 0), steps)) }))
        let noise = bins[0].noise
        return Result(bins: bins, reachedHalfWidth95: (0..<steps).map { noise.halfWidthOfSum95(terms: steps - $0) })
    }
}
