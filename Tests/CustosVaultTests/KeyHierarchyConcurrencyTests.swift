import CustosCrypto
import CustosVault
import Foundation
import Synchronization
import XCTest

/// Rotation racing readers and writers of the same key hierarchy. Run under the thread sanitizer
/// (`swift test --sanitize=thread --filter KeyHierarchyConcurrencyTests`) to check for data races.
final class KeyHierarchyConcurrencyTests: XCTestCase {
    static let rotations = 12
    static let readsPerReader = 2_000
    static let batches = 12

    /// `currentVersion` is read under the lock `rotate()` writes it under: readers racing a rotation
    /// see each version at most once in order, never a version that does not exist.
    func testCurrentVersionReadDuringRotationIsNeverTorn() throws {
        let f = try VaultFixture()
        let keys = f.keys
        let rotated = Mutex<[Int]>([])
        let seen = Mutex<[[Int]]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            if worker == 0 {
                for _ in 0..<Self.rotations {
                    do {
                        let version = try keys.rotate().version
                        rotated.withLock { $0.append(version) }
                    } catch {
                        failures.withLock { $0.append("rotate: \(error)") }
                    }
                }
            } else {
                var versions: [Int] = []
                for _ in 0..<Self.readsPerReader { versions.append(keys.currentVersion) }
                seen.withLock { $0.append(versions) }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertEqual(rotated.withLock { $0 }, Array(2...(Self.rotations + 1)))
        XCTAssertEqual(keys.currentVersion, Self.rotations + 1)
        let readers = seen.withLock { $0 }
        XCTAssertEqual(readers.count, 2)
        for versions in readers {
            XCTAssertEqual(versions.count, Self.readsPerReader)
            XCTAssertEqual(versions, versions.sorted(), "a reader saw the version go backwards")
            XCTAssertTrue(versions.allSatisfy { (1...(Self.rotations + 1)).contains($0) }, "a reader saw a version that never existed")
        }
    }

    /// Data keys created while the KEK rotates are wrapped under a KEK that still exists afterwards:
    /// every one of them opens from a fresh process that has only the final KEK.
    func testDataKeysCreatedDuringRotationSurviveIt() throws {
        let f = try VaultFixture()
        let keys = f.keys
        let created = Mutex<[SubjectID: SymmetricKey]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for round in 0..<Self.batches {
                do {
                    if worker == 0 {
                        _ = try keys.rotate()
                    } else {
                        let subjects = (0..<8).map { SubjectID(high: UInt64(round + 1), low: UInt64($0)) }
                        let batch = try keys.createDataKeys(for: subjects)
                        created.withLock { $0.merge(batch) { a, _ in a } }
                    }
                } catch {
                    failures.withLock { $0.append("worker \(worker) round \(round): \(error)") }
                }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let expected = created.withLock { $0 }
        XCTAssertEqual(expected.count, Self.batches * 8)
        let reopened = try KeyHierarchy.open(in: f.root.appendingPathComponent("keys"))
        XCTAssertEqual(reopened.currentVersion, Self.batches + 1)
        let stored = try reopened.dataKeys()
        XCTAssertEqual(Set(stored.keys), Set(expected.keys))
        for (subject, key) in expected {
            XCTAssertEqual(stored[subject]?.rawBytes, key.rawBytes, "data key of \(subject) changed or was lost")
        }
    }
}
