import Foundation
import SkyImaging
import SkyTestSupport
import Testing

/// `OpenFile`: one open, reads by offset and in chunks equal to the whole file, errors naming the path.
@Suite struct OpenFileTests {
    @Test func readsRunsAndChunksOfTheSameBytes() throws {
        let folder = try TemporaryFolder("open-file")
        var random = SplitMix64(seed: 7)
        let bytes = (0..<10_007).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let path = try folder.write(Data(bytes), to: "data.bin")
        let file = try OpenFile(path)
        #expect(file.size == bytes.count && file.path == path)
        #expect(try file.read() == bytes)
        #expect(try file.read(limit: 8) == Array(bytes.prefix(8)))
        #expect(try file.read(from: 10_000) == Array(bytes.suffix(7)))
        #expect(try file.read(from: 100, limit: 50) == Array(bytes[100..<150]))
        #expect(try file.read(from: 20_000).isEmpty)
        // Reads do not move a shared offset: the same run twice, after a read elsewhere.
        #expect(try file.read(limit: 8) == Array(bytes.prefix(8)))
        for chunk in [1, 4096, 10_007, 1 << 20] {
            var joined: [UInt8] = []
            var sizes: [Int] = []
            try file.forEachChunk(of: chunk) { joined += $0; sizes.append($0.count) }
            #expect(joined == bytes, "chunks of \(chunk)")
            #expect(sizes.dropLast().allSatisfy { $0 == chunk } && sizes.count == (bytes.count + chunk - 1) / chunk)
        }
        #expect(try FileBytes.read(path) == bytes && FileBytes.read(path, limit: 3) == Array(bytes.prefix(3)))
        let empty = try OpenFile(try folder.write(Data(), to: "empty.bin"))
        #expect(try empty.read().isEmpty)
        var calls = 0
        try empty.forEachChunk { _ in calls += 1 }
        #expect(calls == 0)
    }

    @Test func aMissingFileOrAFolderIsRefusedNamingIt() throws {
        let folder = try TemporaryFolder("open-file-errors")
        for (path, reason) in [(folder.path("missing.png"), "No such file or directory"), (folder.url.path, "it is a directory")] {
            #expect {
                _ = try OpenFile(path)
            } throws: { error in
                guard case ImageError.unreadable(let named, let why) = error else { return false }
                return named == path && why == reason
            }
        }
    }
}
