import CustosSchema
import Foundation
import XCTest

@testable import CustosGovernance
import Synchronization

/// The shipped example policies (repository `policies/`), found relative to this file.
let shippedPolicies = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies")

/// Demo tokens documented in policies/README.md ("Demo credentials").
enum DemoToken {
    static let alice = "custos_HeyQ6R78aTV6SqKyfEHRJlWsz6lHkGgRPn7d5ehZSoA"
    static let mika = "custos_qnrT27_5ZTuuZivG0LMdPPJi3xH_LuDKzZHOsJqQ1Ds"
    static let sam = "custos_PS9bXpLzUSqxr1Mr3okuioMqyDBOch468V8tEDiKWY0"
    static let dana = "custos_55kEOl5fpRBpIyE-EGYDEzw1go8luaUYP2tfYyLmCC0"
    static let oscar = "custos_g8v1uCXFbMrQRRBeghE42ZzJs-_TZ6P3udMoyfqyuHM"
    static let lena = "custos_dsPwblycr7CJAz5_pXc4azz82UBqfQg383l7l3uapiQ"
    static let dsrDemo = "custos_U3ClbirZNDxIfRvm9GpZcOK0ENt4tnD_bgpwM1-iRg4"
    static let pat = "custos_S798NXbXf5BhxGFfBbozYuvQe0Pwkdg1njoaY7TGVBw"
}

/// Keeps every decision it is handed; can be told to fail to test fail-closed behaviour.
final class RecordingRecorder: DecisionRecorder, Sendable {
    private let stored = Mutex<[Decision]>([])
    private let failing: Bool

    init(failing: Bool = false) { self.failing = failing }

    struct Unavailable: Error {}

    func record(_ decision: Decision) throws {
        if failing && decision.isAllowed { throw Unavailable() }
        stored.withLock { $0.append(decision) }
    }

    var decisions: [Decision] { stored.withLock { $0 } }
}

/// A scratch copy of the shipped policies that a test may edit.
func scratchPolicies(_ name: String = #function) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("custos-gov-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: shippedPolicies, to: dir)
    return dir
}

func write(_ text: String, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

func loadShipped() throws -> PolicySet { try PolicySet.load(directory: shippedPolicies) }
