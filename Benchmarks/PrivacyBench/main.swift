// bench-privacy: a DP count + mean + 10-bin histogram over the same 1,000,000 rows in Custos
// (exact discrete samplers on the OpenSSL CSPRNG), OpenDP and diffprivlib, side by side.
//
//   swift build -c release --product bench-privacy && .build/release/bench-privacy
//   options: --rows N, --repeat N, --python PATH (interpreter with opendp + diffprivlib; default
//            $CUSTOS_BENCH_PYTHON, then .venv/bin/python, then python3), --no-compare
//
// Parameters (same as bench/privacy/compare.py): bounds [0, 100] on a 0.01 grid, epsilon 1 for
// each query, 10 equal-width bins. Rows are uniform on the grid from a fixed-seed generator and
// written as little-endian float64 for the Python side.
import CustosCrypto
import CustosPrivacy
import Foundation

struct Options {
    var rows = 1_000_000
    var repeatCount = 21
    var python: String?
    var compare = true

    init(_ arguments: [String]) {
        var i = 1
        while i < arguments.count {
            let next = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--rows": rows = Int(next) ?? rows; i += 1
            case "--repeat": repeatCount = Int(next) ?? repeatCount; i += 1
            case "--python": python = next; i += 1
            case "--no-compare": compare = false
            default: break
            }
            i += 1
        }
    }
}

func makeRows(_ count: Int) -> [Double] {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double((state >> 33) % 10_001) / 100  // 0.00 ... 100.00
    }
}

func medianMilliseconds(_ repeatCount: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repeatCount {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return times[times.count / 2]
}

func findPython(_ explicit: String?) -> String {
    if let explicit { return explicit }
    if let fromEnvironment = ProcessInfo.processInfo.environment["CUSTOS_BENCH_PYTHON"] { return fromEnvironment }
    for candidate in [".venv/bin/python", "/tmp/custos-privacy-venv/bin/python"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    return "/usr/bin/env python3"
}

let options = Options(CommandLine.arguments)
let rows = makeRows(options.rows)
let domain = try NumericDomain(lower: 0, upper: 100, decimalPlaces: 2)
let guarantee = PrivacyGuarantee.pure(epsilon: 1)
let count = try CountMechanism(guarantee: guarantee)
let mean = try MeanMechanism(domain: domain, guarantee: guarantee)
let histogram = try HistogramMechanism.equalWidth(bins: 10, over: domain, guarantee: guarantee)
let trioCost = count.cost + mean.cost + histogram.cost

var lastMean = 0.0
var lastCount: Int64 = 0
let custosMs = try medianMilliseconds(options.repeatCount) {
    // The engine's path: a handle over the reserved cost, production CSPRNG, three mechanisms.
    let handle = try PrivacyHandle(reserved: trioCost)
    let column = BoundedColumn.oneRowPerSubject(rows)
    lastCount = try handle.run(count, on: column.rowCount).value
    lastMean = try handle.run(mean, on: column).value
    _ = try handle.run(histogram, on: column)
    precondition(handle.spent == trioCost, "charged cost differs from the declared cost")
}

let column = BoundedColumn.oneRowPerSubject(rows)
var random = SecureRandomSource()
let countMs = try medianMilliseconds(options.repeatCount) { _ = try count.release(column.rowCount, using: &random) }
let meanMs = try medianMilliseconds(options.repeatCount) { _ = try mean.release(column, using: &random) }
let histogramMs = try medianMilliseconds(options.repeatCount) { _ = try histogram.release(column, using: &random) }

print("bench-privacy: DP count + mean + 10-bin histogram, \(rows.count) rows, ε = 1 each, bounds [0, 100]")
print(String(format: "  Custos       %9.2f ms  (exact discrete Laplace, OpenSSL CSPRNG; count %lld, mean %.3f)",
             custosMs, lastCount, lastMean))

print(String(format: "    of which   count %.3f ms, mean %.3f ms, histogram %.3f ms", countMs, meanMs, histogramMs))

let ids = (0..<rows.count).map { "customer-\($0)" }
let pseudonymizer = try Pseudonymizer(rootKey: SymmetricKey(), purpose: "bench.analytics")
var lastPseudonym = Pseudonym(high: 0, low: 0)
let pseudonymMs = medianMilliseconds(3) { lastPseudonym = pseudonymizer.pseudonyms(for: ids)[ids.count - 1] }
print(String(format: "  pseudonymise %d ids: %.1f ms (%.0f ns per id; last %@)", ids.count, pseudonymMs,
             pseudonymMs * 1e6 / Double(ids.count), String(lastPseudonym.text.prefix(8)) as NSString))

guard options.compare else { exit(0) }

let dataURL = FileManager.default.temporaryDirectory.appendingPathComponent("custos-bench-privacy-\(getpid()).f64")
defer { try? FileManager.default.removeItem(at: dataURL) }
try rows.withUnsafeBytes { Data($0) }.write(to: dataURL)

let python = findPython(options.python)
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("bench/privacy/compare.py").path
let process = Process()
process.executableURL = URL(fileURLWithPath: "/bin/sh")
var environment = ProcessInfo.processInfo.environment
environment.removeValue(forKey: "OPENBLAS_CORETYPE")  // see the machine notes: these slow a current numpy
environment.removeValue(forKey: "OPENBLAS_L2_SIZE")
process.environment = environment
process.arguments = ["-c", "\(python) \"$0\" --data \"$1\" --repeat \"$2\"", script, dataURL.path, "\(min(options.repeatCount, 9))"]
let pipe = Pipe()
process.standardOutput = pipe
try process.run()
let output = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()

guard process.terminationStatus == 0,
      let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
    print("  (reference tools unavailable: run with --python pointing at an interpreter with opendp and diffprivlib)")
    exit(0)
}
for tool in ["diffprivlib", "opendp"] {
    if let ms = json[tool] as? Double {
        let name = tool.padding(toLength: 12, withPad: " ", startingAt: 0)
        print(String(format: "  %@ %9.2f ms   ratio %@/Custos = %.1fx", name as NSString, ms, tool as NSString, ms / custosMs))
    } else {
        print("  \(tool): not measured (\(json[tool + "_error"] as? String ?? "unknown error"))")
    }
}
