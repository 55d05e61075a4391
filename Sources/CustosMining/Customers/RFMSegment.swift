/// Named customer segments from the recency score R and frequency score F (1-5 each).
///
/// | segment | R | F |
/// |---|---|---|
/// | champions | 5 | 4-5 |
/// | loyal | 3-4 | 4-5 |
/// | potential loyalist | 4-5 | 2-3 |
/// | new | 5 | 1 |
/// | promising | 4 | 1 |
/// | need attention | 3 | 3 |
/// | about to sleep | 3 | 1-2 |
/// | at risk | 1-2 | 3-4 |
/// | can't lose | 1-2 | 5 |
/// | hibernating | 1-2 | 1-2, except R = 1 and F = 1 |
/// | lost | 1 | 1 |
///
/// Every (R, F) pair falls in exactly one segment.
public enum RFMSegment: String, Sendable, CaseIterable, Codable {
    case champions = "champions"
    case loyal = "loyal"
    case potentialLoyalist = "potential loyalist"
    case new = "new"
    case promising = "promising"
    case needAttention = "need attention"
    case aboutToSleep = "about to sleep"
    case atRisk = "at risk"
    case cannotLose = "can't lose"
    case hibernating = "hibernating"
    case lost = "lost"

    /// The segment of recency score `r` and frequency score `f` (each 1-5).
    public init(recencyScore r: Int, frequencyScore f: Int) {
        switch (r, f) {
        case (5, 4...5): self = .champions
        case (3...4, 4...5): self = .loyal
        case (4...5, 2...3): self = .potentialLoyalist
        case (5, _): self = .new
        case (4, _): self = .promising
        case (3, 3): self = .needAttention
        case (3, _): self = .aboutToSleep
        case (_, 5): self = .cannotLose
        case (_, 3...4): self = .atRisk
        case (1, 1): self = .lost
        default: self = .hibernating
        }
    }
}
