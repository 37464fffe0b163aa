import Foundation
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing

/// Exports replace their target whole, carry over files they do not own, refuse a target of the wrong kind and
/// remove what killed runs left behind.
@Suite struct OutputFilesTests {
    /// The PID of a process that has exited (so no process runs under it until the kernel reuses it).
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func aFolderIsReplacedWholeAndKeepsFilesTheExportDoesNotOwn() throws {
        let folder = try TemporaryFolder("replace")
        let target = folder.path("shards")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        _ = try folder.write("old", to: "shards/shard-000000.tar")
        _ = try folder.write("old", to: "shards/shard-000001.tar")
        _ = try folder.write("mine", to: "shards/README.txt")
        let staging = OutputFiles.stagingFolder(for: target)
        #expect(URL(fileURLWithPath: staging).lastPathComponent == ".shards.partial-\(getpid())")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        _ = try folder.write("new", to: ".shards.partial-\(getpid())/shard-000000.tar")
        try OutputFiles.carryOver(from: target, to: staging) { !$0.hasPrefix("shard-") }
        try OutputFiles.replaceFolder(target, with: staging)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["README.txt", "shard-000000.tar"])
        #expect(try String(contentsOfFile: target + "/shard-000000.tar", encoding: .utf8) == "new")
        #expect(try String(contentsOfFile: target + "/README.txt", encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["shards"])
        // Into a folder that does not exist yet: one rename.
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try OutputFiles.replaceFolder(folder.path("fresh"), with: staging)
        #expect(FileManager.default.fileExists(atPath: folder.path("fresh")) && !FileManager.default.fileExists(atPath: staging))
    }

    @Test func staleTemporariesOfDeadProcessesGoAndThoseOfLiveOnesStay() throws {
        let folder = try TemporaryFolder("stale")
        let dead = try Self.deadPID()
        let deadFile = try folder.write("half", to: "t.csv.partial-\(dead)")
        let liveFile = try folder.write("half", to: "t.csv.partial-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder.path(".shards.partial-\(dead)"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.path(".shards.old-\(dead)"), withIntermediateDirectories: true)
        let other = try folder.write("keep", to: "u.csv.partial-\(dead)")
        #expect(OutputFiles.removeStaleTemporaries(of: folder.path("t.csv")) == [deadFile])
        #expect(Set(OutputFiles.removeStaleTemporaries(of: folder.path("shards")).map { URL(fileURLWithPath: $0).lastPathComponent })
                == [".shards.partial-\(dead)", ".shards.old-\(dead)"])
        #expect(FileManager.default.fileExists(atPath: liveFile) && FileManager.default.fileExists(atPath: other))
        #expect(!FileManager.default.fileExists(atPath: deadFile))
    }

    @Test func exportsRefuseATargetOfTheWrongKindAndCleanUp() throws {
        let folder = try TemporaryFolder("wrong-kind")
        let corpus = try ExportTests().corpusWithCaptions(folder)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection(includeDuplicates: true))
        let file = try folder.write("a file", to: "existing.txt")
        let onFile = #expect(throws: CorpusError.self) {
            _ = try ExportWriter.write(items, format: .webdataset, to: file, shardSize: 2)
        }
        #expect(onFile?.description.contains("existing.txt is an existing file") == true)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "a file")
        try FileManager.default.createDirectory(atPath: folder.path("dir.csv"), withIntermediateDirectories: true)
        let onFolder = #expect(throws: CorpusError.self) { _ = try ExportWriter.write(items, format: .csv, to: folder.path("dir.csv")) }
        #expect(onFolder?.description.contains("is an existing folder") == true)
        // A CSV export removes the temporary a killed export left.
        let dead = try Self.deadPID()
        let debris = try folder.write("half", to: "out.csv.partial-\(dead)")
        _ = try ExportWriter.write(items, format: .csv, to: folder.path("out.csv"))
        #expect(!FileManager.default.fileExists(atPath: debris) && FileManager.default.fileExists(atPath: folder.path("out.csv")))
        // A WebDataset export into an existing folder replaces it whole: no temporaries beside it after.
        _ = try ExportWriter.write(items, format: .webdataset, to: folder.path("shards"), shardSize: 1)
        _ = try ExportWriter.write(items, format: .webdataset, to: folder.path("shards"), shardSize: 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("shards")) == ["shard-000000.tar"])
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: folder.url.path)).contains { $0.hasPrefix(".shards") })
    }

    /// An export into folders that do not exist yet creates them (every format, and the dedup report's file);
    /// a parent that is a file is a clear error naming the export.
    @Test func exportsCreateMissingParentFolders() throws {
        let folder = try TemporaryFolder("parents")
        let corpus = try ExportTests().corpusWithCaptions(folder)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection(includeDuplicates: true))
        for format in [ExportFormat.csv, .jsonl] {
            let path = folder.path("new/\(format.rawValue)/deeper/out.\(format.rawValue)")
            _ = try ExportWriter.write(items, format: format, to: path)
            #expect(FileManager.default.fileExists(atPath: path), "\(format)")
        }
        let shards = folder.path("new/webdataset/shards")
        _ = try ExportWriter.write(items, format: .webdataset, to: shards, shardSize: 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shards) == ["shard-000000.tar"])
        try folder.write("a file", to: "plain")
        let error = #expect(throws: CorpusError.self) {
            _ = try ExportWriter.write(items, format: .csv, to: folder.path("plain/out.csv"))
        }
        #expect(error?.description.contains("cannot create the folder") == true, "\(String(describing: error))")
    }
}
