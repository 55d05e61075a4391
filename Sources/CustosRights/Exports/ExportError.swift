/// Why a report or export could not be produced. Messages name the article item or dataset, never
/// the data.
public enum ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A mandatory report item is empty; state it or mark it not applicable with a reason.
    case missingItem(item: String, reason: String)
    /// A purpose's lawful basis does not exist under the report's jurisdiction.
    case basisNotAvailable(purpose: String, basis: LawfulBasis, jurisdiction: Jurisdiction)
    /// A row has a different number of values than the dataset has columns.
    case rowWidth(dataset: String, row: Int, expected: Int, found: Int)
    /// The same dataset was given twice.
    case duplicateDataset(String)
    /// The HTML template failed to parse (a programming error in Custos).
    case template(String)

    public var description: String {
        switch self {
        case let .missingItem(item, reason): return "\(item): \(reason)"
        case let .basisNotAvailable(purpose, basis, jurisdiction):
            return "purpose '\(purpose)': the lawful basis '\(basis.rawValue)' does not exist under \(jurisdiction.rawValue); "
                + "choose a basis the law provides"
        case let .rowWidth(dataset, row, expected, found):
            return "dataset '\(dataset)', row \(row): \(found) values for \(expected) columns; pass rows in the schema's column order"
        case let .duplicateDataset(name): return "dataset '\(name)' was given twice; merge its rows into one entry"
        case let .template(reason): return "report template error: \(reason)"
        }
    }
}
