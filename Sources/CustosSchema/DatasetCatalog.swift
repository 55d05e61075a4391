import Foundation

/// All datasets declared under `policies/datasets/`, keyed by name.
public struct DatasetCatalog: Sendable {
    public let datasets: [String: DatasetSchema]

    public init(_ datasets: [DatasetSchema]) {
        var byName: [String: DatasetSchema] = [:]
        for dataset in datasets { byName[dataset.name] = dataset }
        self.datasets = byName
    }

    /// The named dataset, or an error listing the known ones.
    public func dataset(_ name: String) throws -> DatasetSchema {
        guard let dataset = datasets[name] else {
            throw ConfigurationError(
                file: "policies/datasets", line: nil,
                message: "unknown dataset '\(name)'; declared datasets: \(datasets.keys.sorted().joined(separator: ", "))")
        }
        return dataset
    }

    /// Loads every `*.yaml` / `*.yml` file in `directory`.
    public static func load(directory: URL) throws -> DatasetCatalog {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var datasets: [DatasetSchema] = []
        var seen: [String: String] = [:]
        for file in files {
            let dataset = try DatasetLoader.parse(try YAMLValue.load(file, displayName: "datasets/\(file.lastPathComponent)"))
            if let other = seen[dataset.name] {
                throw ConfigurationError(file: dataset.file, line: nil, message: "dataset '\(dataset.name)' is also declared in \(other)")
            }
            seen[dataset.name] = dataset.file
            datasets.append(dataset)
        }
        return DatasetCatalog(datasets)
    }
}

/// Parses and validates one dataset file.
public enum DatasetLoader {
    static let datasetKeys: Set<String> = ["dataset", "description", "source", "subject_keys", "columns"]
    static let columnKeys: Set<String> = [
        "name", "type", "class", "category", "normalize", "scale", "bounds", "values", "provided_by_subject", "description",
    ]

    public static func parse(_ yaml: YAMLValue) throws -> DatasetSchema {
        try yaml.checkKeys(datasetKeys)
        let name = try yaml.string("dataset")
        guard name.range(of: #"^[a-z][a-z0-9_]*$"#, options: .regularExpression) != nil else {
            throw try yaml.required("dataset").error("dataset name '\(name)' must be lower-case letters, digits and underscores")
        }
        var columns: [Column] = []
        var names = Set<String>()
        for item in try yaml.required("columns").list() {
            let column = try parseColumn(item)
            guard names.insert(column.name).inserted else { throw item.error("column '\(column.name)' is declared twice") }
            columns.append(column)
        }
        let subjectKeys = try yaml.stringList("subject_keys")
        guard !subjectKeys.isEmpty else {
            throw yaml.error("subject_keys must name at least one column that identifies the data subject")
        }
        for key in subjectKeys {
            guard let column = columns.first(where: { $0.name == key }) else {
                throw ConfigurationError(file: yaml.file, line: yaml.line(ofKey: "subject_keys"),
                                         message: "subject key '\(key)' is not a declared column")
            }
            guard column.columnClass == .directIdentifier else {
                throw ConfigurationError(file: yaml.file, line: column.line,
                                         message: "subject key '\(key)' must have class direct_identifier")
            }
        }
        return DatasetSchema(
            name: name, description: try yaml.optionalString("description") ?? "",
            subjectKeys: subjectKeys, columns: columns,
            source: try yaml.optionalString("source") ?? "not declared", file: yaml.file)
    }

    static func parseColumn(_ item: YAMLValue) throws -> Column {
        try item.checkKeys(columnKeys)
        let name = try item.string("name")
        guard name.range(of: #"^[a-z][a-z0-9_]*$"#, options: .regularExpression) != nil else {
            throw item.error("column name '\(name)' must be lower-case letters, digits and underscores")
        }
        let typeText = try item.string("type")
        guard let type = ColumnType(rawValue: typeText) else {
            throw item.error("column '\(name)': unknown type '\(typeText)'; use one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let classText = try item.string("class")
        guard let columnClass = ColumnClass(rawValue: classText) else {
            throw item.error("column '\(name)': unknown class '\(classText)'; use one of \(ColumnClass.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let normalizeText = try item.optionalString("normalize") ?? "none"
        guard let normalization = Normalization(rawValue: normalizeText) else {
            throw item.error("column '\(name)': unknown normalize '\(normalizeText)'; use none, email, phone or identifier")
        }
        var bounds: Bounds?
        if let b = item["bounds"] {
            let pair = try b.list().map { try $0.double() }
            guard pair.count == 2, pair[0] <= pair[1] else { throw b.error("column '\(name)': bounds must be [lower, upper] with lower <= upper") }
            guard type == .integer || type == .decimal else { throw b.error("column '\(name)': bounds apply to integer and decimal columns only") }
            bounds = Bounds(lower: pair[0], upper: pair[1])
        }
        if columnClass == .measure && bounds == nil {
            throw item.error("column '\(name)': a measure needs public bounds [lower, upper] (they become the DP clamping bounds)")
        }
        let scale = try item.optionalInt("scale") ?? (type == .decimal ? 2 : 0)
        guard (0...9).contains(scale) else { throw item.error("column '\(name)': scale must be between 0 and 9") }
        let values = try item["values"].map { try $0.list().map { try $0.string() } }
        if values != nil && type != .category { throw item.error("column '\(name)': values apply to category columns only") }
        return Column(
            name: name, type: type, columnClass: columnClass,
            category: try item.optionalString("category") ?? "user",
            normalization: normalization, scale: scale, bounds: bounds, publicValues: values,
            providedBySubject: try item.optionalBool("provided_by_subject", default: true),
            description: try item.optionalString("description") ?? "", line: item.line)
    }
}
