/// A number a DP result may show, with its 95% interval when it is randomised.
///
/// There is no initialiser from a plain `Double` that does not say where it comes from: a released
/// number is built from a mechanism's output (``init(_:)-noisy``), derived from released numbers
/// (``derived(_:from:interval:_:)``), or declared public (``declared(_:_:)``).
public struct ReleasedNumber: Sendable, Hashable, Encodable {
    /// The released value.
    public let value: Double
    /// Lower end of the 95% interval for the noiseless statistic (nil when not stated).
    public let lower95: Double?
    /// Upper end of the 95% interval.
    public let upper95: Double?
    /// Where the value comes from.
    public let provenance: Provenance

    init(value: Double, lower95: Double?, upper95: Double?, provenance: Provenance) {
        self.value = value
        self.lower95 = lower95
        self.upper95 = upper95
        self.provenance = provenance
    }

    /// A noisy integer (count, histogram bin) from a charged mechanism.
    public init(_ noisy: NoisyInteger) {
        self.init(value: Double(noisy.value), lower95: Double(noisy.value - noisy.halfWidth95),
                  upper95: Double(noisy.value + noisy.halfWidth95), provenance: .noisy(mechanism: noisy.noise.description))
    }

    /// A noisy estimate (sum, mean, variance) from a charged mechanism.
    public init(_ noisy: NoisyEstimate) {
        self.init(value: noisy.value, lower95: noisy.lower95, upper95: noisy.upper95, provenance: .noisy(mechanism: "estimate"))
    }

    /// A quantile chosen by the exponential mechanism (its interval is in ranks, not values).
    public init(_ quantile: QuantileResult) {
        self.init(value: quantile.value, lower95: nil, upper95: nil, provenance: .noisy(mechanism: "exponential mechanism quantile"))
    }

    /// Half-width of the 95% interval, when it is symmetric and stated.
    public var halfWidth95: Double? {
        guard let lower95, let upper95 else { return nil }
        return (upper95 - lower95) / 2
    }

    /// A value public by declaration: `what` says why (e.g. "parameter k", "schema bound").
    public static func declared(_ value: Double, _ what: String) -> ReleasedNumber {
        ReleasedNumber(value: value, lower95: nil, upper95: nil, provenance: .declared(what))
    }

    /// Post-processing: `compute` applied to released numbers only. The result is declared public
    /// when every input is, and post-processed otherwise. `interval` states a 95% interval when the
    /// derivation knows one.
    public static func derived(
        _ how: String, from inputs: [ReleasedNumber], interval: (Double, Double)? = nil, _ compute: ([Double]) -> Double
    ) -> ReleasedNumber {
        let randomised = inputs.contains { $0.provenance.isRandomised }
        return ReleasedNumber(value: compute(inputs.map(\.value)), lower95: interval?.0, upper95: interval?.1,
                              provenance: randomised ? .postProcessed(how) : .declared(how))
    }

    /// This number with a different 95% interval computed by post-processing (e.g. exactly from
    /// the convolution of several noisy bins).
    public func withInterval(_ lower: Double, _ upper: Double) -> ReleasedNumber {
        ReleasedNumber(value: value, lower95: lower, upper95: upper, provenance: provenance)
    }
}

