import CustosSchema
import Foundation
import XCTest

final class DatasetLoaderTests: XCTestCase {
    func load(_ text: String) throws -> DatasetSchema {
        try DatasetLoader.parse(try YAMLValue.parse(text, file: "datasets/t.yaml"))
    }

    func testShippedDatasetsLoad() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies/datasets")
        let catalog = try DatasetCatalog.load(directory: dir)
        XCTAssertEqual(Set(catalog.datasets.keys), ["customers", "orders", "events", "feedback"])
        let orders = try catalog.dataset("orders")
        XCTAssertEqual(orders.column(named: "amount")?.bounds, Bounds(lower: 0, upper: 5000))
        XCTAssertEqual(orders.column(named: "items")?.type, .itemList)
        XCTAssertEqual(try catalog.dataset("customers").subjectKeys, ["customer_id", "email", "phone"])
    }

    func testErrorsCarryFileAndLine() {
        let text = """
            dataset: shop
            subject_keys: [id]
            columns:
              - name: id
                type: string
                class: direct_identifier
              - name: amount
                type: decimal
                class: measure
            """
        XCTAssertThrowsError(try load(text)) { error in
            let e = error as? ConfigurationError
            XCTAssertEqual(e?.file, "datasets/t.yaml")
            XCTAssertEqual(e?.line, 7)
            XCTAssertTrue(e?.message.contains("needs public bounds") ?? false, "\(error)")
        }
    }

    func testTyposAndUnknownTypesAreReported() {
        XCTAssertThrowsError(try load("dataset: a\nsubject_keys: [id]\ncolums: []\n")) { error in
            XCTAssertTrue("\(error)".contains("unknown key 'colums'"), "\(error)")
            XCTAssertEqual((error as? ConfigurationError)?.line, 3)
        }
        let badType = "dataset: a\nsubject_keys: [id]\ncolumns:\n  - name: id\n    type: text\n    class: direct_identifier\n"
        XCTAssertThrowsError(try load(badType)) { XCTAssertTrue("\($0)".contains("unknown type 'text'")) }
        let badKey = "dataset: a\nsubject_keys: [other]\ncolumns:\n  - name: id\n    type: string\n    class: direct_identifier\n"
        XCTAssertThrowsError(try load(badKey)) { XCTAssertTrue("\($0)".contains("subject key 'other' is not a declared column")) }
        XCTAssertThrowsError(try load("dataset: [unclosed\n")) { XCTAssertTrue("\($0)".contains("not valid YAML")) }
    }
}
