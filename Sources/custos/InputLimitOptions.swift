import ArgumentParser
import CustosEngine

/// The size limits of `ingest` and `consent import`, each raisable for one run.
struct InputLimitOptions: ParsableArguments {
    @Option(help: "Largest input file, in MB (default \(InputLimits.standard.maxFileBytes >> 20)).") var maxFileMb: Int?
    @Option(help: "Longest single field, in KB (default \(InputLimits.standard.maxFieldBytes >> 10)).") var maxFieldKb: Int?
    @Option(help: "Most rows for one customer in one file (default \(InputLimits.standard.maxRowsPerCustomer)).") var maxRowsPerCustomer: Int?

    func validate() throws {
        for (name, value) in [("--max-file-mb", maxFileMb), ("--max-field-kb", maxFieldKb), ("--max-rows-per-customer", maxRowsPerCustomer)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if let maxFileMb, maxFileMb > 1 << 20 { throw ValidationError("--max-file-mb is at most \(1 << 20) (1 TB)") }
        if let maxFieldKb, maxFieldKb > 1 << 20 { throw ValidationError("--max-field-kb is at most \(1 << 20) (1 GB)") }
    }

    /// Whether any limit was given (the service applies its own).
    var isSet: Bool { maxFileMb != nil || maxFieldKb != nil || maxRowsPerCustomer != nil }

    var limits: InputLimits {
        var limits = InputLimits.standard
        if let maxFileMb { limits.maxFileBytes = maxFileMb << 20 }
        if let maxFieldKb { limits.maxFieldBytes = maxFieldKb << 10 }
        if let maxRowsPerCustomer { limits.maxRowsPerCustomer = maxRowsPerCustomer }
        return limits
    }
}
