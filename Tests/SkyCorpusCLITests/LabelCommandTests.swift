import Foundation
import SkyTestSupport
import Testing

/// Scene-classification ingest, `zero-shot --write`, stats and exports of labels through the `skycorpus` binary.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct LabelCommandTests {
    static let model = TinyCheckpointCLITests.model

    /// A corpus with a class-folder dataset `scenes` (two classes, two images each).
    static func corpus(_ folder: TemporaryFolder) throws -> String {
        for (index, image) in TinyCheckpointCLITests.images.enumerated() {
            let classFolder = folder.url.appendingPathComponent("scenes/\(index < 2 ? "denseresidential" : "harbor")")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: image, toPath: classFolder.appendingPathComponent("\(index).png").path)
        }
        let corpus = folder.path("corpus.sqlite")
        let ingest = try CommandRunner.run(["ingest", folder.path("scenes"), "--dataset", "scenes", "--corpus", corpus, "--quiet"])
        #expect(ingest.status == 0 && ingest.stdout.contains("4 image labels"), "\(ingest.stdout) \(ingest.stderr)")
        return corpus
    }

    @Test func labelACollectionThenExportLabelsAndCaptionsBySource() throws {
        let folder = try TemporaryFolder("cli-labels")
        let corpus = try Self.corpus(folder)
        let write = try CommandRunner.run(["zero-shot", "--model", Self.model, "--dataset", "scenes", "--write", "--captions",
                                           "--classes", "dense residential,harbor,forest", "--corpus", corpus, "--json", "--quiet"])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(write.stdout.contains("\"labels_added\" : 12") && write.stdout.contains("\"captions_added\" : 4"))
        let again = try CommandRunner.run(["zero-shot", "--model", Self.model, "--dataset", "scenes", "--write",
                                           "--classes", "dense residential,harbor,forest", "--corpus", corpus, "--quiet"])
        #expect(again.status == 0 && again.stdout.contains("0 labels") && again.stdout.contains("4 already labelled"), "\(again.stdout)")
        let stats = try CommandRunner.run(["stats", "--corpus", corpus])
        #expect(stats.stdout.contains("ground-truth 4") && stats.stdout.contains("zero-shot:tiny-clip-vocab49408.safetensors 12"))
        #expect(stats.stdout.contains("dense residential 2"))
        let labels = try CommandRunner.run(["export", "--format", "labels", "--out", folder.path("labels.jsonl"), "--corpus", corpus])
        #expect(labels.status == 0, "\(labels.stderr)")
        let lines = try String(contentsOfFile: folder.path("labels.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4 && lines.allSatisfy { $0.contains("ground-truth") && $0.contains("zero-shot") })
        let without = try CommandRunner.run(["export", "--format", "jsonl", "--exclude-source", "zero-shot",
                                             "--out", folder.path("none.jsonl"), "--corpus", corpus])
        #expect(without.status == 1 && without.stderr.contains("nothing to export"))
        let with = try CommandRunner.run(["export", "--format", "csv", "--source", "zero-shot", "--out", folder.path("z.csv"), "--corpus", corpus])
        let csv = try String(contentsOfFile: folder.path("z.csv"), encoding: .utf8)
        #expect(with.status == 0 && csv.contains("a satellite image of"))
    }

    @Test func badRequestsAreNamedAndWriteNothing() throws {
        let folder = try TemporaryFolder("cli-labels-bad")
        let corpus = try Self.corpus(folder)
        let noClasses = try CommandRunner.run(["zero-shot", "--model", Self.model, "--dataset", "scenes", "--write",
                                               "--classes", " , ,", "--corpus", corpus, "--quiet"])
        #expect(noClasses.status == 1 && noClasses.stderr.contains("no class names"), "\(noClasses.stderr)")
        let noDataset = try CommandRunner.run(["zero-shot", "--model", Self.model, "--write", "--classes", "a,b", "--corpus", corpus])
        #expect(noDataset.status == 64 && noDataset.stderr.contains("--dataset"))
        let stats = try CommandRunner.run(["stats", "--corpus", corpus, "--json"])
        #expect(!stats.stdout.contains("zero-shot:"))
        try FileManager.default.createDirectory(atPath: folder.path("scenes/empty"), withIntermediateDirectories: true)
        let empty = try CommandRunner.run(["ingest", folder.path("scenes"), "--dataset", "other", "--format", "class-folders", "--corpus", corpus])
        #expect(empty.status == 1 && empty.stderr.contains("empty") && empty.stderr.contains("no image"), "\(empty.stderr)")
    }
}
