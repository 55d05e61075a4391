// bench-audit: durable append throughput with group commit, open time of a large log, and full
// verification time, printed beside the independent Python verifier (tools/audit-verify/verify.py).
//
//   swift build -c release --product bench-audit && .build/release/bench-audit [--entries N] [--no-python]
import CustosAudit
import CustosCrypto
import Foundation

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { return fallback }
    return v
}
let verifyEntries = option("--entries", 1_000_000)
let appendEntries = option("--appends", 200_000)
let runPython = !arguments.contains("--no-python")
let benchScenarios: [(Int, Int)] = arguments.contains("--batch-only") ? [(8, 64)] : [(8, 1), (32, 1), (128, 1), (8, 64)]
let origin = "bench.custos.local/audit"
let key = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))

func temporaryWorkspace() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("custos-bench-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url.appendingPathComponent("keys"), withIntermediateDirectories: true)
    try key.publicKey.pemRepresentation.write(to: url.appendingPathComponent("keys/audit.pub"), atomically: true, encoding: .utf8)
    return url
}

func entry(_ i: Int) -> AuditEntry {
    AuditEntry(time: Date(timeIntervalSince1970: 1_740_787_200 + Double(i) / 10), actor: "analyst-\(i % 17)",
               role: "analyst", action: .jobRun, purpose: "marketing.segmentation", dataset: "orders",
               decision: .allow, policyVersion: "v7", epsilon: 0.25, subjectCount: Int64(1000 + i % 977),
               rows: Int64(10_000 + i), jobID: "job-\(i)", resultDigest: "sha256:" + String(repeating: "ab", count: 32))
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs `body` on `count` dedicated threads (not a pool capped at the core count) and waits for all.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for t in 0..<count {
        group.enter()
        let thread = Thread {
            body(t)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func num(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

print("bench-audit: \(ProcessInfo.processInfo.activeProcessorCount) cores; entry line ≈ \((try entry(1).canonicalLine()).count) bytes")
if let i = arguments.firstIndex(of: "--verify-directory"), i + 1 < arguments.count {
    // Time verification of an existing audit directory (its public key must be the bench key).
    let directory = URL(fileURLWithPath: arguments[i + 1])
    for _ in 0..<3 {
        var outcome: AuditVerificationResult?
        let t = try seconds { outcome = try AuditVerifier.verify(directory: directory, publicKey: try key.publicKey) }
        print("verified \(outcome?.entryCount ?? 0) entries in \(num(t, 2)) s, valid: \(outcome?.isValid ?? false)")
    }
    exit(0)
}
if arguments.contains("--encode-only") {
    // Per-entry CPU cost paid by each appending thread before the lock: canonical encoding and leaf hash.
    let sample = (0..<100_000).map(entry)
    var lines = [[UInt8]]()
    let encode = try seconds { lines = try sample.map { try $0.canonicalLine() } }
    var first: UInt8 = 0
    let hash = seconds { for line in lines { first ^= RFC6962.leafHash(line).bytes[0] } }
    print("canonical encoding \(num(encode * 10, 2)) µs/entry, leaf hash \(num(hash * 10, 2)) µs/entry (\(first))")
    exit(0)
}
print("")
print("Durable appends (each append returns after write + fdatasync; group commit batches concurrent callers)")
print(pad("scenario", 44) + pad("entries", 10) + pad("seconds", 10) + "entries/s")
for (threads, batch) in benchScenarios {
    let workspace = try temporaryWorkspace()
    defer { try? FileManager.default.removeItem(at: workspace) }
    let log = try AuditLog.open(directory: workspace.appendingPathComponent("audit"), signingKey: key, origin: origin)
    let perThread = appendEntries / threads
    let prepared = (0..<(perThread * threads)).map(entry)
    let elapsed = seconds {
        runThreads(threads) { t in
            var i = t * perThread
            let end = i + perThread
            while i < end {
                let n = min(batch, end - i)
                do {
                    if n == 1 { try log.append(prepared[i]) } else { try log.append(contentsOf: Array(prepared[i..<(i + n)])) }
                } catch {
                    fatalError("append failed: \(error)")
                }
                i += n
            }
        }
    }
    try log.close()
    let label = batch == 1 ? "\(threads) threads, one entry per append" : "\(threads) threads, \(batch) entries per append"
    print(pad(label, 44) + pad(String(perThread * threads), 10) + pad(num(elapsed, 2), 10) + num(Double(perThread * threads) / elapsed))
}

print("")
print("Verification of \(verifyEntries) entries (re-hash every line, canonical JSON + entry schema, tree, every checkpoint)")
let workspace = try temporaryWorkspace()
let keepLog = arguments.contains("--keep-log")
defer { if !keepLog { try? FileManager.default.removeItem(at: workspace) } }
let audit = workspace.appendingPathComponent("audit")
if keepLog { print("  log kept in \(audit.path)") }
let buildTime = try seconds {
    let log = try AuditLog.open(directory: audit, signingKey: key, origin: origin)
    var i = 0
    while i < verifyEntries {
        let n = min(10_000, verifyEntries - i)
        try log.append(contentsOf: (i..<(i + n)).map(entry))
        i += n
    }
    try log.close()
}
print("  built the log in \(num(buildTime, 2)) s (batches of 10,000)")
var reopenReport: AuditOpenReport?
let reopenTime = try seconds {
    let log = try AuditLog.open(directory: audit, signingKey: key, origin: origin)
    reopenReport = log.openReport
    try log.close()
}
print("  open of the \(verifyEntries)-entry log: \(num(reopenTime * 1000, 1)) ms (resumed from saved state: "
      + "\(reopenReport?.resumedFromSavedState ?? false), entries rehashed: \(reopenReport?.entriesRehashed ?? 0))")
var result: AuditVerificationResult?
let swiftTime = try seconds { result = try AuditVerifier.verify(directory: audit, publicKey: try key.publicKey) }
guard let result, result.isValid else { fatalError("verification failed: \(result?.summary ?? "")") }
print(pad("  Custos AuditVerifier", 30) + num(swiftTime, 2) + " s  (" + num(Double(result.entryCount) / swiftTime)
      + " entries/s, \(result.checkpointCount) checkpoints, \(result.consistencyProofsVerified) consistency proofs)")
if runPython {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/audit-verify/verify.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path, audit.path, "--json"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    var output = Data()
    let pythonTime = try seconds {
        try process.run()
        output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
    }
    let json = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any]
    let agrees = (json?["rootHash"] as? String) == result.rootHash.base64 && process.terminationStatus == 0
    print(pad("  Python verify.py", 30) + num(pythonTime, 2) + " s  (exit \(process.terminationStatus), same root: \(agrees))")
    print("  ratio Python / Custos: " + num(pythonTime / swiftTime, 1) + "x")
}
