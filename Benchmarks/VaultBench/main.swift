// bench-vault: ingest rows/s, scan+decrypt throughput of the sealed store, and `openssl speed`
// for AES-256-GCM on the same machine, with ratios. Run a release build:
//   swift run -c release bench-vault [--rows 10000000] [--csv-rows 1000000]
import CustosCrypto
import CustosEngine
import CustosSchema
import CustosVault
import Foundation

func argument(_ name: String, default value: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return value
}

let totalRows = argument("--rows", default: 10_000_000)
let csvRows = argument("--csv-rows", default: 1_000_000)
let rowsPerSubject = argument("--rows-per-subject", default: 10)
let batches = 10
let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-bench-\(UUID().uuidString.prefix(8))")
defer { try? FileManager.default.removeItem(at: root) }
try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
let keys = try KeyHierarchy.create(in: root.appendingPathComponent("keys"))
let store = try SQLiteRecordStore(path: root.appendingPathComponent("data/vault.sqlite").path)
let authority = GrantAuthority()
let vault = try Vault(store: store, keys: keys, authority: authority)
let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("policies/datasets")
let orders = try DatasetCatalog.load(directory: policies).dataset("orders")

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

print("bench-vault: \(totalRows) order rows, \(rowsPerSubject) per subject, \(batches) batches; machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")

// 1. Vault ingest (typed rows -> identity resolution, dedupe digests, sealing, SQLite), per batch.
var ingestSeconds = 0.0
let subjectsPerBatch = totalRows / rowsPerSubject / batches
let base: Int64 = 1_790_000_000_000
for b in 0..<batches {
    var rows: [IngestRow] = []
    rows.reserveCapacity(subjectsPerBatch * rowsPerSubject)
    for s in 0..<subjectsPerBatch {
        let customer = "c\(b * subjectsPerBatch + s)"
        for r in 0..<rowsPerSubject {
            let n = (b * subjectsPerBatch + s) * rowsPerSubject + r
            rows.append(IngestRow(line: n + 2, values: [
                .string(customer), .string("o\(n)"), .timestamp(base + Int64(n) * 1000), .decimal(Int64(n % 50_000)),
                .integer(Int64(1 + n % 4)), .items(["p\(n % 97)", "p\(n % 13)"]), .category(["web", "app", "store"][n % 3]),
                .category(["SE", "CN", "DE"][n % 3]),
            ]))
        }
    }
    ingestSeconds += try seconds { _ = try vault.ingest(rows, dataset: orders, sourceDigest: [UInt8(b)]) }
}
let ingestRate = Double(totalRows) / ingestSeconds
print(String(format: "ingest (vault, typed rows):   %10.0f rows/s  (%.1f s for %d rows)", ingestRate, ingestSeconds, totalRows))

// 2. Full CSV path (parse, clean, normalise, then the same vault ingest) on new customers.
let csvURL = root.appendingPathComponent("orders.csv")
var csv = "customer_id,order_id,order_time,amount,item_count,items,channel,country\n"
csv.reserveCapacity(csvRows * 90)
for n in 0..<csvRows {
    csv += "K\(n / rowsPerSubject),x\(n),2026-01-\(String(format: "%02d", 1 + n % 28))T10:00:00Z,\(n % 500).\(n % 100),\(1 + n % 4),p\(n % 97);p\(n % 13),web,SE\n"
}
try csv.write(to: csvURL, atomically: true, encoding: .utf8)
var csvReport: IngestReport?
let csvSeconds = try seconds { csvReport = try IngestService(vault: vault).ingest(file: csvURL, dataset: orders) }
let csvRate = Double(csvReport?.outcome.rowsAdded ?? 0) / csvSeconds
print(String(format: "ingest (CSV file, full path): %10.0f rows/s  (%.1f s for %d rows)", csvRate, csvSeconds, csvRows))
try store.checkpoint()

// 3. Scan + decrypt + decode every column of every order row, 1 and 2 threads.
let grant = authority.issue(decisionID: "bench", principal: "bench", role: "operator", purpose: "essential.service.security",
                            dataset: "orders", treatments: Dictionary(uniqueKeysWithValues: orders.columns.map { ($0.name, ColumnTreatment.allow) }),
                            outputMode: .pseudonymousAggregate, policyVersion: "bench")
let columns = orders.columns.map(\.name)
for partitions in [1, 2] {
    var stats = Vault.ScanStatistics()
    let t = try seconds {
        stats = try vault.readInParallel(grant, dataset: orders, columns: columns, partitions: partitions) { _, _, _ in }
    }
    let gbps = Double(stats.sealedBytes) / t / 1e9
    print(String(format: "scan+decrypt+decode, %d thread%@: %10.0f rows/s  %.2f GB/s sealed (%.2f GB/s per core)  [%d rows, %.0f MB, %.2f s]",
                 partitions, partitions == 1 ? " " : "s", Double(stats.rows) / t, gbps, gbps / Double(partitions), stats.rows,
                 Double(stats.sealedBytes) / 1e6, t))
}

// 4. openssl speed on the same machine, one core, 16 KiB blocks.
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["openssl", "speed", "-evp", "aes-256-gcm", "-seconds", "2", "-bytes", "16384"]
let pipe = Pipe()
process.standardOutput = pipe
process.standardError = Pipe()
try process.run()
process.waitUntilExit()
let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
if let line = output.split(separator: "\n").last(where: { $0.hasPrefix("AES-256-GCM") || $0.hasPrefix("aes-256-gcm") }),
   let field = line.split(separator: " ").last, let kbps = Double(field.replacingOccurrences(of: "k", with: "")) {
    let opensslGBps = kbps * 1000 / 1e9
    print(String(format: "openssl speed -evp aes-256-gcm (16 KiB, 1 core): %.2f GB/s", opensslGBps))
    var stats = Vault.ScanStatistics()
    let t = try seconds { stats = try vault.read(grant, dataset: orders, columns: columns) { _, _ in } }
    print(String(format: "ratio scan+decrypt+decode (1 core) / openssl raw AES-GCM: %.2f", Double(stats.sealedBytes) / t / 1e9 / opensslGBps))
} else {
    print("openssl speed output not understood:\n\(output)")
}

// 5. Where the time goes (one thread): key unwrapping, storage scan, + decryption.
var keyCount = 0
let keySeconds = try seconds { keyCount = try keys.dataKeys().count }
var scanned = 0
let scanSeconds = try seconds {
    try store.scan(dataset: "orders", subjects: nil, partition: 0, partitions: 1) { _, _, sealed in scanned += sealed.count }
}
// Scan + decrypt with no column decoded (the governed read skips every value without materialising it).
let openSeconds = try seconds { _ = try vault.read(grant, dataset: orders, columns: []) { _, _ in } }
print(String(format: "breakdown: unwrap %d data keys %.2f s; storage scan %.2f s (%.0f MB); governed read without decoding (unwrap+scan+decrypt) %.2f s (%.2f GB/s)",
             keyCount, keySeconds, scanSeconds, Double(scanned) / 1e6, openSeconds, Double(scanned) / openSeconds / 1e9))
