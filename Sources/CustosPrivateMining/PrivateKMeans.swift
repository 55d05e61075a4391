import CustosMining
import CustosPrivacy

/// Differentially private k-means (Su et al. 2016, as in diffprivlib) over points already scaled
/// into the public box [-1, 1]^d, one point per customer.
///
/// Its whole cost is ε, stated by ``cost`` before any point is seen: `iterations` Lloyd steps, each
/// with ε/T, half to the noisy cluster sizes (a histogram of labels, sensitivity 1) and half split
/// evenly over the d noisy coordinate sums (one point moves one cluster's sum by at most 1 in
/// each coordinate). Points are assigned with CustosMining's nearest-centre kernel; the update is
/// noisy sum / noisy size, clamped to the box (a cluster with a noisy size below one keeps its centre).
public struct PrivateKMeans: Sendable {
    public let k: Int
    public let dimensions: Int
    public let iterations: Int
    public let epsilon: Double
    /// The public start (`k x dimensions`, in the box): from a seed or a parameter, never from the data.
    public let initialCentres: [Double]

    /// What the algorithm releases: centres in the box (`k x dimensions`), the last step's noisy
    /// sizes, and the 95% half-width of every coordinate sum (the same for all).
    public struct Result: Sendable {
        public let centres: [Double]
        public let sizes: [NoisyInteger]
        public let sumHalfWidth95: Double
    }

    /// Validates the parameters (all public).
    public init(k: Int, dimensions: Int, iterations: Int, epsilon: Double, initialCentres: [Double]) throws {
        guard k >= 1, dimensions >= 1, iterations >= 1, initialCentres.count == k * dimensions else {
            throw PrivacyError.invalidParameter("k-means needs k ≥ 1, at least one dimension and iteration, and k x d initial centres")
        }
        guard epsilon.isFinite, epsilon > 0 else { throw PrivacyError.invalidParameter("epsilon must be a positive number") }
        self.k = k
        self.dimensions = dimensions
        self.iterations = iterations
        self.epsilon = epsilon
        self.initialCentres = initialCentres.map { min(max($0, -1), 1) }
    }

    /// The whole privacy cost, known before any data is read.
    public var cost: PrivacyCost { PrivacyCost(epsilon: epsilon) }

    /// Runs the noisy Lloyd steps, charging every mechanism to `handle` (at most ``cost`` in total).
    public func run(points: [Double], handle: PrivacyHandle) throws -> Result {
        let cols = dimensions
        guard points.count % cols == 0 else { throw PrivacyError.invalidParameter("points must have \(cols) coordinates each") }
        let rows = points.count / cols
        let countShare = PrivacyGuarantee.pure(epsilon: BudgetSplit.evenShare(epsilon, parts: 2 * iterations))
        let sumShare = PrivacyGuarantee.pure(epsilon: BudgetSplit.evenShare(epsilon, parts: 2 * iterations * cols))
        let domain = try NumericDomain(lower: -1, upper: 1, decimalPlaces: 4)
        let histogram = try HistogramMechanism(edges: (0...k).map(Double.init), guarantee: countShare)
        let summer = try GroupBySumMechanism<Int>(domain: domain, guarantee: sumShare, bounds: .oneRowPerSubject)
        let box = points.map { min(max($0, -1), 1) }
        var centres = initialCentres
        var sizes: [NoisyInteger] = []
        var sumHalf = 0.0
        for _ in 0..<iterations {
            let labels = NearestCentre.labels(points: box, rows: rows, cols: cols, centres: centres, k: k).map(Int.init)
            sizes = try handle.run(histogram, on: .oneRowPerSubject(labels.map(Double.init)))
            var next = centres
            for j in 0..<cols {
                let coordinate = (0..<rows).map { box[$0 * cols + j] }
                let sums = try handle.run(summer, on: .init(column: .oneRowPerSubject(keys: labels, values: coordinate), keys: Array(0..<k)))
                for c in 0..<k where sizes[c].value >= 1 {
                    guard let sum = sums[c] else { continue }
                    next[c * cols + j] = min(max(sum.value / Double(sizes[c].value), -1), 1)
                    sumHalf = sum.upper95 - sum.value
                }
            }
            centres = next
        }
        return Result(centres: centres, sizes: sizes, sumHalfWidth95: sumHalf)
    }
}
