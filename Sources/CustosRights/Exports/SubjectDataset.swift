import CustosSchema

/// One dataset's rows about the subject, as the engine decrypted them: values in the schema's
/// column order.
public struct SubjectDataset: Sendable {
    /// The dataset declaration.
    public let schema: DatasetSchema
    /// The subject's rows, values in column order.
    public let rows: [[Value]]

    /// The rows of `schema` about one subject; throws when a row's width does not match the columns.
    public init(schema: DatasetSchema, rows: [[Value]]) throws {
        for (index, row) in rows.enumerated() where row.count != schema.columns.count {
            throw ExportError.rowWidth(dataset: schema.name, row: index + 1, expected: schema.columns.count, found: row.count)
        }
        self.schema = schema
        self.rows = rows
    }

    /// Sorts datasets by name and rejects duplicates.
    static func ordered(_ datasets: [SubjectDataset]) throws -> [SubjectDataset] {
        var seen = Set<String>()
        for dataset in datasets where !seen.insert(dataset.schema.name).inserted {
            throw ExportError.duplicateDataset(dataset.schema.name)
        }
        return datasets.sorted { $0.schema.name < $1.schema.name }
    }
}
