/// The one place the tool's version is written; `custos --version` prints it.
enum CustosVersion {
    static let current = "0.1.0"
}
