/// Report-noisy-max and top-k over integer scores whose sensitivity the caller declares
/// (for example counts over bounded data: `maxRowsPerSubject`).
///
/// Each round adds fresh discrete Laplace noise to every remaining score and reports the index of
/// the largest noisy score (ties to the lowest index). With scale `2Δ/epsilon` this is epsilon-DP
/// for any scores of sensitivity Δ; with `monotone` scores (all move the same way when a subject
/// is added, as counts do) scale `Δ/epsilon` suffices (Dwork & Roth 2014, Claim 3.9; the integer
/// thresholds make the discrete tail argument identical). Top-k peels k rounds, each with
/// `epsilon/k` (sequential composition). Pure DP only.
public struct NoisyMaxMechanism: PrivacyMechanism {
    public let declaration: MechanismDeclaration
    /// How many indices to report.
    public let k: Int
    let noise: NoiseDistribution

    /// Top-`k` report-noisy-max.
    public init(k: Int = 1, scoreSensitivity: UInt64, monotone: Bool, guarantee: PrivacyGuarantee,
                bounds: ContributionBounds = .oneRowPerSubject) throws {
        guard case .pure = guarantee else {
            throw PrivacyError.invalidParameter("report-noisy-max uses Laplace noise and needs a pure-DP guarantee")
        }
        guard k >= 1, scoreSensitivity >= 1 else {
            throw PrivacyError.invalidParameter("top-k needs k >= 1 and a positive score sensitivity")
        }
        self.k = k
        let sensitivity = monotone ? scoreSensitivity : try checkedProduct(2, scoreSensitivity, "noisy max sensitivity")
        noise = try guarantee.noise(sensitivity: sensitivity, parts: UInt64(k))
        declaration = MechanismDeclaration(
            mechanism: "report noisy max (top \(k))", cost: guarantee.cost, contributionBounds: bounds, noise: [noise])
    }

    /// Returns the chosen indices, best first.
    public func release<R: RandomSource>(_ scores: [Int64], using random: inout R) throws -> [Int] {
        guard scores.count >= k else {
            throw PrivacyError.invalidParameter("top-\(k) needs at least \(k) candidates")
        }
        var remaining = Array(scores.indices)
        var chosen: [Int] = []
        for _ in 0..<k {
            var bestIndex = -1
            var bestScore = Int64.min
            for i in remaining {
                let z = try noise.sample(using: &random)
                let (noisy, overflow) = scores[i].addingReportingOverflow(z)
                guard !overflow else { throw PrivacyError.arithmeticOverflow("noisy max") }
                if bestIndex < 0 || noisy > bestScore || (noisy == bestScore && i < bestIndex) {
                    bestIndex = i
                    bestScore = noisy
                }
            }
            chosen.append(bestIndex)
            remaining.removeAll { $0 == bestIndex }
        }
        return chosen
    }
}
