import Foundation
import SkyHashing
import SkyTestSupport
import Testing

/// Checkpoint digests are remembered by size and modification time, so an unchanged file is not read again.
@Suite struct FileDigestTests {
    @Test func unchangedFileIsNotReadAgainAndAChangedOneIs() throws {
        let folder = try TemporaryFolder("digest")
        let file = try folder.write("first contents", to: "model.safetensors")
        let cache = folder.url.appendingPathComponent("cache/file-digests.json")
        // A whole-second time, so that setting it again below restores exactly the same value.
        let modified = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
        let first = try FileDigest.sha256(ofFile: file, cache: cache)
        #expect(first == (try FileDigest.hashFile(file)))
        #expect(first == "f86b5a2596473aa9a1f0ae8f9fccf1bd39ae842a80001441b26c98296b718dd3")
        #expect(FileManager.default.fileExists(atPath: cache.path))
        // Same size and modification time, other bytes: the remembered digest is answered (the file is not read).
        try Data("other contents".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
        #expect(try FileDigest.sha256(ofFile: file, cache: cache) == first)
        // A new modification time: hashed again.
        try FileManager.default.setAttributes([.modificationDate: modified.addingTimeInterval(5)], ofItemAtPath: file)
        let second = try FileDigest.sha256(ofFile: file, cache: cache)
        #expect(second != first)
        #expect(second == (try FileDigest.hashFile(file)))
        // Without a cache every call reads the file; a damaged cache is ignored, not an error.
        try Data("not json".utf8).write(to: cache)
        #expect(try FileDigest.sha256(ofFile: file, cache: cache) == second)
        #expect(try FileDigest.sha256(ofFile: file, cache: nil) == second)
        #expect(throws: FileDigestError.self) { try FileDigest.sha256(ofFile: folder.path("missing"), cache: cache) }
    }
}
