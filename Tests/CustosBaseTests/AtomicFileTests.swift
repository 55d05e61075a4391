import CustosBase
import Foundation
import Testing

/// Atomic writes: complete or absent, no temporary file left, permissions as asked.
@Suite struct AtomicFileTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("custos-base-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func replacesAFileWithOwnerOnlyPermissionsAndLeavesNoTemporaryFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kek-1").path
        // An older, too open file is replaced, not reused: the new one is 0600.
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        try AtomicFile.write(Array("new key".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("new key".utf8))
        #expect(try mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["kek-1"])
    }

    @Test func aStaleTemporaryFileFromACrashDoesNotBlockOrLeak() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("state").path
        let stale = dir.appendingPathComponent(".state.tmp").path
        #expect(FileManager.default.createFile(atPath: stale, contents: Data("half".utf8), attributes: [.posixPermissions: 0o666]))
        try AtomicFile.write(Array("whole".utf8), to: path, permissions: .exactly(0o640))
        #expect(FileManager.default.contents(atPath: path) == Data("whole".utf8))
        #expect(try mode(path) == 0o640)
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func aSymbolicLinkPlantedAsTheTemporaryFileIsNotFollowed() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let victim = dir.appendingPathComponent("victim").path
        #expect(FileManager.default.createFile(atPath: victim, contents: Data("untouched".utf8)))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(".out.tmp").path, withDestinationPath: victim)
        try AtomicFile.write(Array("output".utf8), to: dir.appendingPathComponent("out").path)
        #expect(FileManager.default.contents(atPath: victim) == Data("untouched".utf8))
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("out").path) == Data("output".utf8))
    }

    @Test func umaskedPermissionsNeverWidenBeyondTheMode() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("checkpoint").path
        try AtomicFile.write([], to: path, permissions: .umasked(0o640))
        #expect(try mode(path) & ~0o640 == 0)
        #expect(FileManager.default.contents(atPath: path) == Data())
    }

    @Test func aMissingFolderFailsOnOpenAndNamesTheCall() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("absent/file").path
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write([1], to: path) }
        do {
            try AtomicFile.write([1], to: path)
        } catch {
            #expect(error.operation == "open")
            #expect(error.code == ENOENT)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
