import CustosDemo
import ArgumentParser
import CustosEngine
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write seeded synthetic customers, orders, events, feedback and consents as CSV.",
        discussion: "The same seed writes the same files. Load them with `custos ingest` and `custos consent import`.")

    @Option(help: "Output folder.", completion: .directory) var output: String = "generated"
    @Option(help: "Number of customers.") var customers: Int = 2_000
    @Option(help: "Mean orders per customer.") var ordersPerCustomer: Double = 5
    @Option(help: "Mean web sessions per customer.") var sessionsPerCustomer: Double = 3
    @Option(help: "Random seed (same seed, same files).") var seed: UInt64 = 42

    func run() throws {
        var options = SyntheticDataGenerator.Options()
        options.customers = customers
        options.meanOrdersPerCustomer = ordersPerCustomer
        options.meanSessionsPerCustomer = sessionsPerCustomer
        options.seed = seed
        let result = try SyntheticDataGenerator(options: options).generate(into: URL(fileURLWithPath: output))
        for name in result.rows.keys.sorted() {
            print("\(name): \(result.rows[name] ?? 0) rows -> \(result.files[name]?.path ?? "")")
        }
    }
}
