/// How a job divides its declared epsilon between mechanisms.
public enum BudgetSplit {
    /// Epsilon for each of `parts` equal mechanisms: a hair under ε/parts, so that their
    /// floating-point sum never exceeds the reservation (a privacy handle refuses any overspend,
    /// however small).
    public static func evenShare(_ epsilon: Double, parts: Int) -> Double {
        (epsilon / Double(max(parts, 1))).nextDown * (1 - 1e-12)
    }
}
