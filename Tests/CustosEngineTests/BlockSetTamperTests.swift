import CustosDemo
import CustosEngine
import CustosVault
import Foundation
import GRDB
import XCTest

/// The attack: deleting every sealed block of 50 subjects went unnoticed, and jobs ran on fewer
/// customers. Each dataset's block set is now sealed (count, rows, ids under a KEK-derived key) in
/// the same transaction as every change Custos makes, and checked before every read.
final class BlockSetTamperTests: XCTestCase {
    func sql(_ workspace: Workspace, _ statement: String) throws {
        let queue = try DatabaseQueue(path: workspace.dataDirectory.appendingPathComponent("vault.sqlite").path)
        try queue.write { try $0.execute(sql: statement) }
    }

    func assertRefused(_ f: EngineFixture, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: MiningParameters()),
                             file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
            XCTAssertFalse("\(error)".contains("@"), "no personal data in the error", file: file, line: line)
        }
    }

    func testDeletingTheBlocksOf50SubjectsIsDetectedBeforeAnyJobRuns() throws {
        let f = try EngineFixture(customers: 120)
        XCTAssertNoThrow(try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: MiningParameters()))
        try sql(f.engine.workspace, """
            DELETE FROM blocks WHERE subject IN (SELECT subject FROM subjects ORDER BY subject LIMIT 50)
              AND dataset_id = (SELECT id FROM datasets WHERE name = 'events')
            """)
        assertRefused(f, contains: "blocks were deleted or added outside Custos")
    }

    func testEditingOrDeletingTheSealedSummaryIsDetected() throws {
        let f = try EngineFixture(customers: 40)
        try sql(f.engine.workspace, "DELETE FROM blocks WHERE block_id = (SELECT max(block_id) FROM blocks WHERE dataset_id = (SELECT id FROM datasets WHERE name = 'events'))")
        // Covering the deletion by rewriting the summary's numbers breaks its seal.
        try sql(f.engine.workspace, """
            UPDATE block_sets SET blocks = blocks - 1 WHERE dataset_id = (SELECT id FROM datasets WHERE name = 'events')
            """)
        assertRefused(f, contains: "summary of its blocks was edited")
        // Deleting the summary altogether is no better.
        try sql(f.engine.workspace, "DELETE FROM block_sets")
        assertRefused(f, contains: "sealed summary of its blocks is missing")
        // Even with every block of the dataset gone too.
        try sql(f.engine.workspace, "DELETE FROM blocks WHERE dataset_id = (SELECT id FROM datasets WHERE name = 'events')")
        assertRefused(f, contains: "sealed summary of its blocks is missing")
    }

    func testChangesMadeByCustosKeepTheSealValid() throws {
        // Ingest, re-ingest, erasure and rectification all go through the store's writer, which re-seals.
        let f = try EngineFixture(customers: 40)
        let subject = try XCTUnwrap(try f.engine.subject(identifierColumn: "customer_id", value: f.generated.markerCustomerID))
        _ = try f.engine.workspace.vault.erase(subject: subject, requestDigest: "test-erasure")
        XCTAssertNoThrow(try f.engine.jobs.mineFunnel(actor: f.alice, purpose: "analytics.reporting", parameters: MiningParameters()))
    }
}
