import Foundation

/// Top two principal components by power iteration on the covariance of standardised data.
public enum PrincipalComponents {
    /// The projections of each row of `z` (`rows x cols`, standardised) on the first and second
    /// principal component.
    public static func project(_ z: [Double], rows: Int, cols: Int) -> ([Double], [Double]) {
        var cov = [Double](repeating: 0, count: cols * cols)
        for r in 0..<rows { for i in 0..<cols { for j in 0..<cols { cov[i * cols + j] += z[r * cols + i] * z[r * cols + j] } } }
        for i in cov.indices { cov[i] /= Double(max(rows - 1, 1)) }
        func top(_ m: [Double]) -> [Double] {
            var v = (0..<cols).map { 1.0 / Double($0 + 2) }
            for _ in 0..<200 {
                var w = [Double](repeating: 0, count: cols)
                for i in 0..<cols { for j in 0..<cols { w[i] += m[i * cols + j] * v[j] } }
                let norm = sqrt(w.reduce(0) { $0 + $1 * $1 })
                guard norm > 0 else { return v }
                v = w.map { $0 / norm }
            }
            return v
        }
        let v1 = top(cov)
        var lambda = 0.0
        for i in 0..<cols { for j in 0..<cols { lambda += v1[i] * cov[i * cols + j] * v1[j] } }
        var deflated = cov
        for i in 0..<cols { for j in 0..<cols { deflated[i * cols + j] -= lambda * v1[i] * v1[j] } }
        let v2 = top(deflated)
        var p1 = [Double](repeating: 0, count: rows), p2 = p1
        for r in 0..<rows { for j in 0..<cols { p1[r] += z[r * cols + j] * v1[j]; p2[r] += z[r * cols + j] * v2[j] } }
        return (p1, p2)
    }
}
