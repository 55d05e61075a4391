// bench-mining: times CustosMining kernels (kernel only, input parsing excluded).
// Prints one line per measurement: `kernel<TAB>parameters<TAB>seconds(best)<TAB>seconds(median)<TAB>result`.
// Driven by bench/mining/compare.py, which runs the reference tools beside it.
//
//   bench-mining itemsets FILE SUPPORT [REPEATS]
//   bench-mining kmeans ROWS COLS K ITERATIONS [REPEATS] [THREADS] [FILE of rows*cols little-endian float64]
//     (without FILE: seeded uniform random points); the first K rows are the initial centres.
//   bench-mining prefixspan FILE MINCOUNT [REPEATS]
import CustosBase
import CustosMining
import Foundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func measure(_ repeats: Int, _ body: () throws -> String) rethrows -> (best: Double, median: Double, result: String) {
    var times: [Double] = []
    var result = ""
    for _ in 0..<max(1, repeats) {
        let start = now()
        result = try body()
        times.append(now() - start)
    }
    times.sort()
    return (times[0], times[times.count / 2], result)
}

func integerLines(_ path: String) throws -> [[Int32]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int32($0) } }
}

func report(_ kernel: String, _ parameters: String, _ m: (best: Double, median: Double, result: String)) {
    print("\(kernel)\t\(parameters)\t\(String(format: "%.6f", m.best))\t\(String(format: "%.6f", m.median))\t\(m.result)")
}

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else {
    print("usage: bench-mining itemsets FILE SUPPORT [REPEATS] | kmeans ROWS COLS K ITERATIONS [REPEATS] [THREADS] [FILE] | prefixspan FILE MINCOUNT [REPEATS]")
    exit(2)
}
do {
    switch command {
    case "itemsets":
        let baskets = try integerLines(args[1])
        let support = Double(args[2]) ?? 0.01
        let repeats = args.count > 3 ? Int(args[3]) ?? 5 : 5
        let m = try measure(repeats) {
            let db = try TransactionDatabase(baskets: baskets)
            let itemsets = try FrequentItemsetMiner.mine(db, minSupport: support)
            return "\(itemsets.count) itemsets"
        }
        report("itemsets", "support=\(support)", m)
    case "kmeans":
        let rows = Int(args[1]) ?? 1_000_000, cols = Int(args[2]) ?? 8, k = Int(args[3]) ?? 8
        let iterations = Int(args[4]) ?? 20
        let repeats = args.count > 5 ? Int(args[5]) ?? 3 : 3
        let threads = args.count > 6 ? Int(args[6]) ?? 2 : 2
        var points: [Double]
        if args.count > 7 {
            let data = try Data(contentsOf: URL(fileURLWithPath: args[7]))
            points = [Double](repeating: 0, count: data.count / 8)
            _ = points.withUnsafeMutableBytes { data.copyBytes(to: $0) }
            guard points.count == rows * cols else {
                print("error: \(args[7]) holds \(points.count) values, expected \(rows * cols)")
                exit(1)
            }
        } else {
            var rng = SplitMix64(seed: 42)
            points = (0..<(rows * cols)).map { _ in Double.random(in: 0..<1, using: &rng) }
        }
        let initial = Array(points[0..<(k * cols)])
        let m = try measure(repeats) {
            let options = KMeansOptions(maxIterations: iterations, tolerance: nil, threads: threads)
            let fit = try KMeans.fit(points: points, rows: rows, cols: cols, k: k, initialCentres: initial, options: options)
            return "inertia=\(fit.inertia) iterations=\(fit.iterations)"
        }
        report("kmeans", "rows=\(rows) cols=\(cols) k=\(k) iterations=\(iterations) threads=\(threads)", m)
    case "prefixspan":
        let sequences = try integerLines(args[1])
        let minCount = Int(args[2]) ?? 100
        let repeats = args.count > 3 ? Int(args[3]) ?? 5 : 5
        let m = try measure(repeats) {
            let db = try SequenceDatabase(itemSequences: sequences)
            let patterns = try PrefixSpan.mine(sequences: db, minCount: minCount)
            return "\(patterns.count) patterns"
        }
        report("prefixspan", "minCount=\(minCount)", m)
    default:
        print("unknown kernel \(command)")
        exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
