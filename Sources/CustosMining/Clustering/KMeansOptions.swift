/// Stopping rule and parallelism for `KMeans.fit`, with scikit-learn's defaults.
public struct KMeansOptions: Sendable, Equatable {
    /// The most Lloyd iterations run (scikit-learn `max_iter`, default 300).
    public var maxIterations: Int
    /// Relative tolerance (scikit-learn `tol`, default 1e-4): stop when the sum over centres of the
    /// squared centre shift is at most `tolerance * mean(per-feature variance)`. Lloyd also stops when
    /// no label changed. `nil` disables both early stops: exactly `maxIterations` iterations run.
    public var tolerance: Double?
    /// Worker threads for the assignment step (default 2).
    public var threads: Int

    /// Creates options; the defaults are scikit-learn's.
    public init(maxIterations: Int = 300, tolerance: Double? = 1e-4, threads: Int = 2) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.threads = threads
    }
}

/// The outcome of `KMeans.fit`.
public struct KMeansResult: Sendable, Equatable {
    /// Number of clusters.
    public let k: Int
    /// Number of features per point.
    public let cols: Int
    /// Final centres, `k x cols`, row-major.
    public let centres: [Double]
    /// Cluster of each point (0..<k), computed against the final centres.
    public let labels: [Int32]
    /// Points per cluster.
    public let sizes: [Int]
    /// Sum of squared distances of points to their centre (SSE, scikit-learn `inertia_`).
    public let inertia: Double
    /// Lloyd iterations run (scikit-learn `n_iter_`).
    public let iterations: Int
    /// True when the run stopped early (labels unchanged or shift within tolerance).
    public let converged: Bool

    /// Centre `cluster` as an array of `cols` values.
    public func centre(_ cluster: Int) -> [Double] {
        Array(centres[(cluster * cols)..<((cluster + 1) * cols)])
    }
}
